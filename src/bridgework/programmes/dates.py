"""A programme's own calendar: today where it runs, and the day its next round can start."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from bridgework.programmes.models import Programme

__all__ = ["next_start", "programme_today"]


def programme_today(programme: Programme, now: datetime | None = None) -> date:
    """Today's date where the programme runs (its time zone), which decides when rounds start,
    end, and when reminders go."""
    now = now or timezone.now()
    try:
        zone = ZoneInfo(programme.time_zone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def next_start(programme: Programme, today: date) -> date:
    """The first day on or after ``today`` that is the programme's weekday."""
    return today + timedelta(days=(programme.weekday - today.weekday()) % 7)

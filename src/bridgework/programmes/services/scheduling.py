"""Scheduling: the worker's tick, which runs each programme on its own calendar."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from bridgework.programmes.dates import next_start, programme_today
from bridgework.programmes.mailing import round_follow_up, round_send
from bridgework.programmes.models import Programme, Round
from bridgework.programmes.selectors import round_is_due
from bridgework.programmes.services.rounds import round_create, round_draw, round_publish
from bridgework.programmes.services.signup import enrolments_resume_due

__all__ = ["FEEDBACK_WINDOW", "REMINDER_DAYS_BEFORE_END", "programmes_tick"]

#: Reminders go this many days before a round ends; feedback requests once it has ended, for
#: up to FEEDBACK_WINDOW afterwards (a worker that was down for a while still catches up).
REMINDER_DAYS_BEFORE_END = 2
FEEDBACK_WINDOW = timedelta(days=14)


def programmes_tick(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduler's work, for each active programme on its own calendar (its time zone):
    resume ended pauses, create the round that is due, auto-publish, send whatever a published
    round still owes (a worker killed between publishing and sending, or mid-send, is caught up
    here), remind before the end and ask for feedback after it.

    Safe to run as often as wanted and from several workers: rounds are created under a row
    lock on the programme, and every email is keyed.
    """
    counts = dict.fromkeys(("resumed", "created", "published", "sent", "reminders", "feedback"), 0)
    for programme in Programme.objects.filter(active=True).order_by("pk"):
        today = programme_today(programme, now)
        counts["resumed"] += enrolments_resume_due(programme=programme, today=today)
        with transaction.atomic():
            locked = Programme.objects.select_for_update().get(pk=programme.pk)
            if round_is_due(locked, today):
                round_create(programme=locked, starts_on=next_start(locked, today))
                counts["created"] += 1
        if programme.auto_publish:
            for round_ in programme.rounds.filter(status=Round.Status.DRAFT, starts_on__lte=today):
                if round_.ends_on <= today:  # the worker was down for a whole round
                    round_ = round_draw(round_=round_, redate=True)
                    if round_.starts_on > today:
                        continue
                round_publish(round_=round_)
                counts["published"] += 1
        published = programme.rounds.filter(status=Round.Status.PUBLISHED)
        for round_ in published.filter(ends_on__gt=today):
            counts["sent"] += round_send(round_=round_)
        for round_ in published.filter(
            ends_on__gt=today, ends_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE_END)
        ):
            counts["reminders"] += round_follow_up(round_=round_, kind="reminder")
        for round_ in published.filter(ends_on__lte=today, ends_on__gte=today - FEEDBACK_WINDOW):
            counts["feedback"] += round_follow_up(round_=round_, kind="feedback")
    return counts

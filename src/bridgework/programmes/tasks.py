"""Background jobs for programmes, run by ``bridgework worker``."""

from __future__ import annotations

from django_tasks import task

from bridgework.programmes.mailing import round_send
from bridgework.programmes.models import Round
from bridgework.programmes.services import programmes_tick


@task()
def send_round(round_id: int) -> int:
    """Send a published round's introductions (idempotent: each email is keyed)."""
    return round_send(round_=Round.objects.select_related("programme").get(pk=round_id))


@task()
def run_schedule() -> dict[str, int]:
    """The scheduler tick for programmes: due rounds, auto-publish, reminders, feedback."""
    return programmes_tick()

"""Background jobs for surveys, run by ``bridgework worker``."""

from __future__ import annotations

from django_tasks import task

from bridgework.surveys.services import reminders_send_due


@task()
def send_due_reminders() -> int:
    """Send the scheduled reminders that are due (idempotent: nobody is reminded twice within
    the reminder gap, and each email has an idempotency key)."""
    return reminders_send_due()


@task()
def publish_results() -> int:
    """Freeze closed waves' results and refresh live results that are due (idempotent: a
    snapshot is only made when answers changed, and a closed wave gets exactly one)."""
    from bridgework.surveys.results import publish_due_results

    return publish_due_results()

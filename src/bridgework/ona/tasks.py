"""Background jobs for network surveys, run by ``bridgework worker``."""

from __future__ import annotations

from django_tasks import task

from bridgework.ona.services import network_reminders_send_due


@task()
def send_due_network_reminders() -> int:
    """Send the scheduled network survey reminders that are due (idempotent: nobody is
    reminded twice within the reminder gap, and each email has an idempotency key)."""
    return network_reminders_send_due()


@task()
def warm_network_analyses() -> list[int]:
    """Start the jobs that prepare a large network's usual map views after each release
    (once per release; see :func:`bridgework.ona.analyses.analyses_warm`)."""
    from bridgework.ona.analyses import analyses_warm

    return analyses_warm()

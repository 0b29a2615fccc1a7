"""Background jobs for governance, run by ``bridgework worker``."""

from __future__ import annotations

from django_tasks import task

from bridgework.governance.retention import retention_apply


@task()
def apply_retention() -> dict[str, int]:
    """Delete raw answers of surveys closed longer than their network's retention period
    (idempotent: what is gone stays gone, and nothing else is touched)."""
    return retention_apply()

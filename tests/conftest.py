"""Shared test set-up."""

from django.db.backends.sqlite3.base import DatabaseOperations

_sqlite_sql_flush = DatabaseOperations.sql_flush


def _sql_flush_audit_last(self, style, tables, **kwargs):  # type: ignore[no-untyped-def]
    """Let a transactional test's flush empty the audit log on SQLite.

    The database lets an audit event be deleted only while its network is listed in
    ``audit_auditpurge`` (see ``audit/migrations/0002_append_only_triggers.py``), as when a
    network is deleted; a flush deletes every network, so it lists them all first.
    PostgreSQL flushes with TRUNCATE, which row triggers do not see.
    """
    statements = _sqlite_sql_flush(self, style, tables, **kwargs)
    if "audit_auditevent" not in tables:
        return statements
    purge = (
        "INSERT OR IGNORE INTO audit_auditpurge (network_id) "
        "SELECT DISTINCT network_id FROM audit_auditevent;"
    )
    # The purge list itself is emptied last, after the events.
    events_last = sorted(
        statements, key=lambda s: ("audit_auditpurge" in s, "audit_auditevent" in s)
    )
    return [purge, *events_last]


DatabaseOperations.sql_flush = _sql_flush_audit_last

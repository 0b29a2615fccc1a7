"""Shared test set-up."""

from __future__ import annotations

import pytest
from django.db.backends.sqlite3.base import DatabaseOperations

from bridgework.mail.backends import OUTBOX_BACKEND

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

_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _outbox_only_mail(settings):
    """Tests run in the app's embedded default, where the outbox is the delivery (pytest-django
    would otherwise switch to its locmem backend, which counts as real delivery). Tests of
    delivery set ``settings.EMAIL_BACKEND`` to the locmem backend themselves."""
    settings.EMAIL_BACKEND = OUTBOX_BACKEND


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request, django_db_blocker):
    """Rate-limit counters live in the shared (database) cache: a test that commits starts the
    next one with none left over."""
    yield
    uses_db = request.node.get_closest_marker("django_db") or (
        _DB_FIXTURES & set(request.fixturenames)
    )
    if uses_db:
        from django.core.cache import cache

        with django_db_blocker.unblock():
            cache.clear()

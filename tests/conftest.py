"""Shared test set-up."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis
from django.db.backends.sqlite3.base import DatabaseOperations
from django.test import override_settings

from bridgework.mail.backends import OUTBOX_BACKEND
from bridgework.server.cache_config import caches
from tests.processes import redis_missing, redis_server

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


@pytest.fixture(autouse=True)
def _shared_cache_reachable():
    """A test that met an unreachable cache leaves the next one a process that tries it."""
    yield
    from bridgework.web import cache

    cache._retry_at = 0.0


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A Redis server of this test process's own (``tests.processes.redis_server``), as a
    ``redis://`` URL. Without ``redis-server`` the test fails in CI (``CI=true``: .ci/run
    installs it) and is skipped only elsewhere, saying so."""
    missing = redis_missing()
    if missing:
        if _in_ci():
            pytest.fail(f"{missing}, and CI must test the Redis cache (.ci/run installs it)")
        pytest.skip(f"{missing}: skipped outside CI only (with CI=true this test fails)")
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_cache(redis_url) -> Iterator[redis.Redis]:
    """The default cache on the test's Redis server, configured as ``CACHE_URL`` would, empty
    before and after; yields a client of the same server, to look inside."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    with override_settings(CACHES=caches(redis_url)):
        yield client
    client.flushdb()
    client.close()


@pytest.fixture(params=["database", "redis"])
def shared_cache(request) -> str:
    """Run the test on each shared cache: the database table (the default) and Redis."""
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    return request.param

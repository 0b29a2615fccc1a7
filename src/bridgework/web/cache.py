"""The shared cache's database backend: Django's, with an ``incr`` that never loses a count.

Django's database cache increments by reading the value and writing it back, so two server
processes counting the same key at once can both write the same number: a rate limit spread
over several servers would then let more requests through than it allows. Here the read and
the write happen in one transaction that holds the entry's row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transactions take the database's write lock as they begin), so
concurrent increments queue and each one counts.

Two more races are closed the same way. An ``incr`` that finds no row to lock answers "not
found" there and then, instead of reading on: the row may be written by another process's
``add`` between the lock and the read, and an increment read without the lock can be
overwritten by one made with it (the rate limiter then starts the window with ``add``, which
fails for all but one, and counts with the row locked). And ``add`` locks an expired entry
before replacing it, so two processes starting a new window over an old entry cannot both
win. Redis (``CACHE_URL=redis://…``) needs none of this: its ``INCR`` is atomic.

Redis is a separate server that can be down while the database is up. Nothing in the cache is
a record, so :func:`cached` (the analyses, the pictures) computes what it cannot read, and the
rate limiter lets requests through uncounted (:mod:`bridgework.web.ratelimit`); each says so in
the log. After one failure a process leaves the cache alone for :data:`RETRY_SECONDS`, so a
Redis that hangs costs one timeout (``socket_timeout``, 1 s by default) rather than one per
read. The database cache has no such fallback: without its database nothing works anyway.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction
from redis.exceptions import RedisError

__all__ = [
    "RETRY_SECONDS",
    "UNREACHABLE",
    "DatabaseCache",
    "cached",
    "held",
    "reachable",
    "unreachable",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: What a shared cache raises when it cannot answer: Redis down, refusing, timing out or out
#: of memory (every error of the ``redis`` client derives from ``RedisError``).
UNREACHABLE: tuple[type[Exception], ...] = (RedisError,)

#: Seconds a process leaves an unreachable cache alone before it tries again.
RETRY_SECONDS = 10.0

_retry_at = 0.0


def reachable() -> bool:
    """False while this process is waiting to try an unreachable cache again."""
    return time.monotonic() >= _retry_at


def unreachable(error: Exception, doing: str) -> None:
    """Note that the cache failed while ``doing`` something: log it, and leave the cache
    alone for :data:`RETRY_SECONDS`."""
    global _retry_at
    _retry_at = time.monotonic() + RETRY_SECONDS
    logger.warning(
        "The shared cache cannot be reached (%s: %s) while %s; not using it for %d s.",
        type(error).__name__,
        error,
        doing,
        RETRY_SECONDS,
    )


def _kind(key: str) -> str:
    """What a key holds, for the log (``networks:analysis``), never the rest of it."""
    return ":".join(key.split(":", 2)[:2])


def cached(key: str, compute: Callable[[], T], *, timeout: int) -> T:
    """The value kept in the shared cache under ``key``, or ``compute()`` kept there for
    ``timeout`` seconds. When the cache cannot be reached, ``compute()`` (nothing is kept).

    ``compute`` must not return ``None``: that is what the cache answers for a missing key.
    """
    if not reachable():
        return compute()
    try:
        value = cache.get(key)
    except UNREACHABLE as error:
        unreachable(error, f"reading {_kind(key)}")
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except UNREACHABLE as error:
            unreachable(error, f"keeping {_kind(key)}")
    return value


def held(key: str) -> bool:
    """Whether the shared cache holds ``key``; ``False`` when it cannot be reached."""
    if not reachable():
        return False
    try:
        return cache.has_key(key)
    except UNREACHABLE as error:
        unreachable(error, f"looking for {_kind(key)}")
        return False


class DatabaseCache(DjangoDatabaseCache):
    """A cache in a database table whose increments are atomic across processes."""

    def _lock(self, connection, key, version) -> bool:  # type: ignore[no-untyped-def]
        """Lock the entry's row until the transaction ends; whether there is one. Without
        row locks (SQLite) the transaction itself holds the write lock: true."""
        if not connection.features.has_select_for_update:
            return True
        table = connection.ops.quote_name(self._table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",
                [self.make_and_validate_key(key, version=version)],
            )
            return cursor.fetchone() is not None

    def incr(self, key, delta=1, version=None):  # type: ignore[no-untyped-def]
        db = router.db_for_write(self.cache_model_class)
        with transaction.atomic(using=db):
            if not self._lock(connections[db], key, version):
                raise ValueError(f"Key '{key}' not found.")
            return super().incr(key, delta, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):  # type: ignore[no-untyped-def]
        db = router.db_for_write(self.cache_model_class)
        with transaction.atomic(using=db):
            self._lock(connections[db], key, version)
            return super().add(key, value, timeout, version)

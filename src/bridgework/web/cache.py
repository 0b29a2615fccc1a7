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
"""

from __future__ import annotations

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction

__all__ = ["DatabaseCache"]


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

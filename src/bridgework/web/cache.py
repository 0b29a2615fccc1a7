"""The shared cache's database backend: Django's, with an ``incr`` that never loses a count.

Django's database cache increments by reading the value and writing it back, so two server
processes counting the same key at once can both write the same number: a rate limit spread
over several servers would then let more requests through than it allows. Here the read and
the write happen in one transaction that holds the entry's row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transactions take the database's write lock as they begin), so
concurrent increments queue and each one counts. Redis (``CACHE_URL=redis://…``) needs none of
this: its ``INCR`` is atomic.
"""

from __future__ import annotations

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction

__all__ = ["DatabaseCache"]


class DatabaseCache(DjangoDatabaseCache):
    """A cache in a database table whose increments are atomic across processes."""

    def incr(self, key, delta=1, version=None):  # type: ignore[no-untyped-def]
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                table = connection.ops.quote_name(self._table)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",
                        [self.make_and_validate_key(key, version=version)],
                    )
            return super().incr(key, delta, version)

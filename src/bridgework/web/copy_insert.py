"""Inserting many rows at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

Django's ``bulk_create`` builds each statement in Python (every value of every row prepared
by its field, then adapted into arrays), which is most of what writing 100,000 invitations or
emails costs. On PostgreSQL, :func:`copy_insert` first takes the rows' ids from the table's
own sequence (one query), then streams the rows through ``COPY … FROM STDIN`` (psycopg 3), so
each object gets its id as ``bulk_create`` gives it. The database checks every constraint as
for an insert (a duplicate key fails the ``COPY`` whole, raising :class:`IntegrityError`),
and it runs in the caller's transaction, so all-or-nothing holds as before. Objects get their
``auto_now``/``auto_now_add`` values and defaults exactly as ``bulk_create`` gives them; no
signals are sent (``bulk_create`` sends none either).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import IntegrityError, connections, models, router

__all__ = ["copy_insert"]

M = TypeVar("M", bound=models.Model)

#: Field types whose Python values psycopg writes as the column wants them, without the
#: field's own preparation.
_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateTimeField",
        "EmailField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)


def copy_insert(model: type[M], objs: Sequence[M], *, batch_size: int = 500) -> list[M]:
    """Insert ``objs`` (new instances of ``model``) and give each its id; returns them.

    Call inside a transaction for all-or-nothing. On databases other than PostgreSQL this is
    ``bulk_create(objs, batch_size=batch_size)``.
    """
    objs = list(objs)
    db = router.db_for_write(model)
    connection = connections[db]
    if connection.vendor != "postgresql" or not objs:
        return model.objects.bulk_create(objs, batch_size=batch_size)
    opts = model._meta
    pk = opts.pk
    table = connection.ops.quote_name(opts.db_table)
    with connection.cursor() as cursor:
        if any(obj.pk is None for obj in objs):
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, pk.column, sum(obj.pk is None for obj in objs)],
            )
            ids = iter([row[0] for row in cursor.fetchall()])
            for obj in objs:
                if obj.pk is None:
                    obj.pk = next(ids)
        fields = list(opts.concrete_fields)
        prepare = [None if field.get_internal_type() in _PLAIN else field for field in fields]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        try:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for obj in objs:
                    copy.write_row(_row(obj, fields, prepare, connection))
        except Exception as exc:  # psycopg's own IntegrityError: Django's, as bulk_create
            from psycopg import errors

            if isinstance(exc, errors.IntegrityError):
                raise IntegrityError(*exc.args) from exc
            raise
    for obj in objs:
        obj._state.adding = False
        obj._state.db = db
    return objs


def _row(obj: models.Model, fields: list[Any], prepare: list[Any], connection: Any) -> list[Any]:
    row = []
    for field, prepared in zip(fields, prepare, strict=True):
        value = field.pre_save(obj, add=True)  # auto_now and friends, as an insert sets them
        if prepared is not None:
            value = prepared.get_db_prep_save(value, connection)
        row.append(value)
    return row

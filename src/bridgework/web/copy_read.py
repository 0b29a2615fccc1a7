"""Reading many rows into a DataFrame: ``COPY … TO STDOUT`` on PostgreSQL.

A results page reads every answer of a wave (360,000 rows at 60,000 respondents); building a
Python tuple per row and a DataFrame from them costs seconds. On PostgreSQL,
:func:`queryset_frame` streams the queryset's own SQL through ``COPY (…) TO STDOUT`` as CSV
and lets pandas' C reader parse it; elsewhere it builds the frame from ``values_list``. The
rows and values are the same either way, but for a missing value: ``None`` from
``values_list``, NaN from ``COPY`` (pandas treats both as missing).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import pandas as pd
from django.db import connections
from django.db.models import QuerySet

__all__ = ["queryset_frame"]


def queryset_frame(
    queryset: QuerySet, columns: Sequence[str], dtypes: Mapping[str, str]
) -> pd.DataFrame:
    """``queryset`` (a ``values_list`` of ``len(columns)`` fields) as a DataFrame with
    ``columns``; ``dtypes`` gives each column's type (``"int64"``, ``"float64"``,
    ``"string"``: text columns must be named so, or digits would be read as numbers)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return pd.DataFrame(list(queryset), columns=list(columns))
    import psycopg

    sql, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    raw = connection.connection
    statement = psycopg.ClientCursor(raw).mogrify(sql, params)
    buffer = io.BytesIO()
    copy_sql = f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for chunk in copy:
            buffer.write(chunk)
    buffer.seek(0)
    frame = pd.read_csv(
        buffer,
        header=None,
        names=list(columns),
        dtype={c: ("object" if t == "string" else "float64") for c, t in dtypes.items()},
        keep_default_na=False,
        na_values=[""],
    )
    ints = [c for c, t in dtypes.items() if t == "int64"]
    for column in ints:
        if frame[column].notna().all():
            frame[column] = frame[column].astype("int64")
    return frame

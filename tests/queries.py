"""N+1 checks: a page makes as many queries with many rows as with few.

A fixed ceiling ("at most 15 queries") passes a page that makes one query per row as long as
the test data is small; running the page at two sizes and comparing catches it whatever the
ceiling would have been.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connection
from django.test.utils import CaptureQueriesContext

#: The two sizes every check runs at unless it says otherwise.
SIZES = (3, 12)


def count_queries(page: Callable[[], object]) -> tuple[int, list[str]]:
    """Queries ``page()`` makes (after one warm-up call, so one-off caches do not count)."""
    page()
    with CaptureQueriesContext(connection) as captured:
        page()
    return len(captured), [q["sql"] for q in captured.captured_queries]


def assert_queries_do_not_grow(
    *,
    grow: Callable[[int], object],
    page: Callable[[], object],
    sizes: Sequence[int] = SIZES,
) -> list[int]:
    """Bring the data to each size with ``grow(size)``, load ``page()``, and assert the number
    of queries is the same at every size. Returns the counts (one per size)."""
    counts, last_sql = [], []
    for size in sizes:
        grow(size)
        count, sql = count_queries(page)
        counts.append(count)
        if counts[0] != count:
            last_sql = sql
    assert len(set(counts)) == 1, (
        f"queries grow with the rows: {dict(zip(sizes, counts, strict=True))}; at "
        f"{sizes[-1]} rows:\n" + "\n".join(last_sql)
    )
    return counts

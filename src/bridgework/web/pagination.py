"""Pages of a list: every list page shows at most :data:`PAGE_SIZE` rows at a time.

A page of a queryset costs a count and one query for its rows, so a list page makes the same
number of queries whatever the number of rows (tests/web/test_list_pages.py checks every list
page at two sizes). A page with two lists names each list's page parameter.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

__all__ = ["PAGE_SIZE", "page_of"]

#: Rows per page of a list.
PAGE_SIZE = 50


def page_of(
    request: HttpRequest, items: Any, *, param: str = "page", size: int | None = None
) -> Page:
    """The page of ``items`` the request asks for in ``param`` (the first page for a missing
    or unreadable number, the last one past the end)."""
    page = Paginator(items, size or PAGE_SIZE).get_page(request.GET.get(param))
    page.param = param  # type: ignore[attr-defined]  (the pagination component's links)
    return page

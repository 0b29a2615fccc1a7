"""Limit/offset pagination with bounds the OpenAPI document states, and a stable order."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "Page"]

#: Most items one page returns, and the default.
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
#: Offsets past this are refused (422): no network has that many records, and the bound keeps
#: every offset a valid database integer.
MAX_OFFSET = 1_000_000


class Page(PaginationBase):
    """``?limit=&offset=`` over a queryset that the endpoint has already ordered by a unique
    key, so pages neither repeat nor skip rows. Two queries whatever the page size."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    class Output(Schema):
        items: list[Any]
        count: int
        limit: int
        offset: int

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        start, stop = pagination.offset, pagination.offset + pagination.limit
        return {
            "items": list(queryset[start:stop]),
            "count": self._items_count(queryset),
            "limit": pagination.limit,
            "offset": pagination.offset,
        }

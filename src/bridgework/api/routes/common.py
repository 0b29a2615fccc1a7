"""What every endpoint shares: the error bodies it documents and the bounds of a record id."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema

__all__ = ["ERRORS", "ErrorOut", "RecordId", "ValidationErrorOut"]

#: Largest id accepted in a path: the largest value of a 32-bit signed database integer, so
#: no id can overflow a lookup (and ids past it are refused with 422, not looked up).
MAX_ID = 2**31 - 1

RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ErrorOut(Schema):
    """Why a request was refused, in plain words."""

    detail: str


class ValidationErrorOut(Schema):
    """Which parameters were wrong and why (as pydantic reports them)."""

    detail: list[dict[str, Any]]


ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}

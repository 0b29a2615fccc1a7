"""What every programme service shares: saving through the model's validation."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model

M = TypeVar("M", bound=Model)


def _save(instance: M) -> M:
    """Validate (fields and database constraints, with their messages) and save."""
    instance.full_clean()
    instance.save()
    return instance

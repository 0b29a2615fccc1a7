"""Fixtures of the pairing-engine tests (the builders are in tests/matching/builders.py)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.matching.builders import ROUND


@pytest.fixture
def round_date() -> date:
    return ROUND

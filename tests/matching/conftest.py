"""Builders shared by the pairing-engine tests."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from bridgework.matching import Participant

ROUND = date(2025, 6, 2)


def programme(n: int, seed: int, *, agencies: int = 6) -> list[Participant]:
    """A random programme like a county's: agencies, teams, workgroups, towns, modes."""
    rng = np.random.default_rng(seed)
    people = []
    for i in range(n):
        mode = str(rng.choice(["either", "video", "in_person"], p=[0.6, 0.3, 0.1]))
        interests = frozenset(f"i{k}" for k in rng.choice(12, size=rng.integers(0, 3)))
        people.append(
            Participant(
                id=f"p{i:05d}",
                organisation=f"agency {rng.integers(agencies)}",
                team=f"team {rng.integers(4)}",
                workgroup=f"wg {rng.integers(6)}",
                location=f"town {rng.integers(3)}",
                time_zone=str(rng.choice(["Europe/London", "UTC+01:00", ""])),
                mode=mode,
                interests=interests,
            )
        )
    return people


@pytest.fixture
def round_date() -> date:
    return ROUND

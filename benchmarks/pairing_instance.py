"""A realistic national pairing instance, written as the three CSV files analysts hand us.

Shape (``n`` participants, ``rounds`` past monthly rounds):

* 8 organisations of very unequal size (the largest about a third of everyone), 40 teams in
  each, 12 workgroups, 60 towns, a few time zones, meeting modes and interests;
* ``rounds`` past monthly rounds, each pairing everyone at random: ``rounds × n / 2`` history
  rows (12 rounds of a million people: 6,000,000 rows);
* ``n / 5`` excluded pairs (200,000 at a million).

Deterministic: the same ``n``, ``rounds`` and ``seed`` write the same bytes, so a score
recorded on an instance can be checked again later (tests/matching/test_score_floor.py).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["ROUND_DATE", "WEAK_TIES", "write_instance"]

#: The round every benchmark pairs for; past rounds are monthly before it.
ROUND_DATE = date(2025, 6, 2)

ORGANISATIONS = (
    "Acute Trust",
    "Community Health",
    "County Council",
    "Mental Health Trust",
    "Police",
    "Probation",
    "Housing Association",
    "Voluntary Sector",
)
ORGANISATION_SHARE = (0.34, 0.2, 0.14, 0.1, 0.08, 0.06, 0.05, 0.03)
WORKGROUPS = tuple(f"workgroup {k:02d}" for k in range(12))
WEAK_TIES = [
    ("workgroup 00", "workgroup 03"),
    ("workgroup 01", "workgroup 07"),
    ("workgroup 02", "workgroup 11"),
    ("workgroup 05", "workgroup 09"),
    ("workgroup 04", "workgroup 04"),
]
INTERESTS = tuple(f"interest {k}" for k in range(40))
ZONES = ("Europe/London", "Europe/London", "Europe/London", "Europe/Paris", "UTC-05:00", "")


def participants(n: int, seed: int) -> pd.DataFrame:
    """The participants file as a frame (ids in order, so ``p0000000`` is row 2)."""
    rng = np.random.default_rng(seed)
    organisation = rng.choice(len(ORGANISATIONS), size=n, p=ORGANISATION_SHARE)
    count = rng.integers(0, 4, size=n)
    picks = rng.integers(0, len(INTERESTS), size=(n, 3))
    words = np.array(INTERESTS, dtype=object)
    interests = np.where(count >= 1, words[picks[:, 0]], "")
    for k in (1, 2):
        interests = np.where(count > k, interests + ";" + words[picks[:, k]], interests)
    teams = np.array([f"team {t:02d}" for t in range(40)], dtype=object)
    towns = np.array([f"town {t:02d}" for t in range(60)], dtype=object)
    return pd.DataFrame(
        {
            "id": np.char.add("p", np.char.zfill(np.arange(n).astype(str), 7)),
            "organisation": np.array(ORGANISATIONS, dtype=object)[organisation],
            "team": teams[rng.integers(0, len(teams), size=n)],
            "workgroup": np.array(WORKGROUPS, dtype=object)[rng.integers(0, 12, size=n)],
            "location": towns[rng.integers(0, len(towns), size=n)],
            "time_zone": np.array(ZONES, dtype=object)[rng.integers(0, len(ZONES), size=n)],
            "mode": rng.choice(["either", "video", "in person"], size=n, p=[0.6, 0.3, 0.1]),
            "interests": interests,
            "priority": rng.choice(["no", "yes"], size=n, p=[0.97, 0.03]),
        }
    )


def history(ids: np.ndarray, rounds: int, seed: int) -> pd.DataFrame:
    """``rounds`` monthly rounds, each a random perfect pairing of everyone."""
    rng = np.random.default_rng(seed + 1)
    n = len(ids) - len(ids) % 2
    parts = []
    for k in range(1, rounds + 1):
        perm = rng.permutation(len(ids))[:n].reshape(-1, 2)
        month = pd.Timestamp(ROUND_DATE) - pd.DateOffset(months=k)
        parts.append(
            pd.DataFrame({"a": ids[perm[:, 0]], "b": ids[perm[:, 1]], "date": f"{month:%Y-%m-%d}"})
        )
    if not parts:
        return pd.DataFrame({"a": [], "b": [], "date": []})
    return pd.concat(parts, ignore_index=True)


def exclusions(ids: np.ndarray, count: int, seed: int) -> pd.DataFrame:
    """``count`` pairs never to make (distinct people in each)."""
    rng = np.random.default_rng(seed + 2)
    a = rng.integers(0, len(ids), size=count)
    b = (a + rng.integers(1, len(ids), size=count)) % len(ids)
    return pd.DataFrame({"a": ids[a], "b": ids[b]})


def write_instance(folder: Path, n: int, rounds: int, seed: int = 1) -> dict[str, Path]:
    """Write ``participants.csv``, ``history.csv``, ``exclusions.csv`` and ``rc.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    people = participants(n, seed)
    ids = people["id"].to_numpy()
    paths = {
        "participants": folder / "participants.csv",
        "history": folder / "history.csv",
        "exclusions": folder / "exclusions.csv",
        "rc": folder / "rc.json",
    }
    people.to_csv(paths["participants"], index=False)
    history(ids, rounds, seed).to_csv(paths["history"], index=False)
    exclusions(ids, max(n // 5, 1), seed).to_csv(paths["exclusions"], index=False)
    cells = [
        {"rater": a, "target": b, "rc": 2.4, "band": "weak", "suppressed": False}
        for a, b in WEAK_TIES
    ]
    paths["rc"].write_text(json.dumps({"cells": cells}))
    return paths

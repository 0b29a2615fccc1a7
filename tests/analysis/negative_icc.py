"""Answers whose ICC estimates fall below 0: two workgroups with the same spread of opinion
and almost the same mean, so they differ less than people within them (MSB < MSW)."""

from __future__ import annotations

import pandas as pd

from bridgework.analysis.rc import DIMENSIONS, LONG_COLUMNS

#: Each respondent's score (every dimension, every target) by workgroup.
SCORES = {"Nurses": (1, 5, 1, 5, 3), "Pharmacy": (1, 5, 1, 5, 4)}
TARGETS = tuple(SCORES)


def negative_icc_frame() -> pd.DataFrame:
    rows = [
        (f"{group}-{i}", group, target, dimension, score)
        for group, scores in SCORES.items()
        for i, score in enumerate(scores)
        for target in TARGETS
        for dimension in DIMENSIONS
    ]
    return pd.DataFrame(rows, columns=LONG_COLUMNS)


def raw_forms(value: float) -> list[str]:
    """The ways a raw estimate could be printed (JSON, 2 or 4 decimals)."""
    return [f"{value:.2f}", f"{value:.4f}", repr(round(value, 4))]

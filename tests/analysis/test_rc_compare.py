"""Tests for bridgework.analysis.rc_compare: wave differences, bands moved, privacy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bridgework.analysis.rc import DIMENSIONS, LONG_COLUMNS, RCSettings
from bridgework.analysis.rc_compare import compare_waves


def waves(before_scores, after_scores, group="A", target="B", extra=()):
    rows = []
    for wave, scores in (("w1", before_scores), ("w2", after_scores)):
        for i, score in enumerate(scores):
            for dimension in DIMENSIONS:
                rows.append((wave, f"{wave}-{group}{i}", group, target, dimension, score))
    rows += list(extra)
    return pd.DataFrame(rows, columns=["wave", *LONG_COLUMNS])


def test_cell_difference_effect_size_and_band_change_hand_computed():
    frame = waves([3, 3, 4, 3, 3], [4, 5, 4, 4, 5])
    result = compare_waves(
        frame, before="w1", after="w2", settings=RCSettings(bootstrap=200, seed=1), permutations=200
    )
    cell = result.cell("A", "B")
    assert cell.change.before == pytest.approx(3.2)
    assert cell.change.after == pytest.approx(4.4)
    assert cell.change.difference == pytest.approx(1.2)
    # pooled SD: var(before) = 0.2, var(after) = 0.3 → sqrt(0.25) = 0.5 → d = 2.4
    assert cell.change.effect_size == pytest.approx(2.4)
    assert (cell.band_before, cell.band_after, cell.band_changed) == ("weak", "strong", True)
    assert cell.change.ci[0] <= 1.2 <= cell.change.ci[1]
    assert cell.change.p_value < 0.05
    overall = result.overall["respondent_weighted"]
    assert overall.difference == pytest.approx(1.2)
    assert result.overall["role_balanced"].difference == pytest.approx(1.2)


def test_no_change_gives_large_p_value():
    frame = waves([3, 4, 5, 3, 4, 5], [5, 4, 3, 5, 4, 3])
    result = compare_waves(
        frame, before="w1", after="w2", settings=RCSettings(bootstrap=0, seed=2), permutations=300
    )
    cell = result.cell("A", "B")
    assert cell.change.difference == 0
    assert cell.change.p_value > 0.5
    assert not cell.band_changed


def test_cell_hidden_in_either_wave_is_hidden_in_the_comparison():
    frame = waves([4, 4, 4, 4, 4], [4, 4, 4])
    result = compare_waves(
        frame, before="w1", after="w2", settings=RCSettings(bootstrap=0, seed=1), permutations=0
    )
    cell = result.cell("A", "B")
    assert cell.change.suppressed
    assert cell.change.reason == "fewer than 5 respondents"
    assert cell.change.before is None
    assert cell.change.after is None
    assert result.overall["respondent_weighted"].suppressed


def test_compare_validates_arguments():
    frame = waves([4] * 5, [4] * 5)
    with pytest.raises(ValueError, match="different"):
        compare_waves(frame, before="w1", after="w1")
    with pytest.raises(ValueError, match="wave column"):
        compare_waves(frame.drop(columns="wave"), before="w1", after="w2")
    with pytest.raises(ValueError, match="not found"):
        compare_waves(frame, before="w1", after="w9")


def test_compare_json_is_reproducible_with_a_seed():
    rng = np.random.default_rng(0)
    frame = waves(rng.integers(2, 6, 12).tolist(), rng.integers(2, 6, 12).tolist())
    options = RCSettings(bootstrap=100, seed=9)
    first = compare_waves(frame, before="w1", after="w2", settings=options, permutations=100)
    second = compare_waves(frame, before="w1", after="w2", settings=options, permutations=100)
    assert first.to_dict() == second.to_dict()
    assert first.to_dict()["settings"]["permutations"] == 100

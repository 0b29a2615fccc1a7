"""Tests for the matched-versus-held-out comparison (bridgework.analysis.evaluation)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.analysis.evaluation import (
    compare_rc_change,
    compare_tie_formation,
    newcombe_interval,
    rc_changes,
    small_numbers_caution,
    wilson_interval,
)


def test_wilson_interval_matches_hand_computation():
    # 4/10 at 95 %: centre (0.4 + z²/20)/(1 + z²/10), half-width by the Wilson formula.
    z = 1.959963984540054
    centre = (0.4 + z * z / 20) / (1 + z * z / 10)
    half = z * math.sqrt(0.024 + z * z / 400) / (1 + z * z / 10)
    low, high = wilson_interval(4, 10)
    assert low == pytest.approx(centre - half)
    assert high == pytest.approx(centre + half)
    assert (round(low, 4), round(high, 4)) == (0.1682, 0.6873)


def test_newcombe_interval_reproduces_the_published_example():
    # Newcombe (1998), Table II, example (a), method 10.
    low, high = newcombe_interval(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_all_matched_tie_and_no_held_out_tie_gives_fisher_p_of_one_tenth():
    # 2x2 table [[3, 0], [0, 3]]: P = 1 / C(6, 3) = 1/20 each tail, two-sided 0.1.
    result = compare_tie_formation([True] * 3, [False] * 3)
    assert result.difference == 1.0
    assert result.p_value == pytest.approx(0.1)
    assert result.treated_share == 1.0
    assert result.control_share == 0.0
    assert result.caution is not None
    assert "3 matched and 3 held-out" in result.caution


def test_identical_groups_have_no_difference_and_p_of_one():
    result = compare_tie_formation([True, False] * 20, [True, False] * 20)
    assert result.difference == 0.0
    assert result.p_value == pytest.approx(1.0)
    assert result.ci[0] < 0 < result.ci[1]
    assert result.caution is None


def test_empty_group_gives_no_figures_but_says_why():
    result = compare_tie_formation([True, False], [])
    assert result.difference is None
    assert result.ci is None
    assert result.p_value is None
    assert "no held-out people" in result.caution


def test_outcomes_must_be_booleans():
    with pytest.raises(ValueError, match="True or False"):
        compare_tie_formation([1, 0], [True])


def test_rc_change_exact_permutation_by_hand():
    # 5 choose 2 = 10 relabelings; only the observed split reaches |0.6|.
    result = compare_rc_change([0.5, 0.7], [0.0, 0.1, -0.1])
    assert result.difference == pytest.approx(0.6)
    assert result.exact
    assert result.p_value == pytest.approx(0.1)
    assert result.ci[0] <= 0.6 <= result.ci[1]
    assert "workgroup pairs" in result.caution


def test_rc_change_is_reproducible_with_a_seed_and_uses_monte_carlo_for_large_groups():
    rng = np.random.default_rng(3)
    a, b = rng.normal(0.3, 0.2, 60), rng.normal(0.0, 0.2, 60)
    first = compare_rc_change(a, b, seed=5, resamples=500)
    assert first == compare_rc_change(a, b, seed=5, resamples=500)
    assert not first.exact
    assert first.p_value == pytest.approx(1 / 501)  # a clear effect: no permutation reaches it
    assert first.caution is None


def test_rc_changes_split_bridged_cells_both_directions():
    before = {("a", "b"): 3.0, ("b", "a"): 3.5, ("a", "c"): 4.0}
    after = {("a", "b"): 3.4, ("b", "a"): 3.5, ("a", "c"): 3.9, ("c", "a"): 2.0}
    assert rc_changes(before, after, [("b", "a")]) == ([0.4, 0.0], [-0.1])


def test_small_numbers_caution_threshold():
    assert small_numbers_caution(30, 30) is None
    assert small_numbers_caution(29, 100) is not None
    assert "no matched" in small_numbers_caution(0, 5)


outcomes = st.lists(st.booleans(), min_size=1, max_size=60)


@settings(max_examples=80, deadline=None)
@given(outcomes, outcomes)
def test_interval_contains_the_difference_and_p_is_a_probability(matched, held_out):
    result = compare_tie_formation(matched, held_out)
    low, high = result.ci
    assert -1.0 <= low <= result.difference + 1e-12
    assert result.difference - 1e-12 <= high <= 1.0
    assert 0.0 <= result.p_value <= 1.0


@settings(max_examples=60, deadline=None)
@given(outcomes, outcomes)
def test_swapping_groups_mirrors_the_result(matched, held_out):
    one = compare_tie_formation(matched, held_out)
    two = compare_tie_formation(held_out, matched)
    assert one.difference == pytest.approx(-two.difference)
    assert one.ci[0] == pytest.approx(-two.ci[1])
    assert one.p_value == pytest.approx(two.p_value)


changes = st.lists(
    st.floats(-4, 4, allow_nan=False).map(lambda x: round(x, 2)), min_size=1, max_size=8
)


@settings(max_examples=50, deadline=None)
@given(changes, changes)
def test_exact_permutation_p_is_at_least_one_over_relabelings(bridged, other):
    result = compare_rc_change(bridged, other, resamples=200)
    assert result.exact
    assert 1 / math.comb(len(bridged) + len(other), len(bridged)) - 1e-12 <= result.p_value <= 1
    assert result.ci[0] <= result.difference <= result.ci[1]


@settings(max_examples=50, deadline=None)
@given(changes, changes, st.floats(-3, 3, allow_nan=False))
def test_shifting_every_change_leaves_the_difference(bridged, other, shift):
    one = compare_rc_change(bridged, other, resamples=100)
    two = compare_rc_change([x + shift for x in bridged], [x + shift for x in other], resamples=100)
    assert one.difference == pytest.approx(two.difference, abs=1e-9)

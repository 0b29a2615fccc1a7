"""Tests for bridgework.analysis.privacy: primary and complementary suppression."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.analysis.privacy import (
    Figure,
    Total,
    check_min_group_size,
    check_suppression,
    counts_to_hide,
    suppress,
)


def test_figures_under_min_group_size_are_suppressed_with_reason_and_no_values():
    result = suppress([Figure("a", 4, {"rc": 3.0}), Figure("b", 5, {"rc": 4.0})])
    assert result["a"].suppressed
    assert result["a"].values is None
    assert result["a"].reason == "fewer than 5 respondents"
    assert not result["b"].suppressed
    assert result["b"].values == {"rc": 4.0}


def test_empty_figure_reason_says_no_respondents():
    assert suppress([Figure("a", 0)])["a"].reason == "no respondents"


@pytest.mark.parametrize("size", [0, 1, 2, -5])
def test_min_group_size_below_three_raises(size):
    with pytest.raises(ValueError, match="at least 3"):
        suppress([Figure("a", 9)], min_group_size=size)
    with pytest.raises(ValueError, match="at least 3"):
        check_min_group_size(size)


@pytest.mark.parametrize("size", [101, 1000])
def test_min_group_size_above_one_hundred_raises(size):
    with pytest.raises(ValueError, match="at most 100"):
        check_min_group_size(size)
    with pytest.raises(ValueError, match="at most 100"):
        suppress([Figure("a", 9)], min_group_size=size)
    assert check_min_group_size(100) == 100


def test_min_group_size_three_is_allowed():
    assert suppress([Figure("a", 3)], min_group_size=3).visible("a")


def test_single_hidden_part_of_visible_total_forces_smallest_other_part_hidden():
    figures = [Figure("a", 2), Figure("b", 7), Figure("c", 6), Figure("t", 15)]
    result = suppress(figures, [Total("t", ("a", "b", "c"), label="the total")])
    assert [k for k, s in result.figures.items() if s.suppressed] == ["a", "c"]
    assert "the total" in result["c"].reason
    assert result.visible("t")
    assert check_suppression(result, [Total("t", ("a", "b", "c"))]) == []


def test_total_is_hidden_when_no_part_is_left_to_hide():
    result = suppress([Figure("a", 2), Figure("t", 9)], [Total("t", ("a",))])
    assert result["t"].suppressed
    assert "derived from it" in result["t"].reason


def test_two_hidden_disjoint_parts_under_minimum_together_force_another():
    # a + b rest on 2 + 2 = 4 < 5 respondents: the residue would still be too small.
    figures = [Figure("a", 2), Figure("b", 2), Figure("c", 8), Figure("d", 9), Figure("t", 21)]
    result = suppress(figures, [Total("t", ("a", "b", "c", "d"))])
    assert result["c"].suppressed
    assert not result["d"].suppressed


def test_overlapping_parts_count_only_largest_hidden_part():
    # Parts share respondents (disjoint=False): two hidden parts of 4 are still only ~4 people.
    figures = [Figure("a", 4), Figure("b", 4), Figure("c", 9), Figure("t", 9)]
    disjoint = suppress(figures, [Total("t", ("a", "b", "c"), disjoint=True)])
    shared = suppress(figures, [Total("t", ("a", "b", "c"), disjoint=False)])
    assert not disjoint["c"].suppressed
    assert shared["c"].suppressed


def test_pre_hidden_figure_counts_as_hidden():
    figures = [Figure("a", 9, hidden="hidden elsewhere"), Figure("b", 9), Figure("t", 18)]
    result = suppress(figures, [Total("t", ("a", "b"))])
    assert result["a"].reason == "hidden elsewhere"
    assert result["b"].suppressed


def test_cascading_totals_reach_a_fixed_point_without_leaks():
    # A 3x3 matrix with row and column totals and one tiny cell.
    counts = {(r, c): 6 + r + c for r in range(3) for c in range(3)}
    counts[(0, 0)] = 1
    figures = [Figure(key, n) for key, n in counts.items()]
    totals = []
    for i in range(3):
        figures += [Figure(("row", i), 30), Figure(("col", i), 30)]
        totals.append(Total(("row", i), tuple((i, c) for c in range(3))))
        totals.append(Total(("col", i), tuple((r, i) for r in range(3))))
    result = suppress(figures, totals)
    assert check_suppression(result, totals) == []
    hidden = {k for k, s in result.figures.items() if s.suppressed}
    assert (0, 0) in hidden
    assert len(hidden) >= 4


def test_duplicate_keys_and_unknown_parts_raise():
    with pytest.raises(ValueError, match="twice"):
        suppress([Figure("a", 5), Figure("a", 6)])
    with pytest.raises(ValueError, match="unknown figure"):
        suppress([Figure("t", 5)], [Total("t", ("x",))])


def test_results_are_frozen():
    result = suppress([Figure("a", 9, {"x": 1})])
    with pytest.raises(AttributeError):
        result["a"].suppressed = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        result["a"].values["x"] = 2  # type: ignore[index]


@st.composite
def _tables(draw):
    rows = draw(st.integers(1, 4))
    cols = draw(st.integers(1, 4))
    counts = draw(st.lists(st.integers(0, 12), min_size=rows * cols, max_size=rows * cols))
    figures, totals = [], []
    for index, n in enumerate(counts):
        figures.append(Figure((index // cols, index % cols), n, {"v": float(index)}))
    for r in range(rows):
        parts = tuple((r, c) for c in range(cols))
        n = sum(counts[r * cols : (r + 1) * cols])
        figures.append(Figure(("row", r), n, {"v": 1.0}))
        totals.append(Total(("row", r), parts, disjoint=draw(st.booleans())))
    for c in range(cols):
        parts = tuple((r, c) for r in range(rows))
        figures.append(Figure(("col", c), sum(counts[c::cols]), {"v": 1.0}))
        totals.append(Total(("col", c), parts))
    figures.append(Figure("all", sum(counts), {"v": 1.0}))
    totals.append(Total("all", tuple((r, c) for r in range(rows) for c in range(cols)), False))
    return figures, totals, draw(st.integers(3, 7))


@settings(max_examples=80, deadline=None)
@given(_tables())
def test_suppression_never_leaks(case):
    figures, totals, k = case
    result = suppress(figures, totals, min_group_size=k)
    assert check_suppression(result, totals) == []
    for shown in result.figures.values():
        if shown.count < k:
            assert shown.suppressed
            assert shown.values is None


@given(
    arrivals=st.lists(st.integers(0, 30), min_size=1, max_size=40),
    k=st.integers(3, 6),
)
@settings(max_examples=60, deadline=None, derandomize=True)
def test_stable_release_never_moves_on_fewer_than_the_minimum_new_respondents(arrivals, k):
    from bridgework.analysis.privacy import stable_release

    released: set[int] | None = None
    current: set[int] = set()
    for person in arrivals:
        current = current | {person}
        if stable_release(released, current, min_group_size=k):
            if released is not None and len(released) >= k:
                assert len(current - released) >= k
            released = set(current)
    assert released is not None


def test_stable_release_holds_a_figure_that_only_lost_respondents():
    from bridgework.analysis.privacy import stable_release

    assert not stable_release({1, 2, 3, 4}, {1, 2, 3}, min_group_size=3)
    assert not stable_release({1, 2, 3}, {1, 2, 3}, min_group_size=3)


def test_counts_to_hide_keeps_people_who_did_not_answer_in_the_hidden_pool():
    sizes = {"tiny": 2, "full": 6, "big": 20}
    counts = {"tiny": 2, "full": 6, "big": 12}
    hidden = counts_to_hide(counts, min_group_size=3, sizes=sizes)
    assert hidden == {"tiny", "full", "big"}  # tiny and full alone: everyone in them answered
    assert counts_to_hide(counts, min_group_size=3) == {"tiny", "full"}

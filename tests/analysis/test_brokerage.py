"""Gould–Fernandez brokerage: a hand-worked graph, edge cases, and a brute-force oracle."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.analysis import brokerage as brokerage_module
from bridgework.analysis.brokerage import BROKERAGE_ROLES, brokerage_counts

# Groups: A = {0, 1}, B = {2, 3, 5}, C = {4}, D = {6}.
GROUPS = np.array([0, 0, 1, 1, 2, 1, 3])
ARCS = [(0, 1), (1, 0), (1, 2), (0, 2), (2, 3), (3, 4), (4, 2), (3, 5), (4, 6)]


def _counts(arcs, groups):
    source = np.array([a for a, _ in arcs], dtype=np.int64)
    target = np.array([b for _, b in arcs], dtype=np.int64)
    return brokerage_counts(len(groups), source, target, np.asarray(groups))


def test_hand_worked_graph_gives_each_role():
    # Open two-paths worked by hand (a → b → c with no a → c):
    #   through 2: 1→2→3, 4→2→3, 0→2→3   (outsider into B)      gatekeeper × 3
    #   through 3: 2→3→4 (B, B, C) representative; 2→3→5 (B, B, B) coordinator
    #   through 4: 3→4→2 (B, C, B) itinerant;       3→4→6 (B, C, D) liaison
    # Closed or degenerate, not counted: 0→1→2 and 1→0→2 (closed), 0→1→0 and 1→0→1 (a = c).
    result = _counts(ARCS, GROUPS)
    expected = {
        2: {"gatekeeper": 3},
        3: {"representative": 1, "coordinator": 1},
        4: {"itinerant": 1, "liaison": 1},
    }
    for person in range(len(GROUPS)):
        want = dict.fromkeys(BROKERAGE_ROLES, 0) | expected.get(person, {})
        want["total"] = sum(want.values())
        assert result.of(person) == want
    assert result.total.tolist() == [0, 0, 3, 2, 2, 0, 0]


def test_two_paths_through_people_without_a_group_are_not_counted():
    groups = GROUPS.copy()
    groups[4] = -1
    result = _counts(ARCS, groups)
    assert result.total[4] == 0
    assert result.of(2)["gatekeeper"] == 2  # 4→2→3 no longer counts
    assert result.of(3) == {**result.of(3), "representative": 0, "coordinator": 1}


def test_empty_graph_has_no_brokerage():
    result = brokerage_counts(3, np.array([], int), np.array([], int), np.zeros(3, int))
    assert result.counts.shape == (3, 5)
    assert result.total.sum() == 0


def _brute_force(n, arcs, groups):
    arc_set = set(arcs)
    counts = np.zeros((n, 5), dtype=np.int64)
    for a, b, c in itertools.permutations(range(n), 3):
        if (a, b) in arc_set and (b, c) in arc_set and (a, c) not in arc_set:
            ga, gb, gc = groups[a], groups[b], groups[c]
            if min(ga, gb, gc) < 0:
                continue
            if ga == gb == gc:
                role = "coordinator"
            elif ga == gc:
                role = "itinerant"
            elif ga == gb:
                role = "representative"
            elif gb == gc:
                role = "gatekeeper"
            else:
                role = "liaison"
            counts[b, BROKERAGE_ROLES.index(role)] += 1
    return counts


@st.composite
def _graphs(draw):
    n = draw(st.integers(2, 9))
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    arcs = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    groups = draw(st.lists(st.integers(-1, 3), min_size=n, max_size=n))
    return n, arcs, groups


@settings(max_examples=80, deadline=None)
@given(_graphs())
def test_matches_brute_force_enumeration(graph):
    n, arcs, groups = graph
    assert np.array_equal(_counts(arcs, groups).counts, _brute_force(n, arcs, groups))


@settings(max_examples=30, deadline=None)
@given(_graphs())
def test_small_chunks_give_the_same_counts(graph):
    _n, arcs, groups = graph
    whole = _counts(arcs, groups).counts
    saved = brokerage_module._CHUNK
    brokerage_module._CHUNK = 1
    try:
        chunked = _counts(arcs, groups).counts
    finally:
        brokerage_module._CHUNK = saved
    assert np.array_equal(whole, chunked)

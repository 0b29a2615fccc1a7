"""Weaving opportunities: untied pairs across groups who share contacts, ranked."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.analysis.network_measures import build_tie_graph
from bridgework.analysis.weaving import weaving_opportunities


def _graph(ids, arcs):
    noms = pd.DataFrame(
        {"ego": [a for a, _ in arcs], "alter": [b for _, b in arcs], "relation": "x", "weight": 1.0}
    )
    return build_tie_graph(ids, noms)


IDS = ["a", "b", "c", "d", "e", "f"]
# a (X) and d (Y) share b and c; a and e (Y) share b; b and c are tied to each other.
ARCS = [("a", "b"), ("c", "a"), ("b", "d"), ("d", "c"), ("e", "b"), ("b", "c"), ("f", "a")]
CODES = np.array([0, 0, 1, 1, 1, 0])
NAMES = ("X", "Y")


def test_pairs_are_ranked_by_shared_contacts():
    result = weaving_opportunities(_graph(IDS, ARCS), CODES, NAMES)
    first = result[0]
    assert (first.a, first.b, first.shared, first.shared_contacts) == ("a", "d", ("b", "c"), 2)
    assert (first.group_a, first.group_b) == ("X", "Y")
    assert all(r.shared_contacts <= first.shared_contacts for r in result)


def test_same_group_and_already_tied_pairs_are_never_suggested():
    result = weaving_opportunities(_graph(IDS, ARCS), CODES, NAMES)
    pairs = {(r.a, r.b) for r in result}
    assert ("a", "f") not in pairs
    assert ("b", "e") not in pairs
    for r in result:
        assert r.group_a != r.group_b


def test_limit_and_min_shared_cut_the_list():
    graph = _graph(IDS, ARCS)
    assert len(weaving_opportunities(graph, CODES, NAMES, limit=1)) == 1
    strong = weaving_opportunities(graph, CODES, NAMES, min_shared=2)
    assert [(r.a, r.b) for r in strong] == [("a", "d")]


def test_people_without_a_group_are_not_suggested():
    codes = CODES.copy()
    codes[3] = -1
    result = weaving_opportunities(_graph(IDS, ARCS), codes, NAMES)
    assert all("d" not in (r.a, r.b) for r in result)


@st.composite
def _graphs(draw):
    n = draw(st.integers(3, 10))
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    arcs = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    codes = draw(st.lists(st.integers(-1, 2), min_size=n, max_size=n))
    return n, arcs, np.array(codes)


@settings(max_examples=60, deadline=None)
@given(_graphs())
def test_every_suggestion_is_untied_cross_group_with_true_shared_contacts(data):
    n, arcs, codes = data
    ids = [f"p{i}" for i in range(n)]
    graph = _graph(ids, [(ids[a], ids[b]) for a, b in arcs])
    neighbours = {i: set() for i in ids}
    for a, b in arcs:
        neighbours[ids[a]].add(ids[b])
        neighbours[ids[b]].add(ids[a])
    result = weaving_opportunities(graph, codes, ("g0", "g1", "g2"), limit=1000)
    expected = {
        (x, y)
        for i, x in enumerate(ids)
        for j, y in enumerate(ids)
        if i < j
        and codes[i] >= 0
        and codes[j] >= 0
        and codes[i] != codes[j]
        and y not in neighbours[x]
        and neighbours[x] & neighbours[y]
    }
    assert {(r.a, r.b) for r in result} == expected
    for r in result:
        assert set(r.shared) == neighbours[r.a] & neighbours[r.b]
    keys = [(-r.shared_contacts, r.groups_density) for r in result]
    assert keys == sorted(keys)

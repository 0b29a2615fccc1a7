"""Exact and scalable solvers: oracle agreement, validity, and the 97% quality bar."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.matching import Policy, pair
from bridgework.matching.candidates import build_candidates
from bridgework.matching.exact import exact_matching
from bridgework.matching.instance import compile_instance, pair_keys
from bridgework.matching.scalable import scalable_matching
from tests.matching.builders import ROUND, programme


@st.composite
def graphs(draw):
    m = draw(st.integers(2, 24))
    edges = draw(st.sets(st.tuples(st.integers(0, m - 1), st.integers(0, m - 1)), max_size=60))
    edges = sorted({(min(a, b), max(a, b)) for a, b in edges if a != b})
    weights = draw(st.lists(st.integers(1, 10_000), min_size=len(edges), max_size=len(edges)))
    u = np.array([a for a, _ in edges], dtype=np.int64)
    v = np.array([b for _, b in edges], dtype=np.int64)
    return m, u, v, np.array(weights, dtype=np.int64)


def _is_matching(mate: np.ndarray, u, v) -> bool:
    edges = set(zip(u.tolist(), v.tolist(), strict=True))
    for i, j in enumerate(mate.tolist()):
        if j >= 0 and (mate[j] != i or (min(i, j), max(i, j)) not in edges):
            return False
    return True


def _weight(mate, u, v, w, m):
    keys = dict(zip(pair_keys(u, v, m).tolist(), w.tolist(), strict=True))
    i = np.flatnonzero(mate > np.arange(m))
    return sum(keys[k] for k in pair_keys(i, mate[i], m).tolist())


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_exact_agrees_with_the_networkx_oracle(graph):
    m, u, v, w = graph
    mate = exact_matching(m, u, v, w)
    g = nx.Graph()
    g.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist(), strict=True))
    oracle = nx.max_weight_matching(g, maxcardinality=True)
    assert _is_matching(mate, u, v)
    assert int((mate >= 0).sum()) == 2 * len(oracle)
    assert _weight(mate, u, v, w, m) == sum(g[a][b]["weight"] for a, b in oracle)


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_scalable_returns_a_valid_maximal_matching(graph):
    m, u, v, w = graph
    mate = scalable_matching(m, u, v, w)
    assert _is_matching(mate, u, v)
    free = mate < 0
    assert not np.any(free[u] & free[v])  # maximal: no edge between two free people


def test_scalable_finds_the_maximum_cardinality_greedy_misses():
    u, v, w = np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([1, 5, 1])
    assert scalable_matching(4, u, v, w).tolist() == [1, 0, 3, 2]


def test_scalable_reaches_97_percent_of_exact_on_random_programmes():
    for n, seed in [(400, 1), (800, 2), (1500, 3)]:
        people = programme(n, seed)
        weak = [("wg 0", "wg 1"), ("wg 2", "wg 3")]
        exact = pair(people, weak_ties=weak, seed=seed, round_date=ROUND, solver="exact")
        fast = pair(people, weak_ties=weak, seed=seed, round_date=ROUND, solver="scalable")
        assert fast.total_score >= 0.97 * exact.total_score, (n, seed)
        assert fast.stats.matched >= 0.99 * exact.stats.matched


def test_candidate_graph_is_sparse_feasible_and_keeps_everyone_reachable():
    people = programme(3000, 4)
    inst = compile_instance(people, policy=Policy(best_candidates=6), round_date=ROUND)
    graph = build_candidates(inst, np.arange(3000), np.random.default_rng(0))
    assert len(graph.u) < 3000 * 12
    assert np.all(graph.u < graph.v)
    assert len(np.unique(pair_keys(graph.u, graph.v, 3000))) == len(graph.u)
    degree = np.bincount(np.concatenate((graph.u, graph.v)), minlength=3000)
    assert degree.min() >= 1
    from bridgework.matching.rules import feasible

    assert feasible(inst, graph.people[graph.u], graph.people[graph.v]).all()


def test_candidate_graph_is_complete_for_small_rounds():
    people = programme(40, 5)
    inst = compile_instance(people, round_date=ROUND)
    graph = build_candidates(inst, np.arange(40), np.random.default_rng(0))
    from bridgework.matching.rules import feasible

    u, v = np.triu_indices(40, 1)
    assert len(graph.u) == int(feasible(inst, u, v).sum())

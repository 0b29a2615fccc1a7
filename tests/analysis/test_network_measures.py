"""Per-person measures: hand-worked small graphs, and networkx as an independent oracle."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.analysis.network_measures import (
    betweenness,
    build_tie_graph,
    constraint,
    effective_size,
    ei_index,
    group_codes,
    k_core,
    leiden_communities,
    local_clustering,
    weak_components,
)


def _graph(arcs, n=None, weights=None, relation="works_with"):
    n = n if n is not None else 1 + max(max(a, b) for a, b in arcs)
    ids = [str(i) for i in range(n)]
    noms = pd.DataFrame(
        {
            "ego": [str(a) for a, _ in arcs],
            "alter": [str(b) for _, b in arcs],
            "relation": relation,
            "weight": weights if weights is not None else [1.0] * len(arcs),
        }
    )
    return build_tie_graph(ids, noms)


def _both_ways(edges):
    return [(a, b) for a, b in edges] + [(b, a) for a, b in edges]


STAR = _both_ways([(0, 1), (0, 2), (0, 3)])
TRIANGLE = _both_ways([(0, 1), (1, 2), (0, 2)])


def test_build_merges_relations_by_largest_weight_and_filters_one_relation():
    noms = pd.DataFrame(
        {
            "ego": ["a", "a", "b"],
            "alter": ["b", "b", "a"],
            "relation": ["trust", "energy", "trust"],
            "weight": [2.0, 5.0, 3.0],
        }
    )
    merged = build_tie_graph(["a", "b"], noms)
    assert (merged.m, sorted(merged.weight.tolist())) == (2, [3.0, 5.0])
    trust = build_tie_graph(["a", "b"], noms, relation="TRUST")
    assert trust.m == 2
    assert trust.weight[trust.source == 0].tolist() == [2.0]


def test_build_rejects_unknown_people():
    noms = pd.DataFrame({"ego": ["a"], "alter": ["z"], "relation": ["x"], "weight": [1.0]})
    with pytest.raises(ValueError, match="not in the people table"):
        build_tie_graph(["a"], noms)


def test_star_centre_has_all_betweenness_and_low_constraint():
    graph = _graph(STAR)
    # Six ordered leaf pairs, each with its only shortest path through the centre.
    assert betweenness(graph).tolist() == [6.0, 0.0, 0.0, 0.0]
    # Centre invests 1/3 in each of three unconnected contacts: 3 × (1/3)² = 1/3.
    assert constraint(graph) == pytest.approx([1 / 3, 1.0, 1.0, 1.0])
    assert effective_size(graph) == pytest.approx([3.0, 1.0, 1.0, 1.0])
    assert local_clustering(graph).tolist() == [0.0, 0.0, 0.0, 0.0]


def test_directed_path_counts_one_path_through_the_middle():
    assert betweenness(_graph([(0, 1), (1, 2)])).tolist() == [0.0, 1.0, 0.0]


def test_triangle_is_closed_and_redundant():
    graph = _graph(TRIANGLE)
    assert local_clustering(graph).tolist() == [1.0, 1.0, 1.0]
    assert k_core(graph).tolist() == [2, 2, 2]
    # Borgatti: n − 2t/n = 2 − 2·1/2 = 1.
    assert effective_size(graph) == pytest.approx([1.0, 1.0, 1.0])
    # (1/2 + 1/2·1/2)² per contact, two contacts: 2 × 0.5625.
    assert constraint(graph) == pytest.approx([1.125] * 3)


def test_isolates_have_undefined_burt_measures():
    graph = _graph([(0, 1)], n=3)
    assert math.isnan(constraint(graph)[2])
    assert math.isnan(effective_size(graph)[2])
    assert k_core(graph)[2] == 0


def test_k_core_of_clique_with_pendant():
    clique = [(a, b) for a in range(4) for b in range(4) if a < b]
    graph = _graph([*clique, (3, 4)])
    assert k_core(graph).tolist() == [3, 3, 3, 3, 1]


def test_ei_index_counts_contacts_in_either_direction():
    graph = _graph([(0, 1), (0, 2), (3, 0), (2, 1)], n=5)
    codes = np.array([0, 0, 1, 1, -1])
    values = ei_index(graph, codes)
    # Person 0: contacts 1 (same), 2 and 3 (other): (2 − 1) / 3.
    assert values[0] == pytest.approx(1 / 3)
    assert values[1] == pytest.approx(0.0)  # 0 same, 2 other
    assert values[3] == pytest.approx(1.0)
    assert math.isnan(values[4])


def test_group_codes_sort_names_and_mark_blanks():
    codes, names = group_codes(["b", "", "a", "b"])
    assert names == ("a", "b")
    assert codes.tolist() == [1, -1, 0, 1]


def _two_cliques():
    left = [(a, b) for a in range(5) for b in range(5) if a < b]
    right = [(a + 5, b + 5) for a, b in left]
    return _graph(_both_ways([*left, *right, (4, 5)]), n=11)


def test_leiden_finds_two_cliques_not_singletons_and_leaves_isolates_out():
    communities = leiden_communities(_two_cliques(), seed=3)
    membership = communities.membership.tolist()
    assert communities.count == 2
    assert not communities.singletons_only
    assert len(set(membership[:5])) == 1
    assert len(set(membership[5:10])) == 1
    assert membership[0] != membership[5]
    assert membership[10] == -1
    assert communities.modularity > 0.3


def test_leiden_is_deterministic_for_a_seed():
    graph = _two_cliques()
    first = leiden_communities(graph, seed=7).membership
    assert np.array_equal(first, leiden_communities(graph, seed=7).membership)


def test_weak_components_are_numbered_by_size():
    graph = _graph([(3, 4), (4, 5), (0, 1)], n=7)
    assert weak_components(graph).tolist() == [1, 1, 2, 0, 0, 0, 3]


@st.composite
def _random_graphs(draw):
    n = draw(st.integers(3, 12))
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    arcs = draw(st.lists(st.sampled_from(pairs), unique=True, min_size=1, max_size=len(pairs)))
    weights = draw(st.lists(st.integers(1, 5), min_size=len(arcs), max_size=len(arcs)))
    return n, arcs, [float(w) for w in weights]


def _nx(n, arcs, weights):
    digraph = nx.DiGraph()
    digraph.add_nodes_from(range(n))
    for (a, b), w in zip(arcs, weights, strict=True):
        digraph.add_edge(a, b, weight=w)
    return digraph


@settings(max_examples=60, deadline=None)
@given(_random_graphs())
def test_measures_match_networkx(graph_data):
    n, arcs, weights = graph_data
    graph = _graph(arcs, n=n, weights=weights)
    oracle = _nx(n, arcs, weights)
    expected = nx.betweenness_centrality(oracle, normalized=False)
    assert betweenness(graph) == pytest.approx([expected[i] for i in range(n)])
    # networkx leaves Burt's measures undefined for people with no outgoing tie.
    with_out = [i for i in range(n) if oracle.out_degree(i) > 0]
    # Per-node form on purpose: it is Burt's formula as written. The all-nodes sparse shortcut
    # in networkx 3.6 divides by the wrong row's maximum on asymmetric weights.
    nx_constraint = nx.constraint(oracle, nodes=list(range(n)), weight="weight")
    nx_size = nx.effective_size(oracle, nodes=list(range(n)), weight="weight")
    ours_c, ours_s = constraint(graph), effective_size(graph)
    for i in with_out:
        assert ours_c[i] == pytest.approx(nx_constraint[i])
        assert ours_s[i] == pytest.approx(nx_size[i])
    undirected = oracle.to_undirected()
    clustering = nx.clustering(undirected)
    assert local_clustering(graph) == pytest.approx([clustering[i] for i in range(n)])
    cores = nx.core_number(undirected)
    assert k_core(graph).tolist() == [cores[i] for i in range(n)]


@settings(max_examples=60, deadline=None)
@given(_random_graphs())
def test_symmetric_binary_effective_size_matches_borgatti_formula(graph_data):
    n, arcs, _ = graph_data
    arcs = sorted(set(arcs) | {(b, a) for a, b in arcs})
    graph = _graph(arcs, n=n)
    undirected = _nx(n, arcs, [1.0] * len(arcs)).to_undirected()
    expected = nx.effective_size(undirected)  # Borgatti's n − 2t/n branch
    ours = effective_size(graph)
    for i in range(n):
        if undirected.degree(i):
            assert ours[i] == pytest.approx(expected[i])


def test_parallel_betweenness_equals_the_serial_count():
    """Large networks split Brandes' sources across processes; the sums must be identical."""
    import igraph as ig
    import numpy as np

    from bridgework.analysis import network_measures

    n = network_measures.PARALLEL_BETWEENNESS_MIN_PEOPLE
    random_graph = ig.Graph.Erdos_Renyi(n=n, m=4 * n, directed=True)
    edges = np.array(random_graph.get_edgelist())
    graph = network_measures.TieGraph(
        ids=tuple(str(i) for i in range(n)),
        source=edges[:, 0],
        target=edges[:, 1],
        weight=np.ones(len(edges)),
    )
    serial = np.asarray(random_graph.betweenness(directed=True))
    assert np.allclose(network_measures.betweenness(graph), serial)

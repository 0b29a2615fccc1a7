"""The candidate graph and the solver give the same answers however their work is sliced."""

from __future__ import annotations

import numpy as np
import pytest

from bridgework.matching import candidates
from bridgework.matching.candidates import _prune, build_candidates
from bridgework.matching.instance import compile_instance
from bridgework.matching.scalable import scalable_matching
from tests.matching.builders import ROUND, programme


def _reference_prune(u, v, score, keep, k):
    """Each node's k best edges (score descending, then edge position), one node at a time."""
    chosen = keep.copy()
    for node in range(int(max(u.max(), v.max())) + 1):
        edges = np.flatnonzero((u == node) | (v == node))
        best = sorted(edges.tolist(), key=lambda e: (-int(score[e]), e))[:k]
        chosen[best] = True
    return chosen


@pytest.mark.parametrize("slice_size", [1, 7, 64, 1 << 21])
def test_pruning_by_node_ranges_keeps_each_nodes_best_edges(monkeypatch, slice_size):
    rng = np.random.default_rng(3)
    u = rng.integers(0, 60, size=900)
    v = (u + rng.integers(1, 60, size=900)) % 60
    score = rng.integers(-5, 40, size=900).astype(np.int32)  # ties and negatives too
    keep = rng.random(900) < 0.1
    monkeypatch.setattr(candidates, "_SLICE", slice_size)
    got = _prune(u.astype(np.int32), v.astype(np.int32), score, keep, 3)
    assert got.tolist() == _reference_prune(u, v, score, keep, 3).tolist()


def test_the_graph_does_not_depend_on_the_slice_size(monkeypatch):
    people = programme(3000, 11)
    inst = compile_instance(people, history=[], round_date=ROUND)
    whole = build_candidates(inst, np.arange(3000), np.random.default_rng(5))
    monkeypatch.setattr(candidates, "_SLICE", 997)
    sliced = build_candidates(inst, np.arange(3000), np.random.default_rng(5))
    for name in ("u", "v", "score"):
        assert np.array_equal(getattr(whole, name), getattr(sliced, name)), name
    assert whole.u.dtype == np.int32
    assert whole.score.dtype == np.int32
    # Unique pairs u < v in key order, as the solver's tie-break expects.
    keys = whole.u.astype(np.int64) * 3000 + whole.v
    assert (np.diff(keys) > 0).all()


def test_the_solver_gives_the_same_matching_from_32_and_64_bit_arrays():
    people = programme(3000, 12)
    inst = compile_instance(people, round_date=ROUND)
    graph = build_candidates(inst, np.arange(3000), np.random.default_rng(1))
    narrow = scalable_matching(graph.size, graph.u, graph.v, graph.score)
    wide = scalable_matching(
        graph.size,
        graph.u.astype(np.int64),
        graph.v.astype(np.int64),
        graph.score.astype(np.int64),
    )
    assert narrow.dtype == np.int64
    assert narrow.tolist() == wide.tolist()
    assert (narrow >= 0).sum() >= 2990

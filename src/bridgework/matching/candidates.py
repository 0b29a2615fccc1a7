"""The sparse candidate graph: each person's best few partners plus random ones.

Scoring all n² pairs of a national programme is impossible (10¹² pairs for a million people),
and unnecessary: a good partner is someone who meets the high-weight preferences, and those
are *blocks* of people — another organisation, a workgroup with a weak RC tie to yours, your
location, your time zone, people sharing an interest. So every person draws a few partners at
random from each block that would serve them (vectorised: sort people by block once, then pick
uniform positions inside the block), plus partners uniformly from everyone. The pool is
filtered by the hard rules, scored, and pruned to each person's ``best_candidates`` highest
scoring edges; ``random_candidates`` random rings are kept whatever their score, so the graph
stays connected and almost surely has a perfect matching (a ring has one), which is what lets
the solvers match everybody.

Below ``Policy.dense_below`` people every feasible pair is a candidate, so small rounds are
solved over the complete graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bridgework.matching.instance import Instance, pair_keys
from bridgework.matching.rules import feasible
from bridgework.matching.scoring import pair_scores

__all__ = ["CandidateGraph", "build_candidates"]

_POOL_UNIFORM = 2
_POOL_CROSS_ORGANISATION = 2
_POOL_WEAK_BRIDGE = 2
_POOL_LOCATION = 2
_POOL_TIME_ZONE = 1
_POOL_INTEREST = 2


@dataclass(frozen=True)
class CandidateGraph:
    """Candidate pairs over ``people`` (instance indices); ``u``, ``v`` index into ``people``.

    ``score`` is each edge's score in thousandths of a point; edges are unique, ``u < v``.
    """

    people: np.ndarray
    u: np.ndarray
    v: np.ndarray
    score: np.ndarray

    @property
    def size(self) -> int:
        """Number of people (nodes)."""
        return len(self.people)


def _block_index(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Members sorted by group, and each group's start and count (groups are 0..G-1)."""
    order = np.argsort(groups, kind="stable")
    size = int(groups.max(initial=-1)) + 1
    counts = np.bincount(groups, minlength=size)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return order, starts, counts


def _draw_same(
    members: np.ndarray, groups: np.ndarray, rng: np.random.Generator, times: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each ``(members[k], groups[k])``, ``times`` random members of the same group."""
    keep = groups >= 0
    members, groups = members[keep], groups[keep]
    if len(members) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order, starts, counts = _block_index(groups)
    sorted_members = members[order]
    src = np.tile(members, times)
    g = np.tile(groups, times)
    pick = starts[g] + (rng.random(len(g)) * counts[g]).astype(np.int64)
    return src, sorted_members[pick]


def _draw_other(
    groups: np.ndarray, rng: np.random.Generator, times: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each person, ``times`` random people from a *different* group (all groups >= 0)."""
    m = len(groups)
    order, starts, counts = _block_index(groups)
    src = np.tile(np.arange(m), times)
    g = np.tile(groups, times)
    outside = m - counts[g]
    has = outside > 0
    src, g, outside = src[has], g[has], outside[has]
    position = (rng.random(len(g)) * outside).astype(np.int64)
    position += np.where(position >= starts[g], counts[g], 0)
    return src, order[position]


def _draw_bridges(
    inst: Instance, people: np.ndarray, rng: np.random.Generator, times: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each person, partners from workgroups whose RC with theirs is weak."""
    if len(inst.weak_workgroups) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    w = inst.n_workgroups
    first, second = inst.weak_workgroups // w, inst.weak_workgroups % w
    own = np.concatenate((first, second))
    other = np.concatenate((second, first))
    pairs = np.unique(own * w + other)
    own, other = pairs // w, pairs % w
    partner_start = np.searchsorted(own, np.arange(w))
    partner_count = np.searchsorted(own, np.arange(w), side="right") - partner_start
    group = inst.workgroup[people].astype(np.int64)
    member_order, member_start, member_count = _block_index(np.where(group >= 0, group, w))
    has = (group >= 0) & (partner_count[np.maximum(group, 0)] > 0)
    src = np.tile(np.flatnonzero(has), times)
    g = group[src]
    chosen = other[partner_start[g] + (rng.random(len(g)) * partner_count[g]).astype(np.int64)]
    available = member_count[chosen] > 0
    src, chosen = src[available], chosen[available]
    pick = member_start[chosen] + (rng.random(len(chosen)) * member_count[chosen]).astype(np.int64)
    return src, member_order[pick]


def _pool(
    inst: Instance, people: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    m = len(people)
    local = np.arange(m)
    sources: list[tuple[np.ndarray, np.ndarray]] = []
    uniform = np.zeros(m, dtype=np.int64)
    sources.append(_draw_same(local, uniform, rng, _POOL_UNIFORM))
    sources.append(
        _draw_other(inst.organisation[people].astype(np.int64) + 1, rng, _POOL_CROSS_ORGANISATION)
    )
    sources.append(_draw_bridges(inst, people, rng, _POOL_WEAK_BRIDGE))
    in_person = (inst.mode_bits[people] & 1) != 0
    location = np.where(in_person, inst.location[people], -1).astype(np.int64)
    sources.append(_draw_same(local, location, rng, _POOL_LOCATION))
    tz = inst.tz_minutes[people]
    tz_group = np.where(np.isnan(tz), -1, np.round(np.nan_to_num(tz) / 60.0) + 14 * 2).astype(
        np.int64
    )
    sources.append(_draw_same(local, tz_group, rng, _POOL_TIME_ZONE))
    words = inst.interest_words[people]
    if words.shape[1]:
        bits = np.unpackbits(words.view(np.uint8).reshape(m, -1), axis=1, bitorder="little")
        owner, code = np.nonzero(bits)
        if len(owner):
            # Per interest a person holds, random others who hold it too.
            sources.append(_draw_same(owner, code.astype(np.int64), rng, _POOL_INTEREST))
    src = np.concatenate([s for s, _ in sources])
    dst = np.concatenate([d for _, d in sources])
    return src, dst


def _rings(m: int, rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    src, dst = [], []
    for _ in range(count):
        perm = rng.permutation(m)
        src.append(perm)
        dst.append(np.roll(perm, -1))
    if not src:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(src), np.concatenate(dst)


def _unique_feasible(
    inst: Instance, people: np.ndarray, src: np.ndarray, dst: np.ndarray, flag: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = len(people)
    keep = src != dst
    src, dst, flag = src[keep], dst[keep], flag[keep]
    # One sort: key * 2 + (not ring), so each pair's ring copy (if any) comes first.
    tagged = np.sort(pair_keys(src, dst, m) * 2 + (~flag).astype(np.int64))
    keys, flag = tagged >> 1, (tagged & 1) == 0
    first = np.r_[True, keys[1:] != keys[:-1]]
    keys, flag = keys[first], flag[first]
    u, v = keys // m, keys % m
    ok = feasible(inst, people[u], people[v])
    return u[ok], v[ok], flag[ok]


def _prune(u: np.ndarray, v: np.ndarray, score: np.ndarray, keep: np.ndarray, k: int) -> np.ndarray:
    """Edges among each endpoint's ``k`` best, or already marked in ``keep``."""
    e = np.arange(len(u))
    node = np.concatenate((u, v)).astype(np.int64)
    edge = np.concatenate((e, e))
    value = np.concatenate((score, score))
    # One integer sort key: node, then descending score, then edge (unique keys, so the
    # faster unstable sort gives one deterministic order).
    top = int(value.max(initial=0)) + 1
    nodes = int(node.max(initial=0)) + 1
    if nodes * top * max(len(u), 1) < 1 << 62:
        order = np.argsort((node * top + (top - 1 - value)) * len(u) + edge)
    else:
        order = np.lexsort((edge, -value, node))
    node, edge = node[order], edge[order]
    start = np.searchsorted(node, node)
    best = (np.arange(len(node)) - start) < k
    chosen = keep.copy()
    chosen[edge[best]] = True
    return chosen


def build_candidates(
    inst: Instance, people: np.ndarray, rng: np.random.Generator
) -> CandidateGraph:
    """Candidate graph over ``people`` (see the module docstring).

    Parameters
    ----------
    inst : Instance
    people : ndarray of int
        Instance indices of the people to match (holdout already removed).
    rng : numpy.random.Generator
        Seeded; the graph is a pure function of the instance, ``people`` and this generator.

    Returns
    -------
    CandidateGraph

    Examples
    --------
    >>> from bridgework.matching.instance import compile_instance
    >>> from bridgework.matching.model import Participant
    >>> inst = compile_instance([Participant(str(i), "XY"[i % 2]) for i in range(4)])
    >>> graph = build_candidates(inst, np.arange(4), np.random.default_rng(0))
    >>> len(graph.u)  # small rounds: every feasible pair
    6

    Notes
    -----
    O(n (d log n + log e)) time and O(n d) memory for n people and d ≈ 13 draws per person;
    never O(n²) above ``dense_below``.
    """
    policy = inst.policy
    people = np.asarray(people, dtype=np.int64)
    m = len(people)
    if m < 2:
        empty = np.empty(0, np.int64)
        return CandidateGraph(people, empty, empty, empty)
    if m <= policy.dense_below:
        src, dst = np.triu_indices(m, k=1)
        u, v, _ = _unique_feasible(inst, people, src, dst, np.zeros(len(src), dtype=bool))
        return CandidateGraph(people, u, v, pair_scores(inst, people[u], people[v]))
    ring_src, ring_dst = _rings(m, rng, policy.random_candidates)
    pool_src, pool_dst = _pool(inst, people, rng)
    src = np.concatenate((ring_src, pool_src))
    dst = np.concatenate((ring_dst, pool_dst))
    flag = np.zeros(len(src), dtype=bool)
    flag[: len(ring_src)] = True
    u, v, flag = _unique_feasible(inst, people, src, dst, flag)
    score = pair_scores(inst, people[u], people[v])
    chosen = _prune(u, v, score, flag, policy.best_candidates)
    return CandidateGraph(people, u[chosen], v[chosen], score[chosen])

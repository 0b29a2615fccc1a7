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

#: Pairs checked and scored, or directed edges ranked, at a time (bounds the temporaries).
_SLICE = 1 << 21
#: Node indices of the graph (a round has far fewer than 2**31 people).
_INDEX = np.int32
#: Edge scores, thousandths of a point (a few thousand each).
_SCORE = np.int32


@dataclass(frozen=True)
class CandidateGraph:
    """Candidate pairs over ``people`` (instance indices); ``u``, ``v`` index into ``people``.

    ``score`` is each edge's score in thousandths of a point; edges are unique, ``u < v``,
    in pair-key order. ``u``, ``v`` and ``score`` are 32-bit (``numpy.int32``).
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

    def add(pair: tuple[np.ndarray, np.ndarray]) -> None:
        # Local indices fit 32 bits: half the memory of every full-size pool array.
        sources.append((pair[0].astype(_INDEX), pair[1].astype(_INDEX)))

    uniform = np.zeros(m, dtype=np.int64)
    add(_draw_same(local, uniform, rng, _POOL_UNIFORM))
    add(_draw_other(inst.organisation[people].astype(np.int64) + 1, rng, _POOL_CROSS_ORGANISATION))
    add(_draw_bridges(inst, people, rng, _POOL_WEAK_BRIDGE))
    in_person = (inst.mode_bits[people] & 1) != 0
    location = np.where(in_person, inst.location[people], -1).astype(np.int64)
    add(_draw_same(local, location, rng, _POOL_LOCATION))
    tz = inst.tz_minutes[people]
    tz_group = np.where(np.isnan(tz), -1, np.round(np.nan_to_num(tz) / 60.0) + 14 * 2).astype(
        np.int64
    )
    add(_draw_same(local, tz_group, rng, _POOL_TIME_ZONE))
    words = inst.interest_words[people]
    if words.shape[1]:
        bits = np.unpackbits(words.view(np.uint8).reshape(m, -1), axis=1, bitorder="little")
        owner, code = np.nonzero(bits)
        del bits
        if len(owner):
            # Per interest a person holds, random others who hold it too.
            add(_draw_same(owner, code.astype(np.int64), rng, _POOL_INTEREST))
    src = np.concatenate([s for s, _ in sources])
    dst = np.concatenate([d for _, d in sources])
    return src, dst


def _rings(m: int, rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    src, dst = [], []
    for _ in range(count):
        perm = rng.permutation(m).astype(_INDEX)
        src.append(perm)
        dst.append(np.roll(perm, -1))
    if not src:
        return np.empty(0, _INDEX), np.empty(0, _INDEX)
    return np.concatenate(src), np.concatenate(dst)


def _unique_feasible(
    inst: Instance,
    people: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    flag: np.ndarray,
    *,
    score: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Unique feasible pairs ``u < v`` in key order, their ring flag and (``score``) scores.

    The pairs are checked and scored a slice at a time, so no full-size temporary of the
    rules or the scores is ever made; ``u`` and ``v`` are 32-bit, scores too (they are a few
    thousand thousandths of a point).
    """
    m = len(people)
    # One sort, in place: key * 2 + (not ring), so each pair's ring copy (if any) comes first.
    tagged = np.empty(len(src), dtype=np.int64)
    count = 0
    for start in range(0, len(src), _SLICE):
        part = slice(start, start + _SLICE)
        loop = src[part] == dst[part]
        keys = pair_keys(src[part], dst[part], m) << 1
        keys |= ~flag[part]
        keys = keys[~loop]
        tagged[count : count + len(keys)] = keys
        count += len(keys)
    tagged = tagged[:count]
    tagged.sort()
    # Keep each key's first copy, compacted slice by slice to the front of the same array.
    count, previous = 0, -1
    for start in range(0, len(tagged), _SLICE):
        part = tagged[start : start + _SLICE]
        keys = part >> 1
        first = np.empty(len(part), dtype=bool)
        first[0] = keys[0] != previous
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        previous = int(keys[-1])  # read before the slice is overwritten below
        kept = part[first]
        tagged[count : count + len(kept)] = kept
        count += len(kept)
    tagged = tagged[:count]
    parts: list[tuple[np.ndarray, ...]] = []
    identity = np.array_equal(people, np.arange(m))
    for start in range(0, len(tagged), _SLICE):
        part = tagged[start : start + _SLICE]
        ring = (part & 1) == 0
        keys = part >> 1
        u = keys // m
        v = keys - u * m
        pu, pv = (u, v) if identity else (people[u], people[v])
        ok = feasible(inst, pu, pv)
        u, v, ring = u[ok].astype(_INDEX), v[ok].astype(_INDEX), ring[ok]
        scores = pair_scores(inst, pu[ok], pv[ok]).astype(_SCORE) if score else None
        parts.append((u, v, ring, scores))
    del tagged
    if not parts:
        empty = np.empty(0, _INDEX)
        return empty, empty, np.empty(0, dtype=bool), np.empty(0, _SCORE) if score else None
    u = np.concatenate([p[0] for p in parts])
    v = np.concatenate([p[1] for p in parts])
    ring = np.concatenate([p[2] for p in parts])
    scores = np.concatenate([p[3] for p in parts]) if score else None
    return u, v, ring, scores


def _prune(u: np.ndarray, v: np.ndarray, score: np.ndarray, keep: np.ndarray, k: int) -> np.ndarray:
    """Edges among each endpoint's ``k`` best, or already marked in ``keep``.

    A node's edges are ordered by descending score, then edge position. The nodes are taken a
    range at a time, each range's directed edges sorted by one integer key, so memory stays a
    slice of the graph rather than several copies of it.
    """
    e = len(u)
    chosen = keep.copy()
    if e == 0:
        return chosen
    top = int(score.max(initial=0)) + 1
    low = int(score.min(initial=0))
    nodes = int(max(u.max(initial=0), v.max(initial=0))) + 1
    span = top - min(low, 0)
    if span * e >= 1 << 62:
        # Scores too spread for one integer key: a lexicographic sort of everything.
        node = np.concatenate((u, v)).astype(np.int64)
        edge = np.concatenate((np.arange(e), np.arange(e)))
        value = np.concatenate((score, score)).astype(np.int64)
        order = np.lexsort((edge, -value, node))
        node, edge = node[order], edge[order]
        start = np.searchsorted(node, node)
        chosen[edge[(np.arange(len(node)) - start) < k]] = True
        return chosen
    # Nodes per range: about _SLICE directed edges each, and the key within 63 bits.
    per_node = max(2 * e // nodes, 1)
    width = max(min(_SLICE // per_node, ((1 << 62) // (span * e)) - 1, nodes), 1)
    descending = (top - 1 - score).astype(np.int64)
    edge = np.arange(e, dtype=np.int64)
    for lo in range(0, nodes, width):
        hi = lo + width
        keys = []
        for side in (u, v):
            at = np.flatnonzero((side >= lo) & (side < hi))
            keys.append(((side[at] - lo) * span + descending[at]) * e + edge[at])
        key = np.concatenate(keys)
        del keys
        key.sort()
        node = key // (span * e)
        fresh = np.empty(len(node), dtype=bool)
        if len(node):
            fresh[0] = True
            np.not_equal(node[1:], node[:-1], out=fresh[1:])
        start = np.flatnonzero(fresh)
        rank = np.arange(len(node)) - np.repeat(start, np.diff(np.append(start, len(node))))
        chosen[key[rank < k] % e] = True
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
        empty = np.empty(0, _INDEX)
        return CandidateGraph(people, empty, empty, np.empty(0, _SCORE))
    if m <= policy.dense_below:
        src, dst = np.triu_indices(m, k=1)
        flag = np.zeros(len(src), dtype=bool)
        u, v, _, score = _unique_feasible(inst, people, src, dst, flag, score=True)
        return CandidateGraph(people, u, v, score)
    ring_src, ring_dst = _rings(m, rng, policy.random_candidates)
    pool_src, pool_dst = _pool(inst, people, rng)
    src = np.concatenate((ring_src, pool_src))
    dst = np.concatenate((ring_dst, pool_dst))
    flag = np.zeros(len(src), dtype=bool)
    flag[: len(ring_src)] = True
    del ring_src, ring_dst, pool_src, pool_dst
    u, v, flag, score = _unique_feasible(inst, people, src, dst, flag, score=True)
    del src, dst
    chosen = _prune(u, v, score, flag, policy.best_candidates)
    return CandidateGraph(people, u[chosen], v[chosen], score[chosen])

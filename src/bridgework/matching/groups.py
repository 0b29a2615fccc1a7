"""Groups beyond a plain matching: people left over, trios, and why anyone sits out.

After the solver, a few people may have no partner: one when the count is odd, the handful a
near-linear solver leaves free on a national round, or someone the hard rules leave without a
partner. This module places them, within every rule, in near-linear time:

1. :func:`pair_leftovers` pairs left-over people with each other (a second, small matching
   over a candidate graph of just them);
2. :func:`attach_leftovers` (``odd = "trio"``) puts each one still left into the open pair
   where they add most. The pair is searched among the person's candidate-graph neighbours
   *and* in a **blocking index** of every open pair: the only dense hard rules (meeting mode
   and location, and ``must_cross_organisation``) depend on a person's *type* — can meet on
   video, the location they can meet in person, their organisation — so pairs are bucketed
   by the types of their two members, a person's compatible buckets are found with one
   vectorised test over the (few) types, and the sparse rules (exclusions, recent meetings)
   are removed by looking up the person's own few blocked partners. A person therefore stays
   out only if *no* open pair can take them;
3. :func:`sit_out_reasons` says, in words, why each person left out is left out.

With ``group_size = 3``, :func:`make_trios` builds trios by a two-stage heuristic.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bridgework.matching.candidates import CandidateGraph, build_candidates
from bridgework.matching.exact import exact_matching
from bridgework.matching.instance import Instance
from bridgework.matching.rules import feasible
from bridgework.matching.scalable import scalable_matching
from bridgework.matching.scoring import pair_scores

__all__ = [
    "attach_leftovers",
    "make_trios",
    "match_people",
    "pair_leftovers",
    "sit_out_reasons",
]

#: Rows drawn from the blocking index per leftover person (spread over compatible buckets).
_INDEX_SAMPLE = 256

Report = Callable[[float], None]


def _solve(inst: Instance, graph: CandidateGraph, solver: str, report: Report) -> np.ndarray:
    """Local mate array over ``graph.people`` (priority people get a solver-only bonus)."""
    if len(graph.u) == 0:
        return np.full(graph.size, -1, dtype=np.int64)
    from bridgework.matching.scoring import MILLI

    bonus = round(inst.policy.priority_bonus * MILLI)
    priority = inst.priority[graph.people]
    weight = graph.score + bonus * (priority[graph.u].astype(np.int64) + priority[graph.v])
    if len(weight) and int(np.abs(weight).max()) < 1 << 30:
        weight = weight.astype(np.int32)  # half the memory; the solvers take any integers
    if solver == "exact":
        mate = exact_matching(graph.size, graph.u, graph.v, weight)
        report(1.0)
        return mate
    return scalable_matching(graph.size, graph.u, graph.v, weight, progress=report)


def match_people(
    inst: Instance,
    people: np.ndarray,
    rng: np.random.Generator,
    solver: str,
    report: Report,
) -> tuple[list[list[int]], list[int], CandidateGraph]:
    """Pairs of ``people`` by the chosen solver, the people left free, and the graph used."""
    graph = build_candidates(inst, people, rng)
    report(0.0)  # the candidate graph is built; solving starts
    mate = _solve(inst, graph, solver, report)
    local = np.arange(len(mate))
    first = mate > local
    groups = np.stack((people[local[first]], people[mate[first]]), axis=1).tolist()
    return groups, people[mate < 0].tolist(), graph


def pair_leftovers(
    inst: Instance, left: list[int], rng: np.random.Generator, solver: str
) -> tuple[list[list[int]], list[int]]:
    """Pair left-over people with each other; return the new pairs and who is still left.

    Leftovers of a near-linear solver are scattered across the whole round, so most can meet
    each other: a second matching over a candidate graph of just them (complete when they are
    fewer than ``Policy.dense_below``) pairs them in O(f log f) for f leftovers.
    """
    if len(left) < 2:
        return [], list(left)
    people = np.sort(np.asarray(left, dtype=np.int64))
    chosen = "exact" if len(people) <= inst.policy.exact_max_people else solver
    groups, still, _ = match_people(inst, people, rng, chosen, lambda f: None)
    return groups, still


def _types(inst: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each person's type code, and per type: video bit, in-person location, organisation.

    Two people can be paired under the dense rules iff their types are compatible; only
    exclusions and recent meetings (sparse, per person) remain to be checked.
    """
    video = (inst.mode_bits & 2) != 0
    place = np.where((inst.mode_bits & 1) != 0, inst.location, -1).astype(np.int64)
    org = (
        inst.organisation.astype(np.int64)
        if inst.policy.must_cross_organisation
        else np.zeros(inst.n, dtype=np.int64)
    )
    width = int(org.max(initial=0)) + 2
    key = ((place + 1) * 2 + video) * width + (org + 1)
    codes, person_type = np.unique(key, return_inverse=True)
    t_org = codes % width - 1
    rest = codes // width
    return person_type.astype(np.int64), (rest % 2).astype(bool), rest // 2 - 1, t_org


def _compatible(inst: Instance, x: int, types: tuple) -> np.ndarray:
    """Boolean over types: may a person of that type meet ``x`` (dense rules only)?"""
    _, t_video, t_place, t_org = types
    bits = int(inst.mode_bits[x])
    place = int(inst.location[x])
    ok = (t_video & bool(bits & 2)) | (bool(bits & 1) & (place >= 0) & (t_place == place))
    if inst.policy.must_cross_organisation:
        ok &= t_org != int(inst.organisation[x])
    return ok


def _blocked_partners(inst: Instance, people: np.ndarray) -> dict[int, np.ndarray]:
    """For each of ``people``: partners excluded or met within the window (sparse rules)."""
    wanted = np.zeros(inst.n, dtype=bool)
    wanted[people] = True
    keys = np.concatenate((inst.excluded, inst.recent))
    lo, hi = keys // inst.n, keys % inst.n
    src = np.concatenate((lo[wanted[lo]], hi[wanted[hi]]))
    dst = np.concatenate((hi[wanted[lo]], lo[wanted[hi]]))
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    bounds = np.searchsorted(src, people), np.searchsorted(src, people, side="right")
    return {int(p): dst[a:b] for p, a, b in zip(people.tolist(), *bounds, strict=True)}


class _PairIndex:
    """Open pairs bucketed by the types of their members; removal in O(1).

    Inside a bucket the pairs are in a seeded random order; positions ``head[s]`` onwards are
    the open ones (a closed pair is swapped to the head and the head moves on).
    """

    def __init__(
        self, pairs: np.ndarray, person_type: np.ndarray, n_types: int, rng: np.random.Generator
    ) -> None:
        ta, tb = person_type[pairs[:, 0]], person_type[pairs[:, 1]]
        key = np.minimum(ta, tb) * n_types + np.maximum(ta, tb)
        codes, bucket = np.unique(key, return_inverse=True)
        self.lo, self.hi = codes // n_types, codes % n_types
        self.order = np.lexsort((rng.random(len(pairs)), bucket))
        self.bucket = bucket
        counts = np.bincount(bucket, minlength=len(codes))
        self.head = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        self.end = self.head + counts
        self.position = np.empty(len(pairs), dtype=np.int64)
        self.position[self.order] = np.arange(len(pairs))

    def buckets(self, compatible: np.ndarray) -> np.ndarray:
        """Buckets with an open pair whose two members' types are both compatible."""
        return np.flatnonzero(compatible[self.lo] & compatible[self.hi] & (self.head < self.end))

    def sample(self, buckets: np.ndarray, per_bucket: int) -> np.ndarray:
        """The first ``per_bucket`` open pairs (rows) of each bucket."""
        take = np.minimum(self.end[buckets] - self.head[buckets], per_bucket)
        starts = np.repeat(self.head[buckets], take)
        offsets = np.arange(int(take.sum())) - np.repeat(np.cumsum(take) - take, take)
        return self.order[starts + offsets]

    def close(self, row: int) -> None:
        s = int(self.bucket[row])
        first = int(self.head[s])
        here = int(self.position[row])
        other = int(self.order[first])
        self.order[first], self.order[here] = row, other
        self.position[row], self.position[other] = first, here
        self.head[s] += 1


def _third_scores(inst: Instance, person: int, pairs: np.ndarray) -> np.ndarray:
    """Score ``person`` adds to each pair in ``pairs`` (rows of two), -1 where not allowed."""
    x = np.full(len(pairs), person, dtype=np.int64)
    ok = feasible(inst, x, pairs[:, 0]) & feasible(inst, x, pairs[:, 1])
    added = pair_scores(inst, x, pairs[:, 0]) + pair_scores(inst, x, pairs[:, 1])
    return np.where(ok, added, -1)


def attach_leftovers(
    inst: Instance,
    groups: list[list[int]],
    left: list[int],
    graph: CandidateGraph,
    rng: np.random.Generator,
) -> tuple[list[list[int]], list[int]]:
    """Put each person in ``left`` into the open pair where they add most; return who is left.

    Parameters
    ----------
    inst : Instance
    groups : list of list of int
        The round's groups so far (pairs get a third member; edited in place and returned).
    left : list of int
        People without a group.
    graph : CandidateGraph
        The round's candidate graph: a person's neighbours there are their best partners.
    rng : numpy.random.Generator
        Seeded; orders the pairs inside each bucket of the blocking index.

    Returns
    -------
    groups, still_left

    Notes
    -----
    People are placed priority first, then the most constrained (fewest compatible open
    pairs) first, then by id. Each person scores their candidate-graph neighbours' pairs and
    up to ``_INDEX_SAMPLE`` open pairs drawn from every compatible bucket of the blocking
    index, plus their own blocked partners' count, so a compatible unblocked pair is always
    among those scored if one exists. O(n log n) to build, then O(T + S + d + k) per
    leftover for T types, S buckets, d blocked partners and k sampled pairs: never O(n²).
    """
    pair_rows = [k for k, g in enumerate(groups) if len(g) == 2]
    if not left or not pair_rows:
        return groups, list(left)
    pairs = np.array([groups[k] for k in pair_rows], dtype=np.int64)
    row_of = np.full(inst.n, -1, dtype=np.int64)
    row_of[pairs[:, 0]] = np.arange(len(pairs))
    row_of[pairs[:, 1]] = np.arange(len(pairs))
    types = _types(inst)
    n_types = len(types[1])
    index = _PairIndex(pairs, types[0], n_types, rng)
    people = np.asarray(left, dtype=np.int64)
    blocked = _blocked_partners(inst, people)
    compatible = {int(x): _compatible(inst, x, types) for x in people.tolist()}
    # Open pairs each person could join (dense rules), to place the most constrained first.
    room = {
        x: int((index.end - index.head)[index.buckets(ok)].sum()) for x, ok in compatible.items()
    }
    leftover = np.zeros(inst.n, dtype=bool)
    leftover[people] = True
    gu, gv = graph.people[graph.u], graph.people[graph.v]
    touching = leftover[gu] | leftover[gv]
    gu, gv = gu[touching], gv[touching]
    open_row = np.ones(len(pairs), dtype=bool)
    still: list[int] = []
    for x in sorted(compatible, key=lambda p: (not inst.priority[p], room[p], p)):
        buckets = index.buckets(compatible[x])
        if len(buckets) == 0:
            still.append(x)
            continue
        avoid = row_of[blocked[x]]
        avoid = avoid[avoid >= 0]
        per_bucket = max(1, _INDEX_SAMPLE // len(buckets)) + len(avoid)
        neighbours = np.concatenate((gv[gu == x], gu[gv == x]))
        near = row_of[neighbours]
        rows = np.unique(np.concatenate((near[near >= 0], index.sample(buckets, per_bucket))))
        rows = rows[open_row[rows]]
        scores = _third_scores(inst, x, pairs[rows]) if len(rows) else np.empty(0)
        if len(rows) == 0 or scores.max() < 0:
            still.append(x)
            continue
        best = int(rows[int(np.argmax(scores))])
        open_row[best] = False
        index.close(best)
        groups[pair_rows[best]] = [*groups[pair_rows[best]], x]
    return groups, still


def sit_out_reasons(inst: Instance, active: np.ndarray, left: list[int]) -> dict[int, str]:
    """Why each person in ``left`` sits out, in words.

    Someone "has no allowed partner" when every other active person is ruled out by a hard
    rule (counted exactly with the type buckets and the person's blocked partners, O(T + d)
    each); otherwise they are the odd one out under ``odd = "sit_out"``, or, with trios, no
    pair could take them as a third member.
    """
    if not left:
        return {}
    types = _types(inst)
    counts = np.bincount(types[0][active], minlength=len(types[1]))
    is_active = np.zeros(inst.n, dtype=bool)
    is_active[active] = True
    people = np.asarray(left, dtype=np.int64)
    blocked = _blocked_partners(inst, people)
    policy = inst.policy
    rules = [
        "an exclusion",
        f"a meeting in the last {policy.no_repeat_days} days",
        "no shared way to meet (video, or in person in the same location)",
    ]
    if policy.must_cross_organisation:
        rules.append("the same organisation (pairs must cross organisations)")
    reasons: dict[int, str] = {}
    for x in people.tolist():
        ok = _compatible(inst, x, types)
        others = np.unique(blocked[x])
        others = others[is_active[others] & (others != x)]
        possible = int(counts[ok].sum()) - int(ok[types[0][x]]) - int(ok[types[0][others]].sum())
        if possible <= 0:
            reasons[x] = (
                f"no allowed partner: each of the {len(active) - 1} others this round is ruled "
                f"out by {', '.join(rules[:-1])} or {rules[-1]}"
            )
        elif policy.odd == "sit_out":
            reasons[x] = (
                "odd one out: no set of allowed pairs includes everyone this round "
                "(first in line next round)"
            )
        else:
            reasons[x] = (
                "everyone they may meet is already in a pair or trio that the rules do not let "
                "them join (first in line next round)"
            )
    return reasons


def make_trios(
    inst: Instance,
    people: np.ndarray,
    rng: np.random.Generator,
    solver: str,
    report: Report,
) -> tuple[list[list[int]], list[int], CandidateGraph]:
    """Group size 3: seeded-random "third members", pairs of the rest, then an assignment.

    Of m people, t = m // 3 trios are formed (t - 1 when m % 3 == 1, leaving two pairs).
    The t third members are a seeded random sample; the others are paired by the solver;
    then thirds are assigned to pairs by a second matching on the bipartite graph
    third–pair, weighted by the score the third adds. Three-dimensional matching is NP-hard,
    so this is a heuristic: each stage is optimal (exact) or near-optimal (scalable).
    """
    m = len(people)
    t = m // 3 - (1 if m % 3 == 1 and m >= 4 else 0)
    if t <= 0:
        return match_people(inst, people, rng, solver, report)
    shuffled = rng.permutation(people)
    thirds, rest = np.sort(shuffled[:t]), np.sort(shuffled[t:])
    groups, left, _graph = match_people(inst, rest, rng, solver, lambda f: report(f / 2))
    all_graph = build_candidates(inst, people, rng)
    pairs = np.array(groups, dtype=np.int64).reshape(-1, 2)
    row_of = np.full(inst.n, -1, dtype=np.int64)
    row_of[pairs[:, 0]] = np.arange(len(pairs))
    row_of[pairs[:, 1]] = np.arange(len(pairs))
    is_third = np.zeros(inst.n, dtype=bool)
    is_third[thirds] = True
    au, av = all_graph.people[all_graph.u], all_graph.people[all_graph.v]
    src = np.concatenate((au, av))
    dst = np.concatenate((av, au))
    keep = is_third[src] & (row_of[dst] >= 0)
    third_of = np.full(inst.n, -1, dtype=np.int64)
    third_of[thirds] = np.arange(t)
    s = third_of[src[keep]]
    r = row_of[dst[keep]]
    count = len(pairs)
    if count == 0:
        return groups, thirds.tolist() + left, all_graph
    extra_s = np.repeat(np.arange(t), 2)
    extra_r = rng.integers(0, count, size=len(extra_s))
    key = np.unique(np.concatenate((s, extra_s)) * count + np.concatenate((r, extra_r)))
    s, r = key // count, key % count
    x = thirds[s]
    ok = feasible(inst, x, pairs[r, 0]) & feasible(inst, x, pairs[r, 1])
    s, r, x = s[ok], r[ok], x[ok]
    weight = pair_scores(inst, x, pairs[r, 0]) + pair_scores(inst, x, pairs[r, 1])
    # Nodes 0..t-1 are thirds, t.. are pairs.
    solve = exact_matching if solver == "exact" else scalable_matching
    mate = solve(t + len(pairs), s, t + r, weight)
    report(0.9)
    placed = mate[:t] >= 0
    for k in np.flatnonzero(placed):
        groups[int(mate[k]) - t] = [*groups[int(mate[k]) - t], int(thirds[k])]
    unplaced = thirds[~placed].tolist() + left
    if len(unplaced) >= 2:
        more, unplaced, _ = match_people(inst, np.sort(np.array(unplaced)), rng, solver, report)
        groups.extend(more)
    return groups, unplaced, all_graph

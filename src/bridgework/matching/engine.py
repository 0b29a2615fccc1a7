"""One round of pairings, end to end: :func:`pair`.

The steps, each seeded from ``seed`` through its own independent stream (so changing one
never shifts another's random numbers):

1. compile the inputs (people sorted by id, so input order does not matter);
2. draw the **holdout**: ``round(holdout × n)`` people chosen uniformly without replacement
   from the id-sorted list by ``numpy.random.Generator(PCG64(SeedSequence([seed, 0x484F4C44])))``.
   It depends on nothing but the seed, the fraction and the ids, so anyone can re-draw it, and
   being held out is independent of every attribute and preference — which is what makes the
   matched-versus-held-out comparison an unbiased estimate of the effect of being matched;
3. build the candidate graph (:mod:`~bridgework.matching.candidates`);
4. solve maximum-cardinality, maximum-weight matching, exactly up to
   ``Policy.exact_max_people`` people and with the scalable solver above (``solver="auto"``);
   pairs with a priority person get ``Policy.priority_bonus`` extra points *inside the solver
   only*, so people who sat out last time are the last to be left out again;
5. with ``group_size=3``, make trios (see :func:`_trios`);
6. whoever is left without a partner (one person when the count is odd, or anyone the hard
   rules leave no partner) joins, with ``odd="trio"``, the pair where they add most score,
   provided all three pairs obey every rule; otherwise, or with ``odd="sit_out"``, they sit
   out and are reported in ``sit_out`` for priority next round;
7. check the result with :func:`~bridgework.matching.rules.violations` (a failure is a bug
   and raises), and explain every match in words.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Literal

import numpy as np

from bridgework.matching.candidates import CandidateGraph, build_candidates
from bridgework.matching.exact import exact_matching
from bridgework.matching.instance import Exclusions, History, Instance, Ties, compile_instance
from bridgework.matching.model import (
    Match,
    PairingResult,
    PairingStats,
    Participant,
    Policy,
    Roster,
)
from bridgework.matching.rules import feasible, violations
from bridgework.matching.scalable import scalable_matching
from bridgework.matching.scoring import (
    MILLI,
    pair_reasons,
    pair_scores,
    score_components,
    to_points,
)

__all__ = ["HOLDOUT_STREAM", "Progress", "choose_solver", "draw_holdout", "pair"]

#: Stream tag of the holdout draw ("HOLD" in ASCII), documented so audits can reproduce it.
HOLDOUT_STREAM = 0x484F4C44
_CANDIDATE_STREAM = 0x43414E44  # "CAND"
_GROUP_STREAM = 0x47525550  # "GRUP"
_FULL_SCAN_LIMIT = 64
_FULL_SCAN_SAMPLE = 4096

#: Progress callback: ``(stage, fraction of the whole round done)``.
Progress = Callable[[str, float], None]


def _seed_words(seed: int) -> int:
    return int(seed) % (1 << 64)


def draw_holdout(n: int, fraction: float, seed: int) -> np.ndarray:
    """Indices (into the id-sorted participants) held out this round, sorted.

    Examples
    --------
    >>> draw_holdout(10, 0.2, seed=3).tolist() == draw_holdout(10, 0.2, seed=3).tolist()
    True
    >>> len(draw_holdout(10, 0.2, seed=3))
    2
    """
    count = round(fraction * n)
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    rng = np.random.default_rng(np.random.SeedSequence([_seed_words(seed), HOLDOUT_STREAM]))
    return np.sort(rng.choice(n, size=count, replace=False)).astype(np.int64)


def choose_solver(
    people: int, policy: Policy, solver: str = "auto"
) -> Literal["exact", "scalable"]:
    """The solver ``pair`` will use for ``people`` to match."""
    if solver not in {"auto", "exact", "scalable"}:
        raise ValueError(f"solver must be auto, exact or scalable, not {solver!r}")
    if solver == "auto":
        return "exact" if people <= policy.exact_max_people else "scalable"
    return solver  # type: ignore[return-value]


def _solve(
    inst: Instance, graph: CandidateGraph, solver: str, report: Callable[[float], None]
) -> np.ndarray:
    """Local mate array over ``graph.people``."""
    if len(graph.u) == 0:
        return np.full(graph.size, -1, dtype=np.int64)
    bonus = round(inst.policy.priority_bonus * MILLI)
    priority = inst.priority[graph.people]
    weight = graph.score + bonus * (priority[graph.u].astype(np.int64) + priority[graph.v])
    if solver == "exact":
        mate = exact_matching(graph.size, graph.u, graph.v, weight)
        report(1.0)
        return mate
    return scalable_matching(graph.size, graph.u, graph.v, weight, progress=report)


def _pairs_from_mate(people: np.ndarray, mate: np.ndarray) -> tuple[list[list[int]], list[int]]:
    local = np.arange(len(mate))
    first = mate > local
    groups = np.stack((people[local[first]], people[mate[first]]), axis=1).tolist()
    left = people[mate < 0].tolist()
    return groups, left


def _match_people(
    inst: Instance,
    people: np.ndarray,
    rng: np.random.Generator,
    solver: str,
    report: Callable[[float], None],
) -> tuple[list[list[int]], list[int], CandidateGraph]:
    graph = build_candidates(inst, people, rng)
    mate = _solve(inst, graph, solver, report)
    groups, left = _pairs_from_mate(people, mate)
    return groups, left, graph


def _third_scores(inst: Instance, person: int, pairs: np.ndarray) -> np.ndarray:
    """Score ``person`` adds to each pair in ``pairs`` (rows of two), -1 where not allowed."""
    x = np.full(len(pairs), person, dtype=np.int64)
    ok = feasible(inst, x, pairs[:, 0]) & feasible(inst, x, pairs[:, 1])
    added = pair_scores(inst, x, pairs[:, 0]) + pair_scores(inst, x, pairs[:, 1])
    return np.where(ok, added, -1)


def _attach(
    inst: Instance, groups: list[list[int]], left: list[int], graph: CandidateGraph
) -> tuple[list[list[int]], list[int]]:
    """Put each person in ``left`` into the pair where they add most; return who is still left."""
    if not left or not groups:
        return groups, left
    pair_rows = [k for k, g in enumerate(groups) if len(g) == 2]
    if not pair_rows:
        return groups, left
    pairs = np.array([groups[k] for k in pair_rows], dtype=np.int64)
    open_slot = np.ones(len(pairs), dtype=bool)
    row_of = np.full(inst.n, -1, dtype=np.int64)
    row_of[pairs[:, 0]] = np.arange(len(pairs))
    row_of[pairs[:, 1]] = np.arange(len(pairs))
    # Only the candidate edges of people left over matter: select them once, O(e).
    leftover = np.zeros(inst.n, dtype=bool)
    leftover[np.asarray(left, dtype=np.int64)] = True
    gu, gv = graph.people[graph.u], graph.people[graph.v]
    touching = leftover[gu] | leftover[gv]
    gu, gv = gu[touching], gv[touching]
    still: list[int] = []
    full_scans = 0
    sampler = np.random.default_rng(np.random.SeedSequence([_seed_words(inst.seed), _GROUP_STREAM]))
    # Priority people first, then in id order: deterministic, and fair to those who waited.
    for person in sorted(left, key=lambda p: (not inst.priority[p], p)):
        neighbours = np.concatenate((gv[gu == person], gu[gv == person]))
        rows = np.unique(row_of[neighbours])
        rows = rows[rows >= 0]
        rows = rows[open_slot[rows]]
        scores = _third_scores(inst, person, pairs[rows]) if len(rows) else np.empty(0)
        if (len(rows) == 0 or scores.max() < 0) and full_scans < _FULL_SCAN_LIMIT:
            # Wider search: every open pair in small rounds, a seeded sample in large ones.
            full_scans += 1
            rows = np.flatnonzero(open_slot)
            if len(rows) > _FULL_SCAN_SAMPLE:
                rows = np.sort(sampler.choice(rows, size=_FULL_SCAN_SAMPLE, replace=False))
            scores = _third_scores(inst, person, pairs[rows])
        if len(rows) == 0 or scores.max() < 0:
            still.append(person)
            continue
        best = rows[int(np.argmax(scores))]
        open_slot[best] = False
        groups[pair_rows[best]] = [*groups[pair_rows[best]], person]
    return groups, still


def _trios(
    inst: Instance,
    people: np.ndarray,
    rng: np.random.Generator,
    solver: str,
    report: Callable[[float], None],
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
        return _match_people(inst, people, rng, solver, report)
    shuffled = rng.permutation(people)
    thirds, rest = np.sort(shuffled[:t]), np.sort(shuffled[t:])
    groups, left, _graph = _match_people(inst, rest, rng, solver, lambda f: report(f / 2))
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
    third_of = {int(p): k for k, p in enumerate(thirds)}
    s = np.array([third_of[int(p)] for p in src[keep]], dtype=np.int64)
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
        more, unplaced, _ = _match_people(inst, np.sort(np.array(unplaced)), rng, solver, report)
        groups.extend(more)
    return groups, unplaced, all_graph


def _explain(
    inst: Instance, groups: list[list[int]]
) -> tuple[list[Match], int, dict[str, np.ndarray]]:
    links_u, links_v, owner = [], [], []
    for k, group in enumerate(groups):
        for a in range(len(group)):
            for b in range(a + 1, len(group)):
                links_u.append(group[a])
                links_v.append(group[b])
                owner.append(k)
    u = np.array(links_u, dtype=np.int64)
    v = np.array(links_v, dtype=np.int64)
    scores = pair_scores(inst, u, v)
    reasons = pair_reasons(inst, u, v)
    components = score_components(inst, u, v)
    ids = inst.roster.ids
    totals = np.bincount(np.array(owner, dtype=np.int64), weights=scores, minlength=len(groups))
    matches: list[Match] = []
    cursor = 0
    for k, group in enumerate(groups):
        members = tuple(str(ids[i]) for i in group)
        links = len(group) * (len(group) - 1) // 2
        if links == 1:
            said = tuple(reasons[cursor])
        else:
            said = tuple(
                f"{ids[u[c]]} & {ids[v[c]]}: {reason}"
                for c in range(cursor, cursor + links)
                for reason in reasons[c]
            )
        matches.append(Match(members, to_points(int(totals[k])), said))
        cursor += links
    return matches, int(scores.sum()), components


def pair(
    participants: Sequence[Participant] | Roster,
    *,
    history: History = None,
    exclusions: Exclusions = None,
    ties: Ties = None,
    weak_ties: Iterable[tuple[str, str]] | None = None,
    policy: Policy | None = None,
    round_date: date | None = None,
    seed: int,
    solver: Literal["auto", "exact", "scalable"] = "auto",
    progress: Progress | None = None,
) -> PairingResult:
    """Pair a round's participants: random where it should be, within every rule, explained.

    Parameters
    ----------
    participants : sequence of Participant, or Roster
        This round's people (ids unique). No files needed: the web app passes objects.
    history : iterable of PastMatch, or DataFrame ``a, b, date``, optional
        Past matches (a trio is three pairs). Unknown ids are ignored.
    exclusions : iterable of ``(a, b)``, or DataFrame ``a, b``, optional
        Pairs that must never be made.
    ties : iterable of ``(a, b, strength)``, mapping, or DataFrame ``a, b, strength``, optional
        Existing network ties (stronger tie, smaller ``no_network_tie`` preference).
    weak_ties : iterable of ``(workgroup, workgroup)``, optional
        Workgroup pairs with weak RC (see :func:`bridgework.datasets.pairing_io.read_rc_weak_ties`).
    policy : Policy, optional
        Rules and weights; ``Policy()`` by default.
    round_date : date, optional
        The no-repeat window counts back from it; today (UTC) by default.
    seed : int
        Seeds everything random (holdout, candidates, jitter, trios). Same inputs and seed give
        the same result.
    solver : {"auto", "exact", "scalable"}
    progress : callable ``(stage, fraction)``, optional
        Called as the round advances (for a progress bar).

    Returns
    -------
    PairingResult
        ``to_dict()`` is the JSON contract of ``bridgework pair --json``.

    Examples
    --------
    >>> people = [Participant("ana", "Child Welfare"), Participant("ben", "Probation"),
    ...           Participant("cy", "Child Welfare"), Participant("dee", "Probation")]
    >>> result = pair(people, seed=1, round_date=date(2025, 3, 3))
    >>> sorted(m.members for m in result.matches)
    [('ana', 'ben'), ('cy', 'dee')]
    >>> result.matches[0].reasons[:2]
    ('first meeting', 'crosses Child Welfare ↔ Probation')

    Notes
    -----
    O(n log n) with the scalable solver (candidate graph of O(n) edges); the exact solver is
    O(n³) in the worst case and is used only up to ``Policy.exact_max_people``.
    """
    started = time.perf_counter()

    def report(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, min(max(fraction, 0.0), 1.0))

    policy = policy or Policy()
    if policy.group_size not in (2, 3):
        raise ValueError("group_size must be 2 or 3")
    report("prepare", 0.0)
    inst = compile_instance(
        participants,
        history=history,
        exclusions=exclusions,
        ties=ties,
        weak_ties=weak_ties,
        policy=policy,
        round_date=round_date,
        seed=seed,
    )
    held = draw_holdout(inst.n, policy.holdout, seed)
    active_mask = np.ones(inst.n, dtype=bool)
    active_mask[held] = False
    active = np.flatnonzero(active_mask)
    chosen = choose_solver(len(active), policy, solver)
    rng = np.random.default_rng(np.random.SeedSequence([_seed_words(seed), _CANDIDATE_STREAM]))
    report("candidates", 0.1)

    def solving(fraction: float) -> None:
        report("solve", 0.3 + 0.5 * fraction)

    if policy.group_size == 3:
        group_rng = np.random.default_rng(
            np.random.SeedSequence([_seed_words(seed), _GROUP_STREAM])
        )
        groups, left, graph = _trios(inst, active, group_rng, chosen, solving)
    else:
        groups, left, graph = _match_people(inst, active, rng, chosen, solving)
    report("groups", 0.8)
    if policy.odd == "trio":
        groups, left = _attach(inst, groups, left, graph)
    groups = sorted(sorted(group) for group in groups)
    broken = violations(inst, groups, held.tolist())
    if broken:
        raise RuntimeError("pairing broke a hard rule: " + "; ".join(map(str, broken[:5])))
    report("reasons", 0.85)
    matches, total, components = _explain(inst, groups)
    ids = inst.roster.ids
    links = len(components["first_meeting"])
    stats = PairingStats(
        participants=inst.n,
        matched=sum(len(g) for g in groups),
        cross_organisation_share=round(float(components["cross_organisation"].mean()), 4)
        if links
        else 0.0,
        first_meeting_share=round(float(components["first_meeting"].mean()), 4) if links else 0.0,
        weak_tie_bridges=int(components["weak_tie_bridge"].sum()),
        seconds=round(time.perf_counter() - started, 3),
    )
    report("done", 1.0)
    return PairingResult(
        matches=tuple(matches),
        sit_out=tuple(str(ids[i]) for i in sorted(left)),
        holdout=tuple(str(ids[i]) for i in held),
        total_score=to_points(total),
        solver=chosen,
        seed=int(seed),
        stats=stats,
    )

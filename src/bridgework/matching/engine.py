"""One round of pairings, end to end: :func:`pair`.

The steps, each seeded from ``seed`` through its own independent stream (so changing one
never shifts another's random numbers):

1. compile the inputs (people sorted by id, so input order does not matter);
2. draw the **holdout**: ``round(holdout_share × n)`` people chosen uniformly without replacement
   from the id-sorted list by ``numpy.random.Generator(PCG64(SeedSequence([seed, 0x484F4C44])))``.
   It depends on nothing but the seed, the fraction and the ids, so anyone can re-draw it, and
   being held out is independent of every attribute and preference — which is what makes the
   matched-versus-held-out comparison an unbiased estimate of the effect of being matched;
3. build the candidate graph (:mod:`~bridgework.matching.candidates`);
4. solve maximum-cardinality, maximum-weight matching, exactly up to
   ``Policy.exact_max_people`` people and with the scalable solver above (``solver="auto"``);
   pairs with a priority person get ``Policy.priority_bonus`` extra points *inside the solver
   only*, so people who sat out last time are the last to be left out again;
5. with ``group_size=3``, make trios (:func:`~bridgework.matching.groups.make_trios`);
6. whoever is left without a partner (one person when the count is odd, the few a
   near-linear solver leaves free, or anyone the hard rules leave no partner) is first paired
   with another such person; with ``odd="trio"`` each one still left then joins the open pair
   where they add most score, searched in a blocking index of *every* open pair, so they sit
   out only if no pair can take them within the rules; with ``odd="sit_out"`` they sit out.
   Everyone left out gets a reason in words
   (:func:`~bridgework.matching.groups.sit_out_reasons`) and priority next round;
7. check the result with :func:`~bridgework.matching.rules.violations` (a failure is a bug
   and raises), and explain every match in words.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from itertools import chain
from typing import Literal

import numpy as np

from bridgework.matching.groups import (
    attach_leftovers,
    make_trios,
    match_people,
    pair_leftovers,
    sit_out_reasons,
)
from bridgework.matching.instance import Exclusions, History, Instance, Ties, compile_instance
from bridgework.matching.model import (
    Match,
    PairingResult,
    PairingStats,
    Participant,
    Policy,
    Roster,
)
from bridgework.matching.rules import violations
from bridgework.matching.scoring import (
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
_LEFTOVER_STREAM = 0x4C454654  # "LEFT"

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


def _explain(
    inst: Instance, groups: list[list[int]]
) -> tuple[list[Match], int, dict[str, np.ndarray]]:
    # Every pair inside every group, ordered by group then position (vectorised).
    sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    flat = np.fromiter(chain.from_iterable(groups), dtype=np.int64, count=int(sizes.sum()))
    starts = np.cumsum(sizes) - sizes
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for size in np.unique(sizes).tolist():
        rows = np.flatnonzero(sizes == size)
        links = [(i, j) for i in range(size) for j in range(i + 1, size)]
        for link, (a, b) in enumerate(links):
            parts.append((rows * 8 + link, flat[starts[rows] + a], flat[starts[rows] + b], rows))
    if parts:
        order = np.argsort(np.concatenate([p[0] for p in parts]))
        u = np.concatenate([p[1] for p in parts])[order]
        v = np.concatenate([p[2] for p in parts])[order]
        owner = np.concatenate([p[3] for p in parts])[order]
    else:
        u = v = owner = np.empty(0, dtype=np.int64)
    scores = pair_scores(inst, u, v)
    reasons = pair_reasons(inst, u, v)
    components = score_components(inst, u, v)
    ids = inst.roster.ids
    totals = np.bincount(owner, weights=scores, minlength=len(groups)).astype(np.int64)
    names = [str(name) for name in ids[flat].tolist()]
    points = [to_points(total) for total in totals.tolist()]
    matches: list[Match] = []
    cursor = 0
    for k, (start, size) in enumerate(zip(starts.tolist(), sizes.tolist(), strict=True)):
        members = tuple(names[start : start + size])
        links = size * (size - 1) // 2
        if links == 1:
            said = tuple(reasons[cursor])
        else:
            said = tuple(
                f"{ids[u[c]]} & {ids[v[c]]}: {reason}"
                for c in range(cursor, cursor + links)
                for reason in reasons[c]
            )
        matches.append(Match(members, points[k], said))
        cursor += links
    return matches, int(scores.sum()), components


def _explained(
    inst: Instance, groups: list[list[int]]
) -> tuple[list[Match], int, dict[str, np.ndarray]]:
    """:func:`_explain` with the cyclic garbage collector paused.

    The reasons are millions of small strings, lists and tuples and no reference cycle: the
    collector would only rescan them, again and again, as they pile up.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _explain(inst, groups)
    finally:
        if collecting:
            gc.enable()


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
    held = draw_holdout(inst.n, policy.holdout_share, seed)
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
        groups, left, graph = make_trios(inst, active, group_rng, chosen, solving)
    else:
        groups, left, graph = match_people(inst, active, rng, chosen, solving)
    report("groups", 0.8)
    leftover_rng = np.random.default_rng(
        np.random.SeedSequence([_seed_words(seed), _LEFTOVER_STREAM])
    )
    more, left = pair_leftovers(inst, left, leftover_rng, chosen)
    groups.extend(more)
    if policy.odd == "trio":
        groups, left = attach_leftovers(inst, groups, left, graph, leftover_rng)
    del graph  # a national round's candidate graph is tens of megabytes: free it for the reasons
    why = sit_out_reasons(inst, active, left)
    groups = sorted(sorted(group) for group in groups)
    broken = violations(inst, groups, held.tolist())
    if broken:
        raise RuntimeError("pairing broke a hard rule: " + "; ".join(map(str, broken[:5])))
    report("reasons", 0.85)
    matches, total, components = _explained(inst, groups)
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
        sit_out_reasons=tuple(why[i] for i in sorted(left)),
        holdout=tuple(str(ids[i]) for i in held),
        total_score=to_points(total),
        solver=chosen,
        seed=int(seed),
        stats=stats,
    )

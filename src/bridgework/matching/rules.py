"""Hard rules of a round, and the validator every matching must pass.

A pair is allowed only if all of these hold (they are never traded against preferences):

* the two are different people and not on each other's exclusion list (a "don't pair me
  with" entry, a line manager, a conflict of interest);
* they have not met within the no-repeat window (``Policy.no_repeat_days`` before the round
  date, default 180 days);
* they share a way to meet: both accept video, or both accept in person *and* are in the
  same known location (so an in-person-only person meets only people in their location);
* with ``Policy.must_cross_organisation``, they are in different organisations.

A group (pair or trio) is allowed if every pair inside it is. A matching is valid if, in
addition, nobody is in two groups, nobody held out is matched, and group sizes are those the
policy allows. :func:`check_matching` checks all of this; the engine runs it on every result
and the CLI refuses to write a matching that fails it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain

import numpy as np
import pandas as pd

from bridgework.matching.instance import (
    MODE_BITS,
    Exclusions,
    History,
    Instance,
    compile_instance,
    lookup,
    pair_keys,
)
from bridgework.matching.model import Match, Participant, Policy, Roster

__all__ = ["RULES", "Violation", "check_matching", "feasible", "rule_failures", "violations"]

#: Rule codes and their meaning, as reported in :class:`Violation`.
RULES: dict[str, str] = {
    "unknown_person": "is not a participant of this round",
    "in_two_matches": "appears in more than one match",
    "holdout_matched": "is held out this round but was matched",
    "group_size": "group size is not allowed by the policy",
    "excluded": "the pair is on an exclusion list",
    "recent_repeat": "the pair met within the no-repeat window",
    "meeting_mode": "the pair has no way to meet (mode or location)",
    "same_organisation": "the policy requires crossing organisations",
}

_IN_PERSON = np.int8(MODE_BITS["in_person"])
_VIDEO = np.int8(MODE_BITS["video"])


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: its code (a key of :data:`RULES`), who, and a sentence."""

    rule: str
    members: tuple[str, ...]
    detail: str

    def __str__(self) -> str:
        return f"{' & '.join(self.members)}: {self.detail}"


def rule_failures(inst: Instance, u: np.ndarray, v: np.ndarray) -> dict[str, np.ndarray]:
    """Boolean arrays, one per pair rule, True where pair ``(u[k], v[k])`` breaks it.

    Notes
    -----
    O(m log e) for m pairs and e exclusion/history keys.
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    keys = pair_keys(u, v, inst.n)
    shared = inst.mode_bits[u] & inst.mode_bits[v]
    same_place = (inst.location[u] == inst.location[v]) & (inst.location[u] >= 0)
    can_meet = ((shared & _VIDEO) != 0) | (((shared & _IN_PERSON) != 0) & same_place)
    failures = {
        "excluded": (lookup(inst.excluded, keys) >= 0) | (u == v),
        "recent_repeat": lookup(inst.recent, keys) >= 0,
        "meeting_mode": ~can_meet,
    }
    if inst.policy.must_cross_organisation:
        failures["same_organisation"] = inst.organisation[u] == inst.organisation[v]
    return failures


def feasible(inst: Instance, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """True where the pair ``(u[k], v[k])`` obeys every hard rule (vectorised).

    Examples
    --------
    >>> from bridgework.matching.model import Participant
    >>> people = [Participant("a", "X", mode="video"), Participant("b", "Y", mode="in_person",
    ...           location="Leeds"), Participant("c", "Y", location="Leeds")]
    >>> inst = compile_instance(people, exclusions=[("a", "c")])
    >>> feasible(inst, np.array([0, 0, 1]), np.array([1, 2, 2])).tolist()
    [False, False, True]
    """
    failures = rule_failures(inst, u, v)
    bad = np.zeros(len(np.atleast_1d(u)), dtype=bool)
    for mask in failures.values():
        bad |= mask
    return ~bad


def violations(
    inst: Instance, groups: Sequence[Sequence[int]], holdout: Iterable[int] = ()
) -> list[Violation]:
    """Every rule a matching (as participant indices of ``inst``) breaks; empty if valid."""
    sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    flat = np.fromiter(chain.from_iterable(groups), dtype=np.int64, count=int(sizes.sum()))
    return _flat_violations(inst, flat, sizes, holdout)


def _flat_violations(
    inst: Instance, flat: np.ndarray, sizes: np.ndarray, holdout: Iterable[int]
) -> list[Violation]:
    """:func:`violations` of groups given as one member array and group sizes (vectorised)."""
    ids = inst.roster.ids
    policy = inst.policy
    found: list[Violation] = []
    allowed = [2, 3] if (policy.odd == "trio" or policy.group_size == 3) else [2]
    held = np.zeros(inst.n, dtype=bool)
    held[np.fromiter(holdout, dtype=np.int64)] = True
    starts = np.cumsum(sizes) - sizes
    for k in np.flatnonzero(~np.isin(sizes, allowed)).tolist():
        members = tuple(str(ids[i]) for i in flat[starts[k] : starts[k] + sizes[k]])
        found.append(Violation("group_size", members, f"a group of {int(sizes[k])}"))
    seen = np.bincount(flat, minlength=inst.n)
    u_parts, v_parts = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
    for size in np.unique(sizes).tolist():
        base = starts[sizes == size]
        for a in range(size):
            for b in range(a + 1, size):
                u_parts.append(flat[base + a])
                v_parts.append(flat[base + b])
    for i in np.flatnonzero(seen > 1):
        found.append(Violation("in_two_matches", (str(ids[i]),), RULES["in_two_matches"]))
    for i in np.flatnonzero((seen > 0) & held):
        found.append(Violation("holdout_matched", (str(ids[i]),), RULES["holdout_matched"]))
    u, v = np.concatenate(u_parts), np.concatenate(v_parts)
    for rule, mask in rule_failures(inst, u, v).items():
        for k in np.flatnonzero(mask):
            pair = (str(ids[u[k]]), str(ids[v[k]]))
            found.append(Violation(rule, pair, RULES[rule]))
    return sorted(found)


def check_matching(
    matches: Iterable[Match | Sequence[str]],
    participants: Sequence[Participant] | Roster,
    *,
    history: History = None,
    exclusions: Exclusions = None,
    policy: Policy | None = None,
    round_date: date | None = None,
    holdout: Iterable[str] = (),
) -> list[Violation]:
    """Check a matching against every hard rule; return the violations (empty = valid).

    This is the one validator: the engine runs it on its own output, the CLI before writing,
    the tests on everything the solvers produce, and the web app on hand-edited rounds.

    Parameters
    ----------
    matches : iterable of Match or of member-id sequences
    participants : sequence of Participant or Roster
    history, exclusions, policy, round_date
        As for :func:`bridgework.matching.pair`.
    holdout : iterable of str
        Ids held out this round (they must not be matched).

    Returns
    -------
    list of Violation
        Sorted; empty when the matching obeys every rule.

    Examples
    --------
    >>> people = [Participant(x, org) for x, org in [("a", "X"), ("b", "Y"), ("c", "Y")]]
    >>> check_matching([("a", "b")], people)
    []
    >>> [v.rule for v in check_matching([("a", "b"), ("b", "c")], people)]
    ['in_two_matches']

    Notes
    -----
    O(n log n + m log e) for n people, m matched pairs and e history/exclusion rows.
    """
    inst = compile_instance(
        participants, history=history, exclusions=exclusions, policy=policy, round_date=round_date
    )
    # A Match's members are ids already (strings): only other sequences are converted.
    members = [
        match.members if isinstance(match, Match) else [str(m) for m in match] for match in matches
    ]
    index = pd.Index(inst.roster.ids.astype(str))
    flat = index.get_indexer(list(chain.from_iterable(members)))
    found = [
        Violation("unknown_person", (m,), RULES["unknown_person"])
        for m, k in zip(chain.from_iterable(members), flat.tolist(), strict=True)
        if k < 0
    ]
    owner = np.repeat(np.arange(len(members)), [len(group) for group in members])
    known = flat >= 0
    sizes = np.bincount(owner[known], minlength=len(members)).astype(np.int64)
    held_at = index.get_indexer([str(h) for h in holdout])
    held = held_at[held_at >= 0].tolist()
    return sorted(found + _flat_violations(inst, flat[known].astype(np.int64), sizes, held))

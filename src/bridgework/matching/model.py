"""The pairing engine's vocabulary: who takes part, what happened before, the policy, the result.

Everything here is a frozen dataclass, so a round's inputs and outputs can be hashed, compared
and logged without fear of later mutation. :class:`Roster` is the columnar form of a list of
:class:`Participant` objects: the engine works on columns (numpy arrays) so that a national
programme of a million people costs seconds, and the file readers build a roster directly
from a DataFrame without creating one Python object per person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np

__all__ = [
    "MAX_HOLDOUT_SHARE",
    "MEETING_MODES",
    "Match",
    "PairingResult",
    "PairingStats",
    "Participant",
    "PastMatch",
    "Policy",
    "Roster",
    "Weights",
]

#: Meeting modes a participant can choose. ``in_person`` people meet only people in their
#: own location; ``video`` people meet only on video; ``either`` people accept both.
MEETING_MODES: tuple[str, ...] = ("in_person", "video", "either")

Mode = Literal["in_person", "video", "either"]


@dataclass(frozen=True, slots=True)
class Participant:
    """One person taking part in a round.

    Parameters
    ----------
    id : str
        Stable identifier (directory id or e-mail); unique within a round.
    organisation, team, workgroup : str
        Where the person sits. ``team`` is read inside its organisation (two "Intake" teams in
        two agencies are different teams). An empty string means "not known" and never earns
        or loses a preference.
    location : str
        Site or town, needed by ``in_person`` people (they only meet people in the same one).
    time_zone : str
        IANA name (``Europe/London``) or UTC offset (``UTC+01:00``, ``-05:00``); may be empty.
    mode : {"in_person", "video", "either"}
        How the person can meet.
    interests : frozenset of str
        Free-text interests; shared ones earn a small preference and are named in the reasons.
    priority : bool
        The person sat out the previous round, so the solvers try hardest to match them.
    """

    id: str
    organisation: str
    team: str = ""
    workgroup: str = ""
    location: str = ""
    time_zone: str = ""
    mode: Mode = "either"
    interests: frozenset[str] = frozenset()
    priority: bool = False

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a participant needs a non-empty id")
        if self.mode not in MEETING_MODES:
            raise ValueError(f"mode must be one of {', '.join(MEETING_MODES)}, not {self.mode!r}")
        if self.mode == "in_person" and not self.location:
            raise ValueError(f"participant {self.id!r} meets in person only but has no location")


@dataclass(frozen=True, slots=True)
class PastMatch:
    """Two people who met on ``date`` (a trio is recorded as its three pairs)."""

    a: str
    b: str
    date: date


@dataclass(frozen=True)
class Roster:
    """Participants as columns: the engine's working form, built once per round.

    All arrays have one entry per participant, in the same order. Text columns are numpy
    object arrays of ``str`` (``""`` for unknown); ``interests`` holds one tuple of strings
    per person; ``priority`` is boolean.
    """

    ids: np.ndarray
    organisation: np.ndarray
    team: np.ndarray
    workgroup: np.ndarray
    location: np.ndarray
    time_zone: np.ndarray
    mode: np.ndarray
    interests: np.ndarray
    priority: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_participants(cls, participants: Sequence[Participant]) -> Roster:
        """Build the columnar form of a list of :class:`Participant`.

        Examples
        --------
        >>> roster = Roster.from_participants([Participant("ana", "Probation")])
        >>> roster.ids.tolist(), roster.mode.tolist()
        (['ana'], ['either'])
        """

        def column(values: list[Any]) -> np.ndarray:
            array = np.empty(len(values), dtype=object)
            array[:] = values
            return array

        people = list(participants)
        return cls(
            ids=column([p.id for p in people]),
            organisation=column([p.organisation for p in people]),
            team=column([p.team for p in people]),
            workgroup=column([p.workgroup for p in people]),
            location=column([p.location for p in people]),
            time_zone=column([p.time_zone for p in people]),
            mode=column([p.mode for p in people]),
            interests=column([tuple(sorted(p.interests)) for p in people]),
            priority=np.array([p.priority for p in people], dtype=bool),
        )

    def participant(self, index: int) -> Participant:
        """The :class:`Participant` at ``index`` (for display and tests)."""
        return Participant(
            id=self.ids[index],
            organisation=self.organisation[index],
            team=self.team[index],
            workgroup=self.workgroup[index],
            location=self.location[index],
            time_zone=self.time_zone[index],
            mode=self.mode[index],
            interests=frozenset(self.interests[index]),
            priority=bool(self.priority[index]),
        )


@dataclass(frozen=True)
class Weights:
    """Points a candidate pair earns for each preference it meets (see docs/methods/pairing.md).

    The defaults rank what a coffee programme is for: meeting someone new (3) across an
    organisational boundary (2.5) where coordination is known to be weak (2), then smaller
    nudges that make the conversation easier. ``jitter`` is a seeded random amount in
    ``[0, jitter)`` added to every pair, below the smallest other weight, so that among
    equally good pairings the choice is random rather than alphabetical.
    """

    first_meeting: float = 3.0
    cross_organisation: float = 2.5
    cross_team: float = 1.0
    cross_workgroup: float = 1.0
    weak_tie_bridge: float = 2.0
    no_network_tie: float = 1.0
    shared_interest: float = 0.5
    compatible_time_zone: float = 0.5
    jitter: float = 0.25


#: Largest share of a round's participants that may be held out for the evaluation. Above
#: a half the programme pairs fewer people than it leaves out, and the matched-vs-held-out
#: comparison gets *less* precise, not more (its variance, 1/n₁ + 1/n₀, is smallest with equal
#: groups); see docs/methods/evaluation.md. The policy file, the ``pair`` command, the
#: programme form and the database all use this bound.
MAX_HOLDOUT_SHARE = 0.5


@dataclass(frozen=True)
class Policy:
    """Everything about a round that is not data: rules, weights, group sizes, solver choice.

    Parameters
    ----------
    weights : Weights
        Preference weights in points.
    no_repeat_days : int
        Two people who met within this many days before the round date are never paired.
    must_cross_organisation : bool
        Hard rule: every pair spans two organisations.
    odd : {"trio", "sit_out"}
        What happens to a person left without a partner: join a pair as a trio, or sit out
        (reported in ``sit_out`` and given priority next round by the caller).
    group_size : {2, 3}
        Pairs (default) or trios.
    holdout_share : float
        Share of participants, drawn at random from the seed, left unmatched on purpose for
        the evaluation: 0 to :data:`MAX_HOLDOUT_SHARE` (0.5), else ``ValueError``.
    max_shared_interests : int
        Shared interests counted towards the score (beyond it, more in common adds nothing).
    time_zone_hours : float
        Two known time zones at most this far apart (at the round date) are "compatible".
    best_candidates, random_candidates : int
        Candidate graph: each person's best ``k`` candidates plus this many random ones.
    dense_below : int
        Below this many people every feasible pair is a candidate (exact on small rounds).
    exact_max_people : int
        ``solver="auto"`` uses the exact solver up to this many people, the scalable one above.
    priority_bonus : float
        Solver-only points on every pair containing a priority person, so that they are the
        last to be left out. Not part of any reported score.
    """

    weights: Weights = field(default_factory=Weights)
    no_repeat_days: int = 180
    must_cross_organisation: bool = False
    odd: Literal["trio", "sit_out"] = "trio"
    group_size: int = 2
    holdout_share: float = 0.0
    max_shared_interests: int = 2
    time_zone_hours: float = 3.0
    best_candidates: int = 8
    random_candidates: int = 2
    dense_below: int = 200
    exact_max_people: int = 5000
    priority_bonus: float = 10.0

    def __post_init__(self) -> None:
        share = self.holdout_share
        if (
            isinstance(share, bool)
            or not isinstance(share, int | float)
            or not 0.0 <= share <= MAX_HOLDOUT_SHARE
        ):
            raise ValueError(
                f"holdout_share must be a share between 0 and {MAX_HOLDOUT_SHARE:g} of the "
                f"round's participants, not {share!r}: holding out more than half pairs "
                "fewer people than it leaves out and makes the comparison less precise"
            )


@dataclass(frozen=True)
class Match:
    """A pair or trio: members sorted by id, its score (sum of its pairs) and the reasons."""

    members: tuple[str, ...]
    score: float
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form, as in ``pair.schema.json``."""
        return {"members": list(self.members), "score": self.score, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class PairingStats:
    """Round-level figures. Shares are over the pairs inside matches (a trio counts as 3)."""

    participants: int
    matched: int
    cross_organisation_share: float
    first_meeting_share: float
    weak_tie_bridges: int
    seconds: float


@dataclass(frozen=True)
class PairingResult:
    """The outcome of one round, in the JSON contract of ``bridgework pair --json``.

    ``sit_out_reasons`` is not part of that contract (its schema is closed); the command
    prints the reasons in its summary and writes them in the ``reasons`` column of ``--out``.
    """

    matches: tuple[Match, ...]
    sit_out: tuple[str, ...]
    holdout: tuple[str, ...]
    total_score: float
    solver: Literal["exact", "scalable"]
    seed: int
    stats: PairingStats
    #: Why each person in ``sit_out`` sits out, in words (same order as ``sit_out``).
    sit_out_reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (``src/bridgework/schemas/pair.schema.json``).

        Examples
        --------
        >>> stats = PairingStats(2, 2, 1.0, 1.0, 0, 0.01)
        >>> result = PairingResult((Match(("a", "b"), 5.5, ("first meeting",)),), (), (),
        ...                        5.5, "exact", 7, stats)
        >>> sorted(result.to_dict())
        ['holdout', 'matches', 'seed', 'sit_out', 'solver', 'stats', 'total_score']
        """
        return {
            "matches": [match.to_dict() for match in self.matches],
            "sit_out": list(self.sit_out),
            "holdout": list(self.holdout),
            "total_score": self.total_score,
            "solver": self.solver,
            "seed": self.seed,
            "stats": {
                "participants": self.stats.participants,
                "matched": self.stats.matched,
                "cross_organisation_share": self.stats.cross_organisation_share,
                "first_meeting_share": self.stats.first_meeting_share,
                "weak_tie_bridges": self.stats.weak_tie_bridges,
                "seconds": self.stats.seconds,
            },
        }

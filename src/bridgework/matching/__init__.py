"""The pairing engine for randomised coffee pairings. Pure Python; never imports Django.

Public API (stable; the web app and the ``bridgework pair`` command call it):

* :func:`pair` — one round: holdout, candidate graph, exact or scalable matching, trios or
  sit-outs, scores and reasons; returns a :class:`PairingResult` whose ``to_dict()`` is the
  JSON contract in ``bridgework/schemas/pair.schema.json``;
* :func:`check_matching` — the validator of every hard rule;
* :class:`Participant`, :class:`PastMatch`, :class:`Policy`, :class:`Weights`,
  :class:`Roster`, :class:`Match`, :class:`PairingResult`, :class:`PairingStats`;
* :func:`load_policy` / :func:`parse_policy` — a policy from TOML.

The method is described in docs/methods/pairing.md.
"""

from bridgework.matching.engine import pair
from bridgework.matching.model import (
    MAX_HOLDOUT_SHARE,
    Match,
    PairingResult,
    PairingStats,
    Participant,
    PastMatch,
    Policy,
    Roster,
    Weights,
)
from bridgework.matching.policy import load_policy, parse_policy
from bridgework.matching.rules import Violation, check_matching

__all__ = [
    "MAX_HOLDOUT_SHARE",
    "Match",
    "PairingResult",
    "PairingStats",
    "Participant",
    "PastMatch",
    "Policy",
    "Roster",
    "Violation",
    "Weights",
    "check_matching",
    "load_policy",
    "pair",
    "parse_policy",
]

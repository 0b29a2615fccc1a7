"""A programme's matching policy in plain words, turned into the engine's :class:`Policy`."""

from __future__ import annotations

from dataclasses import replace

from bridgework.matching import Policy, Weights

#: Days counted per month by "never repeat within N months".
DAYS_PER_MONTH = 30


def programme_policy(programme) -> Policy:
    """The engine policy for ``programme`` (a :class:`~bridgework.programmes.models.Programme`).

    Each plain-words choice switches one preference weight on or off; the weights keep the
    engine's documented defaults (docs/methods/pairing.md), so every programme ranks pairs the
    same way and only the choices differ.
    """
    base = Weights()
    weights = replace(
        base,
        cross_organisation=base.cross_organisation if programme.prefer_other_agencies else 0.0,
        weak_tie_bridge=base.weak_tie_bridge if programme.bridge_weak_rc else 0.0,
        shared_interest=base.shared_interest if programme.match_interests else 0.0,
        no_network_tie=base.no_network_tie if programme.avoid_network_ties else 0.0,
    )
    return Policy(
        weights=weights,
        no_repeat_days=programme.no_repeat_months * DAYS_PER_MONTH,
        must_cross_organisation=programme.require_other_agencies,
        odd="sit_out" if programme.odd_rule == "sit_out" else "trio",
        group_size=programme.group_size,
        holdout=programme.holdout_share,
    )

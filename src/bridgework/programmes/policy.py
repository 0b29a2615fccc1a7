"""A programme's matching policy in plain words, turned into the engine's :class:`Policy`
(and back into words, for the programme page)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bridgework.matching import Policy, Weights

if TYPE_CHECKING:
    from bridgework.programmes.models import Programme

#: Days counted per month by "never repeat within N months".
DAYS_PER_MONTH = 30


def programme_policy(programme: Programme) -> Policy:
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
        holdout_share=programme.holdout_share,
    )


def policy_in_words(programme: Programme) -> list[str]:
    """The programme's matching choices as short sentences, in the order of the form."""
    group = "trios" if programme.group_size == 3 else "pairs"
    odd = (
        "when numbers are odd, one person sits out and is first in line next round"
        if programme.odd_rule == "sit_out"
        else "when numbers are odd, one group becomes a trio"
    )
    words = [f"Meet in {group}; {odd}."]
    if programme.require_other_agencies:
        words.append("Only people from different agencies are paired.")
    elif programme.prefer_other_agencies:
        words.append("People from other agencies are preferred.")
    months = programme.no_repeat_months
    if months:
        words.append(f"Nobody meets the same person again within {months} months.")
    if programme.bridge_weak_rc:
        words.append(
            "Pairs that bridge workgroups with weak coordination in the latest RC wave are "
            "preferred."
        )
    if programme.avoid_network_ties:
        words.append("People already tied in the latest network survey are avoided.")
    if programme.match_interests:
        words.append("Shared interests are preferred.")
    if programme.holdout_share:
        words.append(
            f"{programme.holdout_share:.0%} are held out of each round at random, to measure "
            "what the programme changes."
        )
    return words

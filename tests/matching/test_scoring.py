"""Pair scores (hand-computed) and the reasons in words."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from bridgework.matching import Participant, PastMatch, Policy, Weights
from bridgework.matching.instance import compile_instance
from bridgework.matching.scoring import pair_reasons, pair_scores, to_points
from tests.matching.builders import ROUND

NO_JITTER = Policy(weights=Weights(jitter=0.0))


def _one(people, **kwargs):
    kwargs.setdefault("policy", NO_JITTER)
    inst = compile_instance(people, round_date=ROUND, **kwargs)
    u, v = np.array([0]), np.array([1])
    return int(pair_scores(inst, u, v)[0]), pair_reasons(inst, u, v)[0]


def test_cross_agency_first_meeting_on_a_weak_tie_scores_every_preference():
    people = [
        Participant(
            "a",
            "Child Welfare",
            "Intake",
            "case planners",
            time_zone="Europe/London",
            interests=frozenset({"running", "books"}),
        ),
        Participant(
            "b",
            "Probation",
            "North",
            "probation officers",
            time_zone="UTC+01:00",
            interests=frozenset({"Books", "chess"}),
        ),
    ]
    score, reasons = _one(people, weak_ties=[("probation officers", "case planners")])
    # first 3 + org 2.5 + workgroup 1 + weak 2 + no tie 1 + 1 interest 0.5 + time zone 0.5
    assert score == 10_500
    assert reasons == [
        "first meeting",
        "crosses Child Welfare ↔ Probation",
        "bridges a weak tie between case planners and probation officers",
        "no existing network tie",
        "shared interests: books",
        "compatible time zones",
    ]


def test_same_organisation_different_team_and_met_before():
    people = [Participant("a", "X", "t1", "w"), Participant("b", "X", "t2", "w")]
    history = [
        PastMatch("a", "b", ROUND - timedelta(days=300)),
        PastMatch("b", "a", ROUND - timedelta(days=200)),
    ]
    score, reasons = _one(people, history=history)
    assert score == 2_000  # team 1 + no tie 1
    assert reasons == [
        f"met before, last on {ROUND - timedelta(days=200)}",
        "different teams: t1 ↔ t2",
        "no existing network tie",
    ]


def test_network_tie_reduces_the_no_tie_preference_by_its_strength():
    people = [Participant(x, "X", "t", "w") for x in "abc"]
    inst = compile_instance(people, ties=[("a", "b", 4.0), ("a", "c", 1.0)], policy=NO_JITTER)
    scores = pair_scores(inst, np.array([0, 0, 1]), np.array([1, 2, 2]))
    assert scores.tolist() == [3000, 3750, 4000]
    reasons = pair_reasons(inst, np.array([0, 0]), np.array([1, 2]))
    assert "no existing network tie" not in reasons[0]
    assert "only a light existing network tie" in reasons[1]


def test_weak_tie_inside_one_workgroup_is_worded_as_within():
    people = [Participant("a", "X", workgroup="nurses"), Participant("b", "Y", workgroup="Nurses")]
    _, reasons = _one(people, weak_ties=[("nurses", "nurses")])
    assert "strengthens weak coordination within nurses" in reasons


def test_far_time_zones_and_unknown_ones_earn_nothing():
    far = [Participant("a", "X", time_zone="UTC-05:00"), Participant("b", "X", time_zone="UTC+01")]
    assert _one(far)[0] == 4000
    unknown = [Participant("a", "X", time_zone=""), Participant("b", "X", time_zone="UTC")]
    assert _one(unknown)[0] == 4000


def test_shared_interests_count_up_to_the_cap():
    common = frozenset({"a", "b", "c"})
    people = [Participant("x", "X", interests=common), Participant("y", "X", interests=common)]
    assert _one(people)[0] == 4000 + 1000


def test_jitter_is_below_the_smallest_weight_and_depends_on_the_seed():
    people = [Participant(str(i), "X") for i in range(30)]
    u, v = np.triu_indices(30, 1)
    one = pair_scores(compile_instance(people, seed=1), u, v) - 4000
    two = pair_scores(compile_instance(people, seed=2), u, v) - 4000
    assert one.min() >= 0
    assert one.max() < 250
    assert not np.array_equal(one, two)
    assert len(np.unique(one)) > 100


def test_to_points_keeps_three_decimals():
    assert to_points(10_500) == 10.5
    assert to_points(1) == 0.001

"""Hard rules, one hand-made case each, and check_matching."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from bridgework.matching import Match, Participant, PastMatch, Policy, check_matching, pair
from bridgework.matching.instance import compile_instance
from bridgework.matching.rules import feasible, rule_failures
from tests.matching.builders import ROUND


def test_excluded_pair_is_never_made():
    people = [Participant("a", "X", mode="video"), Participant("b", "Y", mode="video")]
    result = pair(people, exclusions=[("b", "a")], seed=1, round_date=ROUND)
    assert result.matches == ()
    assert result.sit_out == ("a", "b")


def test_pair_met_inside_the_window_is_not_repeated_but_outside_it_is():
    people = [Participant("a", "X", mode="video"), Participant("b", "Y", mode="video")]
    recent = [PastMatch("a", "b", ROUND - timedelta(days=179))]
    assert pair(people, history=recent, seed=1, round_date=ROUND).matches == ()
    old = [PastMatch("a", "b", ROUND - timedelta(days=180))]
    assert len(pair(people, history=old, seed=1, round_date=ROUND).matches) == 1
    shorter = Policy(no_repeat_days=30)
    assert len(pair(people, history=recent, policy=shorter, seed=1, round_date=ROUND).matches) == 1


def test_in_person_only_meets_only_the_same_location():
    people = [
        Participant("a", "X", location="Leeds", mode="in_person"),
        Participant("b", "Y", location="York", mode="either"),
        Participant("c", "Z", location="Leeds", mode="either"),
        Participant("d", "W", location="York", mode="video"),
    ]
    inst = compile_instance(people)
    u, v = np.triu_indices(4, 1)
    allowed = {(int(x), int(y)) for x, y, ok in zip(u, v, feasible(inst, u, v), strict=True) if ok}
    assert allowed == {(0, 2), (1, 2), (1, 3), (2, 3)}


def test_must_cross_organisation_is_optional_and_hard():
    people = [Participant("a", "X", mode="video"), Participant("b", "X", mode="video")]
    assert len(pair(people, seed=1, round_date=ROUND).matches) == 1
    strict = Policy(must_cross_organisation=True)
    assert pair(people, seed=1, round_date=ROUND, policy=strict).matches == ()


def test_rule_failures_name_each_broken_rule():
    people = [
        Participant("a", "X", location="L", mode="in_person"),
        Participant("b", "X", location="M", mode="in_person"),
    ]
    inst = compile_instance(
        people,
        exclusions=[("a", "b")],
        history=[PastMatch("a", "b", ROUND - timedelta(days=3))],
        policy=Policy(must_cross_organisation=True),
        round_date=ROUND,
    )
    failures = rule_failures(inst, np.array([0]), np.array([1]))
    assert {rule for rule, mask in failures.items() if mask[0]} == {
        "excluded",
        "recent_repeat",
        "meeting_mode",
        "same_organisation",
    }


def test_check_matching_reports_every_kind_of_violation():
    people = [Participant(x, "X", mode="video") for x in "abcde"]
    found = check_matching(
        [("a", "b"), ("b", "c"), ("d", "zed"), Match(("a", "c", "d", "e"), 0.0, ())],
        people,
        exclusions=[("a", "b")],
        holdout=["e"],
        policy=Policy(must_cross_organisation=True, odd="sit_out"),
    )
    rules = {v.rule for v in found}
    assert rules == {
        "excluded",
        "in_two_matches",
        "unknown_person",
        "group_size",
        "holdout_matched",
        "same_organisation",
    }
    assert any(str(v) == "zed: is not a participant of this round" for v in found)


def test_check_matching_accepts_a_valid_matching():
    people = [Participant(x, org, mode="video") for x, org in zip("abcd", "XYXY", strict=True)]
    assert check_matching([("a", "b"), ("c", "d")], people) == []


def test_trio_is_allowed_only_when_the_policy_allows_it():
    people = [Participant(x, "X", mode="video") for x in "abc"]
    assert check_matching([("a", "b", "c")], people) == []
    found = check_matching([("a", "b", "c")], people, policy=Policy(odd="sit_out"))
    assert [v.rule for v in found] == ["group_size"]

"""Leftover placement: pairing leftovers, trio slots from the blocking index, sit-out reasons."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.matching import Participant, Policy, check_matching, pair
from bridgework.matching.candidates import CandidateGraph
from bridgework.matching.groups import attach_leftovers, sit_out_reasons
from bridgework.matching.instance import compile_instance
from bridgework.matching.rules import feasible
from tests.matching.builders import ROUND, programme, rounds


def _empty_graph(people: np.ndarray) -> CandidateGraph:
    empty = np.empty(0, dtype=np.int64)
    return CandidateGraph(people, empty, empty, empty)


def test_leftover_finds_the_only_pair_it_can_join_without_any_candidate_edge():
    # 400 video pairs and one in-person pair in York, deep in the list; "x" meets in person
    # in York only, and has no candidate edge at all: only the blocking index can place them.
    people = [Participant(f"v{i:03d}", "A", mode="video") for i in range(800)]
    people += [Participant(f"y{i}", "B", location="York", mode="in_person") for i in range(2)]
    people.append(Participant("x", "C", location="York", mode="in_person"))
    inst = compile_instance(people, round_date=ROUND, seed=1)
    index = {str(p): k for k, p in enumerate(inst.roster.ids)}
    groups = [[index[f"v{2 * i:03d}"], index[f"v{2 * i + 1:03d}"]] for i in range(400)]
    groups.append([index["y0"], index["y1"]])
    groups, still = attach_leftovers(
        inst, groups, [index["x"]], _empty_graph(np.arange(inst.n)), np.random.default_rng(0)
    )
    assert still == []
    assert groups[-1] == [index["y0"], index["y1"], index["x"]]


def test_leftover_stays_out_only_when_no_open_pair_can_take_them():
    people = [Participant(f"v{i}", "A", mode="video") for i in range(4)]
    people.append(Participant("x", "C", location="York", mode="in_person"))
    inst = compile_instance(people, round_date=ROUND, seed=1)
    groups, still = attach_leftovers(
        inst, [[0, 1], [2, 3]], [4], _empty_graph(np.arange(5)), np.random.default_rng(0)
    )
    assert still == [4]
    assert groups == [[0, 1], [2, 3]]


def test_large_scalable_round_places_everybody_even_with_a_thin_candidate_graph():
    # One candidate per person and no random rings leave many people free after the solver;
    # before leftover placement searched every open pair, hundreds of them sat out.
    people = programme(3001, 11)
    policy = Policy(best_candidates=1, random_candidates=0, dense_below=0)
    result = pair(people, seed=4, round_date=ROUND, policy=policy, solver="scalable")
    assert result.sit_out == ()
    assert result.stats.matched == 3001
    assert check_matching(result.matches, people, policy=policy, round_date=ROUND) == []


def test_person_everyone_excluded_sits_out_with_a_reason():
    people = [Participant(x, org, mode="video") for x, org in [("a", "X"), ("b", "Y"), ("c", "Z")]]
    result = pair(
        people, exclusions=[("a", "b"), ("a", "c")], seed=0, round_date=ROUND, solver="scalable"
    )
    assert result.sit_out == ("a",)
    assert result.sit_out_reasons[0].startswith("no allowed partner: each of the 2 others")
    assert [m.members for m in result.matches] == [("b", "c")]


def test_odd_one_out_is_told_why():
    people = [Participant(f"p{i}", "XY"[i % 2], mode="video") for i in range(5)]
    result = pair(people, seed=0, round_date=ROUND, policy=Policy(odd="sit_out"))
    assert len(result.sit_out) == 1
    assert result.sit_out_reasons[0].startswith("odd one out")


def test_reasons_count_people_of_compatible_types_exactly():
    people = [
        Participant("a", "X", location="Leeds", mode="in_person"),
        Participant("b", "Y", location="York", mode="in_person"),
        Participant("c", "Z", mode="video"),
    ]
    inst = compile_instance(people, round_date=ROUND)
    why = sit_out_reasons(inst, np.arange(3), [0, 1, 2])
    assert all(reason.startswith("no allowed partner") for reason in why.values())


@settings(max_examples=80, deadline=None)
@given(rounds(), st.sampled_from(["exact", "scalable"]))
def test_only_people_the_rules_leave_out_are_left_out(case, solver):
    people, exclusions, history, policy, seed = case
    policy = dataclasses.replace(
        policy, group_size=2, dense_below=0 if solver == "scalable" else 200
    )
    result = pair(
        people,
        exclusions=exclusions,
        history=history,
        policy=policy,
        round_date=ROUND,
        seed=seed,
        solver=solver,
    )
    inst = compile_instance(
        people, exclusions=exclusions, history=history, policy=policy, round_date=ROUND
    )
    index = {str(p): k for k, p in enumerate(inst.roster.ids)}
    held = {index[h] for h in result.holdout}
    active = np.array([k for k in range(inst.n) if k not in held], dtype=np.int64)
    out = [index[x] for x in result.sit_out]
    pairs = [
        [index[m] for m in match.members] for match in result.matches if len(match.members) == 2
    ]
    assert len(result.sit_out_reasons) == len(out)
    for x, reason in zip(out, result.sit_out_reasons, strict=True):
        others = active[active != x]
        can_meet = feasible(inst, np.full(len(others), x), others)
        # The reason is right about whether anyone at all may meet them.
        assert reason.startswith("no allowed partner") == (not can_meet.any())
        # No two people left out could have been paired with each other.
        left = np.array([y for y in out if y != x], dtype=np.int64)
        assert not feasible(inst, np.full(len(left), x), left).any()
        if policy.odd == "trio":
            # ... and no pair could have taken them as a third member.
            for a, b in pairs:
                assert not (feasible(inst, [x], [a])[0] and feasible(inst, [x], [b])[0])
    if policy.odd == "sit_out":
        assert all(len(m.members) == 2 for m in result.matches)

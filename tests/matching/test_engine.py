"""pair(): hard rules, everyone matched, determinism, holdout, odd counts, trios."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.matching import Participant, PastMatch, Policy, check_matching, pair
from bridgework.matching.engine import choose_solver, draw_holdout
from bridgework.matching.instance import compile_instance
from bridgework.matching.rules import feasible
from bridgework.matching.scoring import pair_scores
from tests.matching.builders import ROUND, programme, rounds


def _max_cardinality(people, exclusions, history, policy, active_ids) -> int:
    """Oracle: networkx maximum matching over every allowed pair of the active people."""
    inst = compile_instance(
        people, exclusions=exclusions, history=history, policy=policy, round_date=ROUND
    )
    index = {str(p): k for k, p in enumerate(inst.roster.ids)}
    active = np.array(sorted(index[i] for i in active_ids), dtype=np.int64)
    graph = nx.Graph()
    graph.add_nodes_from(active.tolist())
    if len(active) > 1:
        u, v = np.triu_indices(len(active), 1)
        ok = feasible(inst, active[u], active[v])
        graph.add_edges_from(zip(active[u][ok].tolist(), active[v][ok].tolist(), strict=True))
    return len(nx.max_weight_matching(graph, maxcardinality=True))


@settings(max_examples=80, deadline=None)
@given(rounds(), st.sampled_from(["exact", "scalable"]))
def test_hard_rules_are_never_broken(case, solver):
    people, exclusions, history, policy, seed = case
    policy = dataclasses.replace(policy, dense_below=0 if solver == "scalable" else 200)
    result = pair(
        people,
        exclusions=exclusions,
        history=history,
        policy=policy,
        round_date=ROUND,
        seed=seed,
        solver=solver,
    )
    assert (
        check_matching(
            result.matches,
            people,
            exclusions=exclusions,
            history=history,
            policy=policy,
            round_date=ROUND,
            holdout=result.holdout,
        )
        == []
    )
    everyone = [m for match in result.matches for m in match.members]
    assert sorted(everyone + list(result.sit_out) + list(result.holdout)) == [p.id for p in people]


@settings(max_examples=60, deadline=None)
@given(rounds())
def test_everyone_is_matched_except_holdout_and_the_odd_ones(case):
    people, exclusions, history, policy, seed = case
    policy = dataclasses.replace(policy, group_size=2)
    result = pair(
        people,
        exclusions=exclusions,
        history=history,
        policy=policy,
        round_date=ROUND,
        seed=seed,
        solver="exact",
    )
    active = [p.id for p in people if p.id not in set(result.holdout)]
    best = _max_cardinality(people, exclusions, history, policy, active)
    unmatched = len(active) - 2 * best
    trios = sum(len(m.members) == 3 for m in result.matches)
    assert sum(len(m.members) == 2 for m in result.matches) + trios == best
    assert trios + len(result.sit_out) == unmatched
    if policy.odd == "sit_out":
        assert trios == 0


@settings(max_examples=50, deadline=None)
@given(rounds())
def test_same_inputs_and_seed_give_the_same_round_whatever_the_input_order(case):
    people, exclusions, history, policy, seed = case
    first = pair(
        people, exclusions=exclusions, history=history, policy=policy, round_date=ROUND, seed=seed
    ).to_dict()
    second = pair(
        list(reversed(people)),
        exclusions=exclusions,
        history=history[::-1],
        policy=policy,
        round_date=ROUND,
        seed=seed,
    ).to_dict()
    first["stats"].pop("seconds")
    second["stats"].pop("seconds")
    assert first == second


@settings(max_examples=50, deadline=None)
@given(rounds())
def test_score_of_a_matching_is_the_sum_of_its_pairs(case):
    people, exclusions, history, policy, seed = case
    result = pair(
        people, exclusions=exclusions, history=history, policy=policy, round_date=ROUND, seed=seed
    )
    inst = compile_instance(people, history=history, policy=policy, round_date=ROUND, seed=seed)
    index = {str(p): k for k, p in enumerate(inst.roster.ids)}
    total = 0
    for match in result.matches:
        members = [index[m] for m in match.members]
        u = [a for k, a in enumerate(members) for _ in members[k + 1 :]]
        v = [b for k, _ in enumerate(members) for b in members[k + 1 :]]
        milli = int(pair_scores(inst, np.array(u), np.array(v)).sum())
        assert match.score == pytest.approx(milli / 1000, abs=1e-9)
        total += milli
    assert result.total_score == pytest.approx(total / 1000, abs=1e-9)
    assert result.total_score == pytest.approx(sum(m.score for m in result.matches), abs=1e-6)


def test_seed_changes_the_pairing_among_equally_good_partners():
    people = [Participant(f"p{i}", "A" if i % 2 else "B") for i in range(20)]
    outcomes = {
        tuple(m.members for m in pair(people, seed=s, round_date=ROUND).matches) for s in range(6)
    }
    assert len(outcomes) > 1


def test_even_open_round_matches_everybody_in_pairs():
    people = programme(60, 3)
    people = [dataclasses.replace(p, mode="video") for p in people]
    result = pair(people, seed=1, round_date=ROUND)
    assert result.stats.matched == 60
    assert all(len(m.members) == 2 for m in result.matches)
    assert result.sit_out == ()


def test_odd_count_makes_one_trio_or_one_sit_out():
    people = [dataclasses.replace(p, mode="video") for p in programme(11, 4)]
    trio = pair(people, seed=1, round_date=ROUND)
    assert sorted(len(m.members) for m in trio.matches) == [2, 2, 2, 2, 3]
    sit = pair(people, seed=1, round_date=ROUND, policy=Policy(odd="sit_out"))
    assert len(sit.sit_out) == 1
    assert all(len(m.members) == 2 for m in sit.matches)


def test_priority_person_does_not_sit_out_again():
    people = [Participant(x, org, mode="video") for x, org in [("a", "X"), ("b", "Y"), ("c", "Z")]]
    for target in ("a", "b", "c"):
        marked = [dataclasses.replace(p, priority=p.id == target) for p in people]
        for seed in range(5):
            result = pair(marked, seed=seed, round_date=ROUND, policy=Policy(odd="sit_out"))
            assert len(result.sit_out) == 1
            assert target not in result.sit_out


def test_holdout_is_a_seeded_random_fraction_recorded_in_the_result():
    people = programme(100, 5)
    result = pair(people, seed=9, round_date=ROUND, policy=Policy(holdout_share=0.1))
    assert len(result.holdout) == 10
    again = pair(people, seed=9, round_date=ROUND, policy=Policy(holdout_share=0.1))
    assert again.holdout == result.holdout
    ids = sorted(p.id for p in people)
    assert result.holdout == tuple(ids[i] for i in draw_holdout(100, 0.1, 9))
    assert not set(result.holdout) & {m for match in result.matches for m in match.members}
    other = pair(people, seed=10, round_date=ROUND, policy=Policy(holdout_share=0.1))
    assert other.holdout != result.holdout


def test_holdout_does_not_depend_on_preferences_or_rules():
    people = programme(50, 6)
    plain = pair(people, seed=3, round_date=ROUND, policy=Policy(holdout_share=0.2))
    strict = pair(
        people,
        seed=3,
        round_date=ROUND,
        policy=Policy(holdout_share=0.2, must_cross_organisation=True, no_repeat_days=10),
    )
    assert plain.holdout == strict.holdout


def test_group_size_three_makes_trios():
    people = [dataclasses.replace(p, mode="video") for p in programme(12, 7)]
    result = pair(people, seed=2, round_date=ROUND, policy=Policy(group_size=3))
    assert sorted(len(m.members) for m in result.matches) == [3, 3, 3, 3]
    assert check_matching(result.matches, people, policy=Policy(group_size=3)) == []


def test_group_size_three_with_remainder_one_leaves_two_pairs():
    people = [dataclasses.replace(p, mode="video") for p in programme(13, 8)]
    result = pair(people, seed=2, round_date=ROUND, policy=Policy(group_size=3))
    assert sorted(len(m.members) for m in result.matches) == [2, 2, 3, 3, 3]


def test_auto_solver_switches_at_the_policy_threshold():
    policy = Policy(exact_max_people=100)
    assert choose_solver(100, policy) == "exact"
    assert choose_solver(101, policy) == "scalable"
    assert choose_solver(10, policy, "scalable") == "scalable"
    with pytest.raises(ValueError, match="solver"):
        choose_solver(10, policy, "magic")


def test_progress_callback_reaches_the_end_in_order():
    seen = []
    pair(programme(300, 1), seed=1, round_date=ROUND, progress=lambda s, f: seen.append(f))
    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen == sorted(seen)


def test_stats_count_cross_organisation_first_meetings_and_bridges():
    people = [
        Participant("a", "X", workgroup="nurses", mode="video"),
        Participant("b", "Y", workgroup="porters", mode="video"),
    ]
    history = [PastMatch("a", "b", ROUND - timedelta(days=400))]
    result = pair(
        people, history=history, weak_ties=[("nurses", "porters")], seed=0, round_date=ROUND
    )
    assert result.stats.participants == 2
    assert result.stats.matched == 2
    assert result.stats.cross_organisation_share == 1.0
    assert result.stats.first_meeting_share == 0.0
    assert result.stats.weak_tie_bridges == 1
    assert result.matches[0].reasons[0] == f"met before, last on {ROUND - timedelta(days=400)}"


def test_round_date_defaults_to_today():
    people = [Participant("a", "X", mode="video"), Participant("b", "Y", mode="video")]
    yesterday = date.today() - timedelta(days=1)
    result = pair(people, history=[PastMatch("a", "b", yesterday)], seed=0)
    assert result.sit_out == ("a", "b")

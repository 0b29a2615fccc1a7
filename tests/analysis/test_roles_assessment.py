"""The network roles self-assessment: items as data, scoring, the mix and the side-by-side view."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.analysis.roles_assessment import (
    ASSESSMENT_ROLES,
    ITEMS,
    SCALE,
    roles_mix,
    score_assessment,
    self_and_network_view,
)


def _answers(**by_role):
    return {item.id: by_role.get(item.role, 3) for item in ITEMS}


def test_items_cover_each_role_equally_with_unique_ids():
    assert len({item.id for item in ITEMS}) == len(ITEMS)
    for role in ASSESSMENT_ROLES:
        assert sum(item.role == role for item in ITEMS) == 4
    assert sorted(SCALE) == [1, 2, 3, 4, 5]


def test_scores_are_item_means_and_primary_is_the_top_role():
    answers = _answers(broker=5, connector=4)
    answers["b1"] = 3  # broker mean (3 + 5 + 5 + 5) / 4
    profile = score_assessment(answers)
    assert profile.scores["broker"] == pytest.approx(4.5)
    assert profile.scores["connector"] == pytest.approx(4.0)
    assert profile.primary == ("broker",)
    assert profile.answered == 16


def test_ties_and_margin_give_several_primary_roles():
    assert score_assessment(_answers(broker=5, energiser=5)).primary == ("broker", "energiser")
    near = _answers(broker=5, energiser=4)
    assert score_assessment(near, primary_margin=1.0).primary == ("broker", "energiser")


def test_no_primary_role_when_nothing_is_agreed_with():
    assert score_assessment(_answers()).primary == ()


def test_roles_with_too_few_answers_are_not_scored():
    answers = _answers(challenger=5)
    for item_id in ("h1", "h2"):
        answers[item_id] = None
    profile = score_assessment(answers)
    assert profile.scores["challenger"] is None
    assert profile.answered == 14


@pytest.mark.parametrize(("item", "value"), [("zz", 3), ("b1", 0), ("b1", 6), ("b1", 2.5)])
def test_bad_answers_are_rejected(item, value):
    with pytest.raises(ValueError, match=r"unknown|1–5"):
        score_assessment({item: value})


def test_mix_counts_primary_roles_and_suppresses_small_numbers():
    profiles = (
        [score_assessment(_answers(broker=5))] * 3
        + [score_assessment(_answers(challenger=5))] * 2
        + [score_assessment(_answers())]
    )
    mix = roles_mix(profiles)
    assert mix.primary_counts == {"broker": 3, "connector": 0, "energiser": 0, "challenger": 2}
    assert mix.no_primary == 1
    assert mix.mean_scores["broker"] == pytest.approx((5 * 3 + 3 * 3) / 6)
    small = roles_mix(profiles[:4])
    assert small.suppressed
    assert small.primary_counts is None
    assert small.to_dict()["mean_scores"] is None
    with pytest.raises(ValueError, match="at least 3"):
        roles_mix(profiles, min_group_size=2)
    with pytest.raises(ValueError, match="at most 100"):
        roles_mix(profiles, min_group_size=101)


def test_self_and_network_view_only_for_consenting_people():
    broker = score_assessment(_answers(broker=5))
    view = self_and_network_view(
        {"1": broker, "2": broker}, {"1": ["broker", "peripheral"], "2": ["broker"]}, ["1", "3"]
    )
    assert [row["id"] for row in view] == ["1"]
    assert view[0]["agree"] == ["broker"]
    assert view[0]["network_roles"] == ["broker", "peripheral"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=16, max_size=16))
def test_scores_stay_on_the_scale_and_primary_roles_score_highest(values):
    profile = score_assessment({item.id: v for item, v in zip(ITEMS, values, strict=True)})
    scored = {r: s for r, s in profile.scores.items() if s is not None}
    for score in scored.values():
        assert 1 <= score <= 5
    for role in profile.primary:
        assert scored[role] == max(scored.values())
        assert scored[role] >= 3.5

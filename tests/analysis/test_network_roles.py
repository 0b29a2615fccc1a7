"""Role rules: each rule on hand-made measures, tunable thresholds, plain explanations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.analysis.network_roles import (
    ROLES,
    RoleInputs,
    RoleRules,
    assign_roles,
    explain_role,
    share_below,
)


def _inputs(n=10, **overrides):
    base = {
        "brokerage": np.zeros(n),
        "betweenness": np.zeros(n),
        "constraint": np.full(n, 0.5),
        "outside_groups": np.zeros(n, int),
        "community": np.zeros(n, int),
        "in_degree_in_community": np.ones(n, int),
        "clustering": np.full(n, 0.5),
        "contacts": np.full(n, 4),
        "energy_ratings": np.zeros(n, int),
        "energy_mean": np.full(n, np.nan),
        "challenger": np.zeros(n, bool),
    }
    base.update({k: np.asarray(v) for k, v in overrides.items()})
    return RoleInputs(**base)


def _holders(inputs, rules=None):
    return {
        role: np.flatnonzero(mask).tolist() for role, mask in assign_roles(inputs, rules).items()
    }


def test_broker_needs_top_brokerage_low_constraint_and_several_outside_groups():
    brokerage = [0, 0, 0, 0, 0, 0, 0, 0, 9, 8]
    constraint = [0.5] * 8 + [0.2, 0.9]  # person 9 is too constrained
    outside = [0] * 8 + [3, 3]
    rules = RoleRules(broker_top_share=0.2)
    inputs = _inputs(brokerage=brokerage, constraint=constraint, outside_groups=outside)
    assert _holders(inputs, rules)["broker"] == [8]
    # Default top 10%: person 9 has only 8 of 9 others below, so only person 8 can qualify.
    assert _holders(inputs)["broker"] == [8]
    one_group = _inputs(brokerage=brokerage, constraint=constraint, outside_groups=[1] * 10)
    assert _holders(one_group, rules)["broker"] == []


def test_broker_by_betweenness_alone():
    between = [0.0] * 9 + [40.0]
    held = _holders(_inputs(betweenness=between, outside_groups=[2] * 10, constraint=[0.1] * 10))
    assert held["broker"] == [9]


def test_connector_is_top_of_own_community_with_clustered_contacts():
    community = [0] * 5 + [1] * 5
    in_degree = [1, 1, 1, 1, 4, 0, 0, 5, 3, 0]
    clustering = [0.5] * 7 + [
        0.1,
        0.5,
        0.5,
    ]  # 7 tops community 1 but its contacts do not know each other
    held = _holders(
        _inputs(community=community, in_degree_in_community=in_degree, clustering=clustering)
    )
    assert held["connector"] == [4]


def test_energiser_needs_enough_high_ratings():
    ratings = [3, 2, 5, 0, 0, 0, 0, 0, 0, 0]
    mean = [4.5, 5.0, 3.9] + [np.nan] * 7
    assert _holders(_inputs(energy_ratings=ratings, energy_mean=mean))["energiser"] == [0]


def test_peripheral_and_challenger():
    contacts = [0, 1, 2, 5, 5, 5, 5, 5, 5, 5]
    challenger = [False] * 9 + [True]
    held = _holders(_inputs(contacts=contacts, challenger=challenger))
    assert held["peripheral"] == [0, 1]
    assert held["challenger"] == [9]


def test_thresholds_are_tunable():
    contacts = [0, 1, 2, 5, 5, 5, 5, 5, 5, 5]
    rules = RoleRules(peripheral_max_contacts=2)
    assert _holders(_inputs(contacts=contacts), rules)["peripheral"] == [0, 1, 2]
    text = explain_role("peripheral", rules)
    assert "at most 2 tie(s)" in text


def test_every_role_has_a_plain_explanation_showing_its_thresholds():
    rules = RoleRules(broker_top_share=0.05, energiser_min_mean=4.5)
    for role in ROLES:
        assert explain_role(role, rules).startswith(role.capitalize())
    assert "top 5%" in explain_role("broker", rules)
    assert "4.5 out of 5" in explain_role("energiser", rules)
    with pytest.raises(ValueError, match="unknown role"):
        explain_role("wizard")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=30))
def test_share_below_is_the_share_of_others_strictly_lower(values):
    shares = share_below(np.array(values, dtype=float))
    n = len(values)
    for value, share in zip(values, shares, strict=True):
        expected = sum(v < value for v in values) / (n - 1) if n > 1 else 0.0
        assert share == pytest.approx(expected)

"""Policy TOML: defaults, overrides, and clear errors for every mistake at once."""

from __future__ import annotations

import pytest

from bridgework.datasets.tabular import DatasetError
from bridgework.matching import Policy, Weights, load_policy, parse_policy


def test_defaults_are_documented_values():
    policy = Policy()
    assert policy.no_repeat_days == 180
    assert policy.odd == "trio"
    assert policy.weights == Weights(3.0, 2.5, 1.0, 1.0, 2.0, 1.0, 0.5, 0.5, 0.25)
    assert policy.weights.jitter < min(policy.weights.shared_interest, 0.5)


def test_file_overrides_only_what_it_sets(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(
        "[rules]\nno_repeat_days = 90\nmust_cross_organisation = true\n"
        '[groups]\nodd = "sit-out"\nholdout_share = 0.1\n[weights]\nfirst_meeting = 4\n'
        "[candidates]\nbest = 5\n[solver]\nexact_max_people = 100\n"
    )
    policy = load_policy(path)
    assert policy.no_repeat_days == 90
    assert policy.must_cross_organisation is True
    assert policy.odd == "sit_out"
    assert policy.holdout_share == 0.1
    assert policy.weights.first_meeting == 4.0
    assert policy.weights.cross_organisation == 2.5
    assert policy.best_candidates == 5
    assert policy.exact_max_people == 100


def test_every_mistake_is_reported_with_its_key():
    with pytest.raises(DatasetError) as caught:
        parse_policy(
            {
                "rules": {"no_repeat_days": -1, "must_cross_organisation": "yes"},
                "groups": {"odd": "quartet", "group_size": 4.0},
                "weights": {"first_meeting": "high", "sparkle": 1},
                "colours": {},
            }
        )
    messages = {str(p) for p in caught.value.problems}
    assert messages == {
        "column rules.no_repeat_days: must be between 0 and 36500",
        "column rules.must_cross_organisation: must be true or false",
        'column groups.odd: must be "trio" or "sit-out"',
        "column groups.group_size: must be a whole number",
        "column weights.first_meeting: must be a number",
        "column weights.sparkle: unknown setting",
        "column colours: unknown section",
    }


def test_broken_toml_is_one_clear_problem(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text("[rules\n")
    with pytest.raises(DatasetError, match="not valid TOML"):
        load_policy(path)


@pytest.mark.parametrize("share", [0.0, 0.25, 0.5])
def test_holdout_share_from_none_to_a_half_is_a_policy(share):
    assert Policy(holdout_share=share).holdout_share == share


@pytest.mark.parametrize("share", [0.51, 0.9, -0.1, float("nan"), True, "0.2"])
def test_holdout_share_outside_0_to_a_half_is_refused_by_the_policy(share):
    with pytest.raises(ValueError, match=r"holdout_share must be a share between 0 and 0\.5"):
        Policy(holdout_share=share)


def test_policy_file_holdout_share_above_a_half_is_a_problem():
    with pytest.raises(DatasetError) as caught:
        parse_policy({"groups": {"holdout_share": 0.6}})
    assert [str(p) for p in caught.value.problems] == [
        "column groups.holdout_share: must be between 0 and 0.5"
    ]


def test_policy_file_with_the_old_holdout_key_says_its_new_name():
    with pytest.raises(DatasetError) as caught:
        parse_policy({"groups": {"holdout": 0.1}})
    assert [str(p) for p in caught.value.problems] == [
        "column groups.holdout: unknown setting: it is now groups.holdout_share"
    ]

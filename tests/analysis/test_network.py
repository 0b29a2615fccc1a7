"""analyze_network end to end: the JSON contract, group-level output, validity and options."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.analysis.network import NetworkOptions, analyze_network
from bridgework.analysis.roles_assessment import ITEMS, score_assessment
from bridgework.datasets.tabular import DatasetError

SCHEMA = json.loads(
    resources.files("bridgework").joinpath("schemas/network-analysis.schema.json").read_text()
)

PEOPLE = pd.DataFrame(
    {
        "id": ["person-a", "person-b", "person-c", "person-d", "person-e", "person-f"],
        "name": ["Ann Ash", "Bo Birch", "Cy Cedar", "Di Dogwood", "Ed Elm", "Flo Fir"],
        "organisation": ["Health", "Health", "Care", "Care", "Housing", "Housing"],
        "team": ["T1", "T1", "T2", "T2", "T3", ""],
    }
)
NOMINATIONS = pd.DataFrame(
    {
        "ego": ["person-a", "person-b", "person-c", "person-d", "person-b", "person-a", "person-c"],
        "alter": [
            "person-b",
            "person-c",
            "person-d",
            "person-e",
            "person-a",
            "person-c",
            "person-b",
        ],
        "relation": ["works_with"] * 5 + ["energy", "energy"],
        "weight": ["4", "3", "5", "2", "4", "5", "4"],
    }
)


def test_output_follows_the_json_schema():
    data = analyze_network(PEOPLE, NOMINATIONS).to_dict()
    jsonschema.validate(data, SCHEMA)
    json.dumps(data, allow_nan=False)
    assert [p["id"] for p in data["people"]] == PEOPLE["id"].tolist()


def test_per_person_figures_on_a_hand_worked_chain():
    data = analyze_network(PEOPLE, NOMINATIONS, NetworkOptions(relation="works_with")).to_dict()
    people = {p["id"]: p for p in data["people"]}
    b = people["person-b"]
    assert (b["in_degree"], b["out_degree"], b["in_strength"], b["out_strength"]) == (1, 2, 4, 7)
    # Directed chain a ⇄ b → c → d → e: c lies on a→d, a→e, b→d, b→e.
    assert people["person-c"]["betweenness"] == 4.0
    # b brokers a → b → c: a and b in Health, c in Care — a representative.
    assert b["brokerage"] == {
        "coordinator": 0, "itinerant": 0, "representative": 1,
        "gatekeeper": 0, "liaison": 0, "total": 1,
    }  # fmt: skip
    assert people["person-f"]["isolate"] is True
    assert people["person-f"]["constraint"] is None
    assert people["person-f"]["community"] is None
    assert set(b["ei_index"]) == {"organisation", "team"}
    assert "peripheral" in people["person-f"]["roles"]


def test_all_relations_merge_and_energy_ratings_are_counted_separately():
    result = analyze_network(PEOPLE, NOMINATIONS)
    people = {p.id: p for p in result.people}
    # The five works_with arcs plus a→c and c→b from the energy relation.
    assert result.summary.ties == 7
    assert people["person-c"].energy_ratings == 1
    assert people["person-c"].energy_mean == 5.0


def test_records_and_dataframes_give_the_same_result():
    frame = analyze_network(PEOPLE, NOMINATIONS).to_dict()
    records = analyze_network(PEOPLE.to_dict("records"), NOMINATIONS.to_dict("records"))
    assert records.to_dict() == frame


def test_low_response_rate_warns_that_people_level_figures_are_unreliable():
    result = analyze_network(PEOPLE, NOMINATIONS)
    # Egos: a, b, c, d → 4 of 6 = 67%.
    assert result.validity.response_rate == pytest.approx(4 / 6)
    assert not result.validity.reliable
    assert any("unreliable" in w for w in result.warnings)
    assert "in_degree" in result.validity.robust_measures
    assert "betweenness" in result.validity.sensitive_measures
    everyone = analyze_network(PEOPLE, NOMINATIONS, respondents=PEOPLE["id"])
    assert everyone.validity.reliable
    assert not any("unreliable" in w for w in everyone.warnings)


def test_responded_column_sets_respondents():
    people = PEOPLE.assign(responded=["yes", "yes", "yes", "yes", "yes", "no"])
    result = analyze_network(people, NOMINATIONS)
    assert result.validity.respondents == 5
    assert [p.respondent for p in result.people][-1] is False


def test_group_level_output_contains_no_person_ids_or_names():
    result = analyze_network(PEOPLE, NOMINATIONS, respondents=PEOPLE["id"])
    text = json.dumps(result.group_level())
    for value in [*PEOPLE["id"], *PEOPLE["name"]]:
        assert value not in text
    level = result.group_level()
    assert level["groups"]["names"] == ["Care", "Health", "Housing"]
    assert set(level["roles"]["by_group"]) == {"Care", "Health", "Housing"}
    assert sum(level["roles"]["by_group"]["Housing"].values()) >= 1  # f is peripheral


def test_self_assessed_challengers_get_the_role():
    challenger = score_assessment({i.id: 5 if i.role == "challenger" else 2 for i in ITEMS})
    result = analyze_network(PEOPLE, NOMINATIONS, self_assessment={"person-d": challenger})
    assert result.role_holders()["challenger"] == ["person-d"]


def test_unknown_group_by_column_is_a_dataset_error():
    with pytest.raises(DatasetError, match="column region"):
        analyze_network(PEOPLE, NOMINATIONS, NetworkOptions(group_by="region"))


def test_invalid_nominations_raise_every_problem():
    bad = NOMINATIONS.assign(alter=["person-a", "nobody", *NOMINATIONS["alter"][2:]])
    with pytest.raises(DatasetError) as error:
        analyze_network(PEOPLE, bad)
    assert len(error.value.problems) == 2


def test_without_groups_there_is_no_brokerage_or_weaving():
    result = analyze_network(PEOPLE, NOMINATIONS, NetworkOptions(group_by=None))
    assert result.groups is None
    assert result.weaving == ()
    assert all(p.brokerage["total"] == 0 for p in result.people)
    jsonschema.validate(result.to_dict(), SCHEMA)


def test_people_frame_flattens_brokerage_and_ei():
    frame = analyze_network(PEOPLE, NOMINATIONS).people_frame()
    assert {"brokerage_total", "ei_organisation", "betweenness"} <= set(frame.columns)
    assert len(frame) == len(PEOPLE)


@st.composite
def _networks(draw):
    n = draw(st.integers(2, 12))
    ids = [f"p{i}" for i in range(n)]
    orgs = draw(st.lists(st.sampled_from(["A", "B", "C", ""]), min_size=n, max_size=n))
    pairs = [(a, b) for a in ids for b in ids if a != b]
    arcs = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=min(len(pairs), 40)))
    people = pd.DataFrame({"id": ids, "organisation": orgs})
    noms = pd.DataFrame({"ego": [a for a, _ in arcs], "alter": [b for _, b in arcs]})
    return people, noms


@settings(max_examples=50, deadline=None)
@given(_networks())
def test_invariants_hold_on_random_networks(network):
    people, noms = network
    data = analyze_network(people, noms).to_dict()
    jsonschema.validate(data, SCHEMA)
    rows = data["people"]
    assert sum(p["in_degree"] for p in rows) == sum(p["out_degree"] for p in rows)
    assert sum(p["in_degree"] for p in rows) == data["network"]["ties"] == len(noms)
    assert data["network"]["isolates"] == sum(p["isolate"] for p in rows)
    for p in rows:
        brokerage = p["brokerage"]
        assert brokerage["total"] == sum(v for k, v in brokerage.items() if k != "total")
        assert brokerage["total"] <= p["in_degree"] * p["out_degree"]
        if p["isolate"]:
            assert p["betweenness"] == 0
            assert p["k_core"] == 0
    if data["groups"] is not None:
        ties = data["groups"]["ties"]
        assert sum(map(sum, ties)) <= data["network"]["ties"]


def test_a_wave_with_no_nominations_yet_gives_an_empty_network():
    result = analyze_network(PEOPLE, [])
    assert result.summary.ties == 0
    assert result.validity.respondents == 0
    assert all(p.isolate for p in result.people)
    jsonschema.validate(result.to_dict(), SCHEMA)

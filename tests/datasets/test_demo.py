"""The demo network: reproducible, realistically shaped, and a valid people file."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import replace

import pytest

from bridgework.datasets.demo import (
    DEMO_NETWORK_NAME,
    DEMO_NETWORK_SLUG,
    DEMO_SEED,
    DemoNetwork,
    build_demo_network,
    demo_rng,
    email_local_part,
)
from bridgework.datasets.people import is_valid_email, read_people, write_people
from bridgework.datasets.timezones import valid_time_zones


@pytest.fixture(scope="module")
def demo() -> DemoNetwork:
    return build_demo_network()


def test_same_seed_gives_the_same_network_and_another_seed_other_people(demo):
    assert build_demo_network(DEMO_SEED) == demo
    other = build_demo_network(7)
    assert other.seed == 7
    assert other.organisations == demo.organisations
    assert other.teams == demo.teams
    assert {p.email for p in other.people} != {p.email for p in demo.people}


def test_building_the_demo_leaves_the_global_random_state_alone():
    random.seed(1)
    state = random.getstate()
    build_demo_network(3)
    assert random.getstate() == state


def test_random_streams_are_independent_per_purpose():
    assert demo_rng(1, "people").random() == demo_rng(1, "people").random()
    assert demo_rng(1, "people").random() != demo_rng(1, "surveys").random()
    assert demo_rng(1, "people").random() != demo_rng(2, "people").random()


def test_network_identity(demo):
    assert (demo.name, demo.slug, demo.seed) == (DEMO_NETWORK_NAME, DEMO_NETWORK_SLUG, 2026)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", DEMO_NETWORK_SLUG)
    assert demo.time_zone == "America/Los_Angeles"


def test_organisations_cover_the_agencies_of_a_system_of_care(demo):
    kinds = Counter(org.kind for org in demo.organisations)
    assert len(demo.organisations) >= 7
    assert len(kinds) >= 6
    assert {"behavioural health", "child welfare", "probation", "public health", "education",
            "court"} <= set(kinds)  # fmt: skip
    assert kinds["community provider"] >= 2
    assert any("School District" in org.name for org in demo.organisations)
    for org in demo.organisations:
        assert all((org.name, org.short_name, org.description))
        assert org.domain.endswith(".example")  # RFC 2606: can never reach a real inbox
    assert len({org.name for org in demo.organisations}) == len(demo.organisations)
    assert len({org.domain for org in demo.organisations}) == len(demo.organisations)


def test_each_organisation_has_two_to_five_teams(demo):
    per_org = Counter(team.organisation for team in demo.teams)
    assert set(per_org) == {org.name for org in demo.organisations}
    assert all(2 <= count <= 5 for count in per_org.values())
    assert len(set(demo.teams)) == len(demo.teams)


def test_workgroups_are_cross_agency_roles_with_descriptions(demo):
    names = [w.name for w in demo.workgroups]
    assert len(names) >= 12
    assert len(set(names)) == len(names)
    for expected in ("Case planners", "Clinicians", "Probation officers", "School counsellors",
                     "Public health nurses", "Peer and family partners",
                     "Supervisors and managers", "Court liaisons", "Care coordinators",
                     "Intake screeners", "Youth mentors", "Housing navigators"):  # fmt: skip
        assert expected in names
    assert all(w.description and "\n" not in w.description for w in demo.workgroups)
    # Roles are shared across agencies: most workgroups have people in several organisations.
    spread = Counter()
    for workgroup in names:
        spread[workgroup] = len({p.organisation for p in demo.people if p.workgroup == workgroup})
    assert spread["Supervisors and managers"] == len(demo.organisations)
    assert sum(1 for count in spread.values() if count >= 2) >= 8


def test_about_three_hundred_people_with_child_welfare_and_behavioural_health_largest(demo):
    assert 280 <= len(demo.people) <= 320
    sizes = {org.kind: len(demo.people_in(org.name)) for org in demo.organisations}
    largest_two = sorted(sizes, key=sizes.get, reverse=True)[:2]
    assert set(largest_two) == {"child welfare", "behavioural health"}
    assert min(sizes.values()) >= 10


def test_people_belong_to_known_organisations_teams_and_workgroups(demo):
    teams = {(t.organisation, t.name) for t in demo.teams}
    workgroups = {w.name for w in demo.workgroups}
    for person in demo.people:
        assert person.row == 0
        assert person.team == "" or (person.organisation, person.team) in teams
        assert person.workgroup in workgroups
        assert all((person.job_title, person.location))
    every_team = {(p.organisation, p.team) for p in demo.people if p.team}
    assert every_team == teams


def test_emails_are_unique_valid_and_at_the_organisations_domain(demo):
    emails = [p.email_key for p in demo.people]
    assert len(set(emails)) == len(emails)
    domain_of = {org.name: org.domain for org in demo.organisations}
    for person in demo.people:
        assert is_valid_email(person.email)
        assert person.email == person.email.lower()
        assert person.email.endswith("@" + domain_of[person.organisation])


def test_names_are_diverse_and_not_repeated(demo):
    names = [p.name for p in demo.people]
    assert len(set(names)) == len(names)
    assert len({name.split(" ")[0] for name in names}) >= 100
    assert any(not name.isascii() for name in names)


def test_every_manager_exists_and_the_chain_ends_at_a_director_without_cycles(demo):
    by_email = {p.email: p for p in demo.people}
    directors = [p for p in demo.people if not p.manager_email]
    assert len(directors) == len(demo.organisations)
    assert {d.organisation for d in directors} == {o.name for o in demo.organisations}
    for person in demo.people:
        seen = {person.email}
        current = person
        while current.manager_email:
            assert current.manager_email in by_email, f"unknown manager of {current.email}"
            current = by_email[current.manager_email]
            assert current.email not in seen, f"management cycle through {person.email}"
            seen.add(current.email)
        assert current in directors
        assert len(seen) <= 3  # member → team manager → director
        assert current.organisation == person.organisation


def test_each_team_has_one_manager_who_reports_to_the_director(demo):
    director_of = {p.organisation: p.email for p in demo.people if not p.manager_email}
    for team in demo.teams:
        members = [p for p in demo.people if (p.organisation, p.team) == (team.organisation,
                                                                           team.name)]  # fmt: skip
        managers = [p for p in members if p.manager_email == director_of[team.organisation]]
        assert len(managers) == 1, team
        assert managers[0].workgroup == "Supervisors and managers"
        assert all(p.manager_email == managers[0].email for p in members if p is not managers[0])
        assert len(members) >= 2


def test_a_handful_are_inactive_and_none_of_them_manages_anyone(demo):
    inactive = [p for p in demo.people if not p.active]
    assert 3 <= len(inactive) <= 12
    managers = {p.manager_email for p in demo.people}
    assert not any(p.email in managers for p in inactive)


def test_time_zones_are_mostly_pacific_and_all_valid(demo):
    zones = Counter(p.time_zone for p in demo.people)
    assert set(zones) <= valid_time_zones()
    assert zones["America/Los_Angeles"] / len(demo.people) >= 0.9
    assert len(zones) >= 3
    assert len({p.location for p in demo.people}) >= 4


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_person_is_valid_when_written_and_read_back(demo, file_format):
    data = write_people(demo.people, format=file_format)
    back = read_people(data, filename=f"people.{file_format}")
    assert [replace(p, row=0) for p in back] == list(demo.people)


@pytest.mark.parametrize(
    ("name", "local"),
    [
        ("Zoë Adeyemi", "zoe.adeyemi"),
        ("Pa Nhia Dela Cruz", "panhia.delacruz"),
        ("Min-jun Nguyễn", "min-jun.nguyen"),
        ("Tomás O'Brien", "tomas.obrien"),
        ("Sione Fa'alogo", "sione.faalogo"),
    ],
)
def test_email_local_parts_fold_diacritics_and_keep_given_and_family_names_apart(name, local):
    assert email_local_part(name) == local


def test_docstring_examples_run():
    import doctest

    from bridgework.datasets import demo

    result = doctest.testmod(demo)
    assert result.attempted > 0
    assert result.failed == 0

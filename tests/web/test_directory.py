"""Directory pages: list, search, filters, create, edit, deactivate; roles; query counts."""

from __future__ import annotations

import pytest

from bridgework.directory.models import Organisation, Person, Team, Workgroup
from tests.queries import assert_queries_do_not_grow


@pytest.mark.django_db
def test_people_list_searches_and_filters(coordinator, network_a):
    url = f"/n/{network_a.slug}/people/"
    html = coordinator.get(url).content.decode()
    assert "alpha Manager" in html
    assert "alpha Staff" in html
    html = coordinator.get(url, {"q": "staff"}).content.decode()
    assert "alpha Staff" in html
    assert "alpha Manager" not in html
    staff = Person.objects.get(email="staff@alpha.example")
    staff.active = False
    staff.save()
    assert "alpha Staff" not in coordinator.get(url).content.decode()
    assert "alpha Staff" in coordinator.get(url, {"status": "inactive"}).content.decode()
    workgroup = Workgroup.objects.create(network=network_a, name="Probation officers")
    html = coordinator.get(url, {"workgroup": workgroup.pk, "status": "all"}).content.decode()
    assert "No one matches" in html


@pytest.mark.django_db
def test_people_list_query_count_does_not_grow_with_people(coordinator, network_a):
    url = f"/n/{network_a.slug}/people/"
    org = Organisation.objects.get(network=network_a)
    team = Team.objects.get(network=network_a)
    manager = Person.objects.get(email="manager@alpha.example")

    def grow(people: int) -> None:
        for i in range(Person.objects.filter(name__startswith="P").count(), people):
            Person.objects.create(
                network=network_a,
                name=f"P{i}",
                email=f"p{i}@alpha.example",
                organisation=org,
                team=team,
                manager=manager,
            )

    def page() -> None:
        assert coordinator.get(url).status_code == 200

    assert_queries_do_not_grow(grow=grow, page=page, sizes=(3, 40))


@pytest.mark.django_db
def test_create_edit_and_deactivate_a_person(coordinator, network_a):
    org = Organisation.objects.get(network=network_a)
    response = coordinator.post(
        f"/n/{network_a.slug}/people/new/",
        {
            "name": "Ada Obi",
            "email": "Ada.Obi@alpha.example",
            "organisation": org.pk,
            "time_zone": "Europe/London",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(email="Ada.Obi@alpha.example")
    # Duplicate email, ignoring capitals, is refused with a message.
    response = coordinator.post(
        f"/n/{network_a.slug}/people/new/", {"name": "Other", "email": "ada.obi@ALPHA.example"}
    )
    assert response.status_code == 200
    assert "already has this email address" in response.content.decode()
    response = coordinator.post(
        f"/n/{network_a.slug}/people/{person.pk}/edit/",
        {"name": "Ada Obi", "email": "ada.obi@alpha.example", "time_zone": "Mars/Base"},
    )
    assert "is not a time zone" in response.content.decode()
    coordinator.post(f"/n/{network_a.slug}/people/{person.pk}/active/", {"active": "0"})
    person.refresh_from_db()
    assert person.active is False


@pytest.mark.django_db
def test_team_must_belong_to_the_persons_organisation(coordinator, network_a):
    other = Organisation.objects.create(network=network_a, name="Other agency")
    team = Team.objects.get(network=network_a)
    response = coordinator.post(
        f"/n/{network_a.slug}/people/new/",
        {"name": "X", "email": "x@alpha.example", "organisation": other.pk, "team": team.pk},
    )
    assert "belongs to another organisation" in response.content.decode()


@pytest.mark.django_db
def test_forms_only_offer_this_networks_records(coordinator, network_a, network_b):
    html = coordinator.get(f"/n/{network_a.slug}/people/new/").content.decode()
    assert "alpha Agency" in html
    assert "beta Agency" not in html
    foreign_org = Organisation.objects.get(network=network_b)
    response = coordinator.post(
        f"/n/{network_a.slug}/people/new/",
        {"name": "X", "email": "x@alpha.example", "organisation": foreign_org.pk},
    )
    assert response.status_code == 200
    assert not Person.objects.filter(email="x@alpha.example").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["organisations", "workgroups"])
def test_groups_create_and_edit(coordinator, network_a, kind):
    response = coordinator.post(f"/n/{network_a.slug}/{kind}/new/", {"name": "Public Health"})
    assert response.status_code == 302
    duplicate = coordinator.post(f"/n/{network_a.slug}/{kind}/new/", {"name": "public health"})
    assert "already exists" in duplicate.content.decode()
    html = coordinator.get(f"/n/{network_a.slug}/{kind}/").content.decode()
    assert "Public Health" in html


@pytest.mark.django_db
def test_analyst_reads_but_cannot_write(analyst, network_a):
    assert analyst.get(f"/n/{network_a.slug}/people/").status_code == 200
    assert analyst.get(f"/n/{network_a.slug}/people/new/").status_code == 403
    person = Person.objects.filter(network=network_a).first()
    assert (
        analyst.post(f"/n/{network_a.slug}/people/{person.pk}/active/", {"active": "0"}).status_code
        == 403
    )
    person.refresh_from_db()
    assert person.active
    assert analyst.get(f"/n/{network_a.slug}/outbox/").status_code == 403


@pytest.mark.django_db
def test_group_pages_are_titled_and_headed_for_their_kind(coordinator, network_a):
    base = f"/n/{network_a.slug}"
    organisations = coordinator.get(f"{base}/organisations/").content.decode()
    assert '<h1 class="govuk-heading-l">Organisations</h1>' in organisations
    assert f'href="{base}/organisations/new/">Add organisation</a>' in organisations
    assert 'class="govuk-table__header">Kind</th>' in organisations
    assert 'class="govuk-table__header govuk-table__header--numeric">Teams</th>' in organisations
    teams = coordinator.get(f"{base}/teams/").content.decode()
    assert '<h1 class="govuk-heading-l">Teams</h1>' in teams
    assert 'class="govuk-table__header">Organisation</th>' in teams
    workgroups = coordinator.get(f"{base}/workgroups/").content.decode()
    assert 'class="govuk-table__header">Description</th>' in workgroups
    new_team = coordinator.get(f"{base}/teams/new/").content.decode()
    assert "<title>Add team" in new_team
    team = Team.objects.filter(network=network_a).first()
    edit = coordinator.get(f"{base}/teams/{team.pk}/edit/").content.decode()
    assert f"<title>Edit {team.name}" in edit

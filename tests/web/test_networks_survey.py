"""Network survey: respondent journey, import, results pages and their permissions."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from bridgework.directory.models import Person
from bridgework.ona import services
from bridgework.ona.models import NetworkWave, Nomination, RolesInvitation
from bridgework.tokens import issue_token


def _wave(network, *, closed: bool = False) -> NetworkWave:
    now = timezone.now()
    return services.network_wave_create(
        network=network,
        name="Map",
        opens_at=now - timedelta(days=3),
        closes_at=now - timedelta(seconds=1) if closed else now + timedelta(days=3),
    )


def _link(wave: NetworkWave, person: Person) -> str:
    from bridgework.ona.models import NetworkInvitation, NetworkInvitationToken

    invitation = NetworkInvitation.objects.create(network=wave.network, wave=wave, person=person)
    token = issue_token()
    NetworkInvitationToken.objects.create(invitation=invitation, digest=token.digest)
    return f"/m/{token.plain}/"


def _colleague(url: str, person) -> str:
    """The address of a colleague's page as the respondent's own search results give it."""
    from bridgework.ona import selectors

    invitation = selectors.invitation_for_token(url.strip("/").split("/")[-1])
    return f"{url}colleague/{selectors.colleague_ref(invitation, person.pk)}/"


@pytest.fixture
def crowd(network_a):
    org = network_a.organisations.first()
    for i in range(15):
        Person.objects.create(
            network=network_a, name=f"Sam Example {i}", email=f"s{i}@a.example", organisation=org
        )
    return network_a


@pytest.mark.django_db
def test_search_returns_at_most_ten_matches_of_this_network_only(crowd, network_b):
    wave = _wave(crowd)
    url = _link(wave, crowd.people.first())
    data = Client().get(url + "search/?q=sam").json()["results"]
    assert len(data) == 10
    assert Client().get(url + "search/?q=beta").json()["results"] == []
    assert Client().get(url + "search/?q=s").json()["results"] == []
    page = Client().get(url + "?q=sam")
    assert page.status_code == 200
    assert page.content.count(b"Sam Example") == 10


@pytest.mark.django_db
def test_answers_about_a_colleague_are_nominations_saved_once(crowd):
    wave = _wave(crowd)
    me, colleague = crowd.people.all()[:2]
    url = _link(wave, me)
    answer = {"works_with": "4", "trust": "5", "energy": "3", "ideas": "on"}
    for _ in range(2):
        response = Client().post(_colleague(url, colleague), answer)
        assert response.status_code == 302
    rows = dict(Nomination.objects.filter(ego=me).values_list("relation", "weight"))
    assert rows == {"works_with": 4.0, "trust": 5.0, "energy": 3.0, "ideas": 1.0}
    Client().post(_colleague(url, colleague), {**answer, "ideas": ""})
    assert Nomination.objects.filter(ego=me).count() == 3
    assert colleague.name.encode() in Client().get(url).content  # resumes with the choice


@pytest.mark.django_db
def test_missing_answer_is_an_error_and_self_cannot_be_chosen(crowd):
    wave = _wave(crowd)
    me, colleague = crowd.people.all()[:2]
    url = _link(wave, me)
    response = Client().post(_colleague(url, colleague), {"works_with": "4"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert Client().get(_colleague(url, me)).status_code == 302
    assert not Nomination.objects.exists()


@pytest.mark.django_db
def test_finishing_records_consent_and_outside_contacts(crowd):
    wave = _wave(crowd)
    url = _link(wave, crowd.people.first())
    Client().post(url + "outside/", {"organisations": "County Court\ncounty court\nSchool"})
    assert Client().post(url + "done/", {"consent": "yes"}).status_code == 302
    invitation = wave.invitations.get()
    assert invitation.consent_named is True
    assert invitation.completed_at is not None
    assert invitation.outside_contacts.count() == 2


@pytest.mark.django_db
def test_long_outside_names_alike_in_their_first_200_characters_are_stored_once(crowd):
    wave = _wave(crowd)
    url = _link(wave, crowd.people.first())
    stem = "Regional Partnership " * 10  # 210 characters: the column holds 200
    response = Client().post(url + "outside/", {"organisations": f"{stem}North\n{stem}south"})
    assert response.status_code == 302
    stored = list(wave.invitations.get().outside_contacts.values_list("organisation", flat=True))
    assert stored == [stem[:200].strip()]


@pytest.mark.django_db
def test_too_many_outside_organisations_is_an_error_on_the_form(crowd):
    wave = _wave(crowd)
    url = _link(wave, crowd.people.first())
    names = "\n".join(f"Agency {i}" for i in range(51))
    response = Client().post(url + "outside/", {"organisations": names})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"List at most 50 organisations (you listed 51)." in response.content
    invitation = wave.invitations.get()
    assert not invitation.outside_contacts.exists()
    with pytest.raises(ValidationError):
        services.outside_contacts_save(invitation=invitation, organisations=names.splitlines())
    # Fifty, with blank lines and repeats, is fine.
    fifty = "\n".join(f"Agency {i % 50}" for i in range(60)) + "\n\n"
    assert Client().post(url + "outside/", {"organisations": fifty}).status_code == 302
    assert invitation.outside_contacts.count() == 50


@pytest.mark.django_db
def test_closed_wave_and_wrong_token_pages(crowd):
    wave = _wave(crowd, closed=True)
    url = _link(wave, crowd.people.first())
    assert Client().get(url).status_code == 410
    assert Client().get("/m/not-a-token/").status_code == 404


@pytest.mark.django_db
def test_invitations_are_emailed_once(crowd, coordinator, django_capture_on_commit_callbacks):
    from bridgework.mail.models import OutboxMessage

    wave = _wave(crowd)
    url = f"/n/{crowd.slug}/networks/waves/{wave.pk}/invite/"
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(url)
    assert response.status_code == 302
    assert "/jobs/" in response["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(url)
    assert OutboxMessage.objects.filter(kind="network-invitation").count() == crowd.people.count()


def _with_ties(network) -> NetworkWave:
    wave = _wave(network, closed=True)
    people = list(network.people.all())
    for ego, alter in itertools.pairwise(people):
        Nomination.objects.create(
            network=network, wave=wave, ego=ego, alter=alter, relation="works_with", weight=4
        )
    return wave


@pytest.mark.django_db
def test_analyst_sees_organisation_map_but_not_named_map(crowd, analyst):
    wave = _with_ties(crowd)
    base = f"/n/{crowd.slug}/networks/waves/{wave.pk}/"
    page = analyst.get(base + "map/")
    assert page.status_code == 200
    assert b"network-map-data" in page.content
    assert b"Sam Example" not in page.content
    assert analyst.get(base + "people/").status_code == 403


@pytest.mark.django_db
def test_named_map_shows_only_consenting_people(crowd, coordinator):
    from bridgework.ona.models import NetworkInvitation

    wave = _with_ties(crowd)
    named = crowd.people.get(name="Sam Example 3")
    NetworkInvitation.objects.create(
        network=crowd, wave=wave, person=named, consent_named=True, started_at=timezone.now()
    )
    page = coordinator.get(f"/n/{crowd.slug}/networks/waves/{wave.pk}/people/?relation=trust")
    assert page.status_code == 200
    assert b"Sam Example 3" in page.content
    assert b"Sam Example 4" not in page.content
    assert b"Under 70%" in page.content or b"under 70%" in page.content


@pytest.mark.django_db
def test_import_previews_then_imports_all_or_nothing(crowd, coordinator):
    wave = _wave(crowd)
    a, b = crowd.people.all()[:2]
    base = f"/n/{crowd.slug}/networks/"
    bad = b"ego,alter,relation,weight\n" + f"{a.pk},{a.pk},trust,3\n{a.email},999999,,2\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = coordinator.post(
        f"{base}waves/{wave.pk}/import/", {"file": SimpleUploadedFile("n.csv", bad)}
    )
    preview = coordinator.get(response["Location"])
    assert b"row 2" in preview.content.lower() or b">2<" in preview.content
    coordinator.post(response["Location"])
    assert not Nomination.objects.exists()
    good = f"ego,alter,relation,weight\n{a.email},{b.pk},trust,3\n".encode()
    response = coordinator.post(
        f"{base}waves/{wave.pk}/import/", {"file": SimpleUploadedFile("n.csv", good)}
    )
    assert b"1 nomination" in coordinator.get(response["Location"]).content
    coordinator.post(response["Location"])
    coordinator.post(response["Location"])
    row = Nomination.objects.get()
    assert (row.ego_id, row.alter_id, row.relation, row.weight) == (a.pk, b.pk, "trust", 3.0)


@pytest.mark.django_db
def test_roles_self_assessment_shows_own_profile(crowd, coordinator):
    from bridgework.analysis.roles_assessment import ITEMS

    person = crowd.people.first()
    token = issue_token()
    RolesInvitation.objects.create(network=crowd, person=person, digest=token.digest)
    answers = {item.id: "5" if item.role == "broker" else "2" for item in ITEMS}
    assert Client().post(f"/r/{token.plain}/", {**answers, "consent": "yes"}).status_code == 302
    page = Client().get(f"/r/{token.plain}/")
    assert b"Broker (your main role)" in page.content
    overview = coordinator.get(f"/n/{crowd.slug}/networks/roles/")
    assert person.name.encode() in overview.content
    assert Client().get("/r/wrong/").status_code == 404

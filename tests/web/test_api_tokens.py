"""API tokens: created by owners only, stored hashed, shown once, revoked to 401; scopes give
403; a token reaches its own network only (another network's ids: 404, as on the pages)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bridgework.api.models import ApiToken, Scope
from bridgework.audit.models import Action, AuditEvent
from bridgework.directory.models import Organisation, Person, Role, Team, Workgroup
from bridgework.programmes.services import programme_create
from bridgework.surveys import services as survey_services
from bridgework.tokens import token_digest
from tests.factories import login_with, make_survey, published_round
from tests.queries import assert_queries_do_not_grow
from tests.web.api_client import Api


def _created_token(page: str) -> str:
    match = re.search(r'<code id="new-token">([^<]+)</code>', page)
    assert match, "the new token is not on the page"
    return match.group(1)


@pytest.mark.django_db
def test_owner_creates_a_token_that_is_stored_hashed_and_shown_once(owner, network_a):
    url = f"/n/{network_a.slug}/settings/api/"
    response = owner.post(url, {"name": "County dashboard", "scopes": ["read:results"]})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    plain = _created_token(response.content.decode())
    token = ApiToken.objects.get(network=network_a)
    assert token.token_digest == token_digest(plain)
    assert token.scopes == ["read:results"]
    assert token.created_by.email == "owner@alpha.example"
    stored = [
        str(v)
        for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.fields]).get()
    ]
    assert plain not in stored
    # Shown once: the list shows the token's name, never its value again.
    again = owner.get(url).content.decode()
    assert "County dashboard" in again
    assert plain not in again
    event = AuditEvent.objects.get(network=network_a, action=Action.API_TOKEN_CREATED)
    assert event.details == {"scopes": ["read:results"]}
    # It works.
    assert Client(HTTP_AUTHORIZATION=f"Bearer {plain}").get("/api/v1/network").status_code == 200


@pytest.mark.django_db
def test_a_token_needs_a_name_and_a_scope(owner, network_a):
    page = owner.post(f"/n/{network_a.slug}/settings/api/", {"name": "x"}).content.decode()
    assert "Choose at least one thing the token may read" in page
    bad = owner.post(f"/n/{network_a.slug}/settings/api/", {"name": "x", "scopes": ["write:all"]})
    assert "not one of the available choices" in bad.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ANALYST])
def test_only_owners_manage_tokens(network_a, role):
    client = login_with(network_a, role, f"{role}@alpha.example")
    url = f"/n/{network_a.slug}/settings/api/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "x", "scopes": ["read:directory"]}).status_code == 403
    api = Api(network_a)
    assert client.post(f"{url}revoke/", {"token": api.token.pk}).status_code == 403
    assert ApiToken.objects.get().revoked_at is None


@pytest.mark.django_db
def test_revoked_token_answers_401_with_a_json_error_and_is_audited(owner, network_a):
    api = Api(network_a)
    assert api.get("network").status_code == 200
    response = owner.post(f"/n/{network_a.slug}/settings/api/revoke/", {"token": api.token.pk})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.API_TOKEN_REVOKED).count() == 1
    refused = api.get("network")
    assert refused.status_code == 401
    assert refused["Content-Type"].startswith("application/json")
    assert "valid API token" in refused.json()["detail"]
    assert refused["WWW-Authenticate"].startswith("Bearer")
    event = AuditEvent.objects.get(action=Action.API_ACCESS_REFUSED)
    assert event.details == {"reason": "revoked", "path": "/api/v1/network"}
    assert "Revoked" in owner.get(f"/n/{network_a.slug}/settings/api/").content.decode()


@pytest.mark.django_db
def test_missing_unknown_or_malformed_tokens_answer_401(network_a):
    Api(network_a)
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nope"}, {"HTTP_AUTHORIZATION": "Basic x"}):
        response = Client(**headers).get("/api/v1/people")
        assert response.status_code == 401, headers
        assert set(response.json()) == {"detail"}


@pytest.mark.django_db
def test_a_scope_the_token_lacks_answers_403_and_is_audited(network_a):
    api = Api(network_a, scopes=[Scope.RESULTS])
    for path in ("people", "people/1", "organisations", "programmes", "programmes/1/dashboard"):
        response = api.get(path)
        assert response.status_code == 403, path
        assert "scope" in response.json()["detail"]
    assert api.get("rc/waves").status_code == 200
    assert api.get("network").json()["scopes"] == ["read:results"]
    refused = AuditEvent.objects.filter(action=Action.API_ACCESS_REFUSED)
    assert refused.count() == 5
    assert refused.first().details["reason"].startswith("missing read:")


@pytest.mark.django_db
def test_people_need_the_directory_scope_and_show_no_answers(network_a):
    survey = make_survey(network_a, sizes=(5,))
    assert survey.wave.pk
    api = Api(network_a, scopes=[Scope.DIRECTORY])
    body = api.json("people")
    assert body["count"] == network_a.people.count()
    keys = set(body["items"][0])
    assert keys == {
        "id",
        "name",
        "email",
        "job_title",
        "location",
        "active",
        "organisation_id",
        "team_id",
        "workgroup_id",
        "manager_id",
        "updated_at",
    }
    one = api.json(f"people/{body['items'][0]['id']}")
    assert one == body["items"][0]


@pytest.mark.django_db
def test_a_token_reaches_only_its_own_network(network_a, network_b):
    mine, theirs = Api(network_a), Api(network_b)
    ids = {
        "people": network_b.people.first().pk,
        "rc/waves": make_survey(network_b, sizes=(5,)).wave.pk,
        "programmes": published_round(network_b).programme_id,
    }
    own = {
        "people": network_a.people.first().pk,
        "rc/waves": make_survey(network_a, sizes=(5,)).wave.pk,
        "programmes": programme_create(network=network_a, name="Mine").pk,
    }
    suffixes = {"people": [""], "rc/waves": ["", "/results"], "programmes": ["", "/dashboard"]}
    for kind, their_id in ids.items():
        for suffix in suffixes[kind]:
            response = mine.get(f"{kind}/{their_id}{suffix}")
            assert response.status_code == 404, (kind, suffix, response.content)
            assert response.json() == {"detail": "Not found in this network."}
            assert mine.get(f"{kind}/{own[kind]}{suffix}").status_code == 200, (kind, suffix)
            assert theirs.get(f"{kind}/{their_id}{suffix}").status_code == 200
    assert mine.json("network")["slug"] == network_a.slug
    seen = {p["id"] for p in mine.json("people", limit=200)["items"]}
    assert seen == set(network_a.people.values_list("pk", flat=True))


@pytest.mark.django_db
def test_pages_are_stable_ordered_and_bounded(network_a):
    api = Api(network_a)
    everyone = [p["id"] for p in api.json("people", limit=200)["items"]]
    assert everyone == sorted(everyone)
    pages = [api.json("people", limit=1, offset=i)["items"][0]["id"] for i in range(len(everyone))]
    assert pages == everyone
    assert api.get("people", limit=0).status_code == 422
    assert api.get("people", limit=201).status_code == 422
    assert api.get("people", offset=-1).status_code == 422
    assert api.get("people/0").status_code == 422
    assert api.get(f"people/{2**40}").status_code == 422


def _grow(network, process):
    """``grow(size)`` for the query check: ``size`` more of every listed record."""

    def grow(size: int) -> None:
        now = timezone.now()
        for i in range(size):
            org = Organisation.objects.create(network=network, name=f"Org {size}-{i}")
            team = Team.objects.create(network=network, organisation=org, name=f"T {size}-{i}")
            group = Workgroup.objects.create(network=network, name=f"W {size}-{i}")
            Person.objects.create(
                network=network,
                name=f"P {size}-{i}",
                email=f"p{size}-{i}@alpha.example",
                organisation=org,
                team=team,
                workgroup=group,
            )
            programme_create(network=network, name=f"Coffee {size}-{i}")
            survey_services.wave_create(
                process=process,
                name=f"Wave {size}-{i}",
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=1),
                respondent_workgroups=list(process.workgroups.all()),
            )

    return grow


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["people", "organisations", "teams", "workgroups", "rc/waves", "programmes"],
)
def test_list_queries_do_not_grow_with_the_page(network_a, path):
    api = Api(network_a)
    process = survey_services.work_process_create(
        network=network_a, name="Discharge", workgroups=list(network_a.workgroups.all())
    )
    counts = assert_queries_do_not_grow(
        grow=_grow(network_a, process), page=lambda: api.json(path, limit=200)
    )
    assert api.json(path, limit=200)["count"] >= 15
    assert counts[0] <= 6

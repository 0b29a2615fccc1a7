"""Directory sync leaves its trace in the network's audit log: every SCIM create, replace,
PATCH and delete of a User or a Group, and every revoked token it refused."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.utils import timezone

from bridgework.audit.models import Action, AuditEvent
from bridgework.directory.models import Organisation, Person
from bridgework.scim.models import ScimToken
from tests.web.scim_client import BJENSEN, Scim

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"

pytestmark = pytest.mark.django_db


@pytest.fixture
def scim_a(network_a) -> Scim:
    return Scim(network_a)


def events(network, action: Action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(network=network, action=action))


def only_event(network, action: Action) -> AuditEvent:
    found = events(network, action)
    assert len(found) == 1, [e.action for e in AuditEvent.objects.filter(network=network)]
    return found[0]


def test_user_create_replace_patch_and_delete_are_each_recorded(scim_a, network_a):
    created = scim_a.post("Users", BJENSEN)
    assert created.status_code == 201
    person = Person.objects.get(pk=created.json()["id"])
    event = only_event(network_a, Action.SCIM_USER_CREATED)
    assert (event.object_type, event.object_id) == ("directory.person", str(person.pk))
    assert event.details == {"sync token": "test", "active": True}
    assert event.actor is None
    assert event.client_ip == "127.0.0.1"

    assert scim_a.put(f"Users/{person.pk}", dict(BJENSEN, title="Tour guide")).status_code == 200
    assert only_event(network_a, Action.SCIM_USER_REPLACED).object_id == str(person.pk)

    patched = scim_a.patch(
        f"Users/{person.pk}", {"op": "replace", "path": "active", "value": False}
    )
    assert patched.status_code == 200
    assert only_event(network_a, Action.SCIM_USER_PATCHED).details["active"] is False

    assert scim_a.delete(f"Users/{person.pk}").status_code == 204
    assert only_event(network_a, Action.SCIM_USER_DEACTIVATED).object_id == str(person.pk)


def test_user_events_do_not_keep_the_persons_name_or_email(scim_a, network_a):
    person_id = scim_a.post("Users", BJENSEN).json()["id"]
    scim_a.delete(f"Users/{person_id}")
    person = Person.objects.get(pk=person_id)
    for event in AuditEvent.objects.filter(network=network_a):
        text = f"{event.object_label} {event.details}"
        assert person.name not in text
        assert person.email not in text
        assert "Jensen" not in text


def test_a_refused_write_records_nothing(scim_a, network_a):
    scim_a.post("Users", BJENSEN)
    clash = scim_a.post("Users", dict(BJENSEN, externalId="other"))
    assert clash.status_code == 409
    assert len(events(network_a, Action.SCIM_USER_CREATED)) == 1
    bad = scim_a.patch("Users/999999", {"op": "replace", "path": "title", "value": "x"})
    assert bad.status_code == 404
    assert events(network_a, Action.SCIM_USER_PATCHED) == []


def test_group_create_replace_patch_and_delete_are_each_recorded(scim_a, network_a):
    babs = scim_a.post("Users", BJENSEN).json()["id"]
    created = scim_a.post(
        "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Guides", "members": [{"value": babs}]}
    )
    assert created.status_code == 201
    group_id = created.json()["id"]
    event = only_event(network_a, Action.SCIM_GROUP_CREATED)
    assert (event.object_type, event.object_id, event.object_label) == (
        "directory.organisation",
        group_id,
        "Guides",
    )
    assert event.details == {"sync token": "test", "members joined": 1, "members left": 0}

    replaced = scim_a.put(f"Groups/{group_id}", {"schemas": [GROUP_SCHEMA], "displayName": "G"})
    assert replaced.status_code == 200
    assert only_event(network_a, Action.SCIM_GROUP_REPLACED).details["members left"] == 1

    patched = scim_a.patch(
        f"Groups/{group_id}", {"op": "add", "path": "members", "value": [{"value": babs}]}
    )
    assert patched.status_code == 200
    assert only_event(network_a, Action.SCIM_GROUP_PATCHED).details["members joined"] == 1

    assert scim_a.delete(f"Groups/{group_id}").status_code == 204
    event = only_event(network_a, Action.SCIM_GROUP_DEACTIVATED)
    assert event.details == {"sync token": "test", "members left": 1}
    assert Organisation.objects.filter(pk=group_id).exists()


def test_a_revoked_token_is_refused_and_recorded_in_its_network(scim_a, network_a, network_b):
    token = ScimToken.objects.get(network=network_a)
    ScimToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert scim_a.get("Users").status_code == 401
    assert scim_a.post("Users", BJENSEN).status_code == 401
    refused = events(network_a, Action.SCIM_TOKEN_REFUSED)
    assert len(refused) == 2
    assert refused[0].details == {
        "sync token": "test",
        "reason": "revoked",
        "path": "/scim/v2/Users",
    }
    assert (refused[0].object_type, refused[0].object_id) == ("scim.scimtoken", str(token.pk))
    assert not Person.objects.filter(network=network_a, email="bjensen@example.com").exists()
    assert not AuditEvent.objects.filter(network=network_b).exists()


def test_a_value_that_is_no_token_is_logged_without_the_value(network_a, caplog):
    with caplog.at_level(logging.WARNING, logger="bridgework.scim"):
        response = Client(HTTP_AUTHORIZATION="Bearer made-up-value").get("/scim/v2/Users")
    assert response.status_code == 401
    assert "no valid bearer token" in caplog.text
    assert "made-up-value" not in caplog.text
    assert not AuditEvent.objects.exists()  # it names no network whose log could hold it


def test_sync_events_are_shown_on_the_audit_log_page(scim_a, network_a, owner):
    person_id = scim_a.post("Users", BJENSEN).json()["id"]
    scim_a.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Guides"})
    scim_a.delete(f"Users/{person_id}")
    ScimToken.objects.filter(network=network_a).update(revoked_at=timezone.now())
    scim_a.get("Users")
    page = owner.get("/n/alpha/audit/").content.decode()
    for label in (
        "Directory sync added a person",
        "Directory sync deactivated a person",
        "Directory sync added an organisation",
        "Refused a revoked directory sync token",
    ):
        assert label in page
    assert f"person {person_id}" in page
    assert "sync token: test" in page
    filtered = owner.get("/n/alpha/audit/?action=scim_token_refused").content.decode()
    assert "Refused a revoked directory sync token" in filtered
    assert "Directory sync added a person" not in filtered.split("</select>")[-1]


def test_an_owner_creating_and_revoking_a_token_is_recorded_with_the_owner(owner, network_a):
    assert owner.post("/n/alpha/sync/", {"name": "Entra ID provisioning"}).status_code == 200
    token = ScimToken.objects.get(network=network_a, name="Entra ID provisioning")
    created = only_event(network_a, Action.SCIM_TOKEN_CREATED)
    assert created.actor_email == "owner@alpha.example"
    assert (created.object_type, created.object_id) == ("scim.scimtoken", str(token.pk))
    assert owner.post("/n/alpha/sync/revoke/", {"token": token.pk}).status_code == 302
    assert owner.post("/n/alpha/sync/revoke/", {"token": token.pk}).status_code == 302
    revoked = only_event(network_a, Action.SCIM_TOKEN_REVOKED)  # once, not per click
    assert revoked.actor_email == "owner@alpha.example"
    assert revoked.details == {"sync token": "Entra ID provisioning"}

"""The audit log: append-only at every level, recorded by the views, read by owners only."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from bridgework.accounts.models import User
from bridgework.audit.models import Action, AuditEvent, AuditEventImmutableError
from bridgework.audit.services import audit_record
from bridgework.directory.models import Network, Role
from bridgework.governance.deletion import network_delete
from tests.queries import assert_queries_do_not_grow


def _event(network: Network, **kwargs) -> AuditEvent:
    return audit_record(network=network, action=Action.EXPORT_DOWNLOADED, **kwargs)


def test_an_event_copies_who_what_and_the_target(network_a, owner):
    user = User.objects.get(email="owner@alpha.example")
    person = network_a.people.first()
    event = _event(network_a, actor=user, target=person, details={"export": "x"})
    assert (event.actor_email, event.object_type, event.object_id) == (
        "owner@alpha.example",
        "directory.person",
        str(person.pk),
    )
    assert event.object_label == person.name
    system = _event(network_a)
    assert system.actor is None
    assert system.actor_email == ""


def test_events_refuse_changes_in_python(network_a):
    event = _event(network_a)
    event.details = {"changed": True}
    with pytest.raises(AuditEventImmutableError):
        event.save()
    with pytest.raises(AuditEventImmutableError):
        event.delete()
    with pytest.raises(AuditEventImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action=Action.PERSON_ERASED)
    with pytest.raises(AuditEventImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).details == {}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'person_erased' WHERE id = %s",
        "UPDATE audit_auditevent SET details = '{}', actor_id = NULL WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_changes_and_deletes(network_a, owner, statement):
    user = User.objects.get(email="owner@alpha.example")
    event = _event(network_a, actor=user, details={"a": 1})
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [event.pk])
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.details, stored.actor_id) == (
        Action.EXPORT_DOWNLOADED,
        {"a": 1},
        user.pk,
    )


def test_deleting_the_login_keeps_the_event_and_its_email(network_a):
    user = User.objects.create_user("gone@alpha.example", "a-long-test-password")
    event = _event(network_a, actor=user)
    user.delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_id is None
    assert stored.actor_email == "gone@alpha.example"


def test_deleting_a_network_deletes_its_events_only(network_a, network_b):
    _event(network_a)
    kept = _event(network_b)
    assert network_delete(network=network_a) == 1
    assert not Network.objects.filter(slug="alpha").exists()
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_owners_read_filter_and_export_their_networks_log(network_a, network_b, owner):
    _event(network_a, details={"export": "people CSV"})
    audit_record(network=network_a, action=Action.ROUND_PUBLISHED, details={"matches": 4})
    audit_record(network=network_b, action=Action.ROUND_PUBLISHED, details={"secret": "beta"})
    page = owner.get("/n/alpha/audit/").content.decode()
    assert "Downloaded an export" in page
    assert "Published a coffee round" in page
    assert "beta" not in page
    assert "Audit log" in owner.get("/n/alpha/").content.decode()  # in the owner's menu
    filtered = owner.get("/n/alpha/audit/?action=round_published").content.decode()
    assert "Published a coffee round" in filtered
    assert "people CSV" not in filtered
    export = owner.get("/n/alpha/audit/export.csv")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][0] == "when (UTC)"
    assert sorted(r[1] for r in rows[1:]) == ["Downloaded an export", "Published a coffee round"]
    assert "beta" not in export.content.decode("utf-8-sig")
    # The download itself is recorded.
    assert AuditEvent.objects.filter(network=network_a, details__export="audit log CSV").exists()


def test_only_owners_see_the_log(network_a, coordinator, analyst):
    for client in (coordinator, analyst):
        assert client.get("/n/alpha/audit/").status_code == 403
        assert client.get("/n/alpha/audit/export.csv").status_code == 403
        assert "Audit log" not in client.get("/n/alpha/").content.decode()


def test_views_record_invitations_exports_and_privacy_settings(network_a, owner):
    owner.post("/n/alpha/members/", {"email": "new@alpha.example", "role": Role.ANALYST})
    owner.get("/n/alpha/people/export.csv")
    response = owner.post("/n/alpha/settings/", {"min_group_size": 7, "retention_days": 365})
    assert response.status_code == 302
    network_a.refresh_from_db()
    assert (network_a.min_group_size, network_a.retention_days) == (7, 365)
    events = {e.action: e for e in AuditEvent.objects.filter(network=network_a)}
    assert events[Action.MEMBER_INVITED].details == {
        "email": "new@alpha.example",
        "role": "analyst",
    }
    assert events[Action.EXPORT_DOWNLOADED].details["export"] == "people CSV"
    assert events[Action.MIN_GROUP_SIZE_CHANGED].details["to"] == 7
    assert events[Action.RETENTION_CHANGED].details == {
        "setting": "retention_days",
        "from": None,
        "to": 365,
    }
    assert all(e.actor_email == "owner@alpha.example" for e in events.values())
    assert all(e.client_ip == "127.0.0.1" for e in events.values())


def test_settings_refuse_bad_values_and_non_owners(network_a, owner, coordinator):
    page = owner.post("/n/alpha/settings/", {"min_group_size": 2, "retention_days": 0})
    assert page.status_code == 200
    network_a.refresh_from_db()
    assert (network_a.min_group_size, network_a.retention_days) == (5, None)
    assert not AuditEvent.objects.exists()
    page = owner.post("/n/alpha/settings/", {"min_group_size": 101})
    assert page.status_code == 200
    assert "a whole number from 3 to 100" in page.content.decode()
    network_a.refresh_from_db()
    assert network_a.min_group_size == 5
    with pytest.raises(IntegrityError), transaction.atomic():
        Network.objects.filter(pk=network_a.pk).update(min_group_size=101)
    assert coordinator.get("/n/alpha/settings/").status_code == 403


def test_the_log_page_makes_as_many_queries_with_many_events_as_with_few(network_a, owner):
    user = User.objects.get(email="owner@alpha.example")

    def grow(size: int) -> None:
        for number in range(AuditEvent.objects.filter(network=network_a).count(), size):
            _event(network_a, actor=user, details={"n": number})

    def page() -> None:
        assert owner.get("/n/alpha/audit/").status_code == 200

    # 10 events on one page, then a full first page of 60 (and a second page).
    assert_queries_do_not_grow(grow=grow, page=page, sizes=(10, 60))
    page_two = owner.get("/n/alpha/audit/?page=2")
    assert page_two.status_code == 200
    assert "Page 2 of 2" in page_two.content.decode()

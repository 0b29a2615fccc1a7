"""Erasing a person through the web pages: every record about them goes, in every app."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.utils import timezone

from bridgework.audit.models import Action, AuditEvent
from bridgework.directory.models import Membership, Network, PeopleImport, Person, Role
from bridgework.mail.models import OutboxMessage
from bridgework.ona.models import (
    NetworkInvitation,
    NetworkInvitationToken,
    Nomination,
    OutsideContact,
    RolesInvitation,
)
from bridgework.programmes.models import (
    Enrolment,
    EnrolmentToken,
    Feedback,
    Match,
    Round,
    RoundPlace,
    SignupRequest,
)
from bridgework.surveys.models import Invitation, InvitationToken, Response
from tests.factories import login_with


@pytest.fixture
def demo(db: None) -> Network:
    from bridgework.demo import demo_load

    demo_load()
    return Network.objects.get(slug="riverbend-county")


def _someone_with_everything(network: Network) -> Person:
    """A coffee participant who answered a closed RC wave and named and was named by
    colleagues; what the demo does not give them (a trio, a roles self-assessment, a sign-up,
    emails, an uploaded file...) is added here."""
    answered = Invitation.objects.filter(
        network=network, responses__isnull=False, wave__closes_at__lt=timezone.now()
    ).values("person")
    candidates = (
        Person.objects.filter(network=network, pk__in=answered)
        .filter(pk__in=Enrolment.objects.filter(network=network).values("person"))
        .filter(pk__in=Nomination.objects.filter(network=network).values("alter"))
        .filter(pk__in=Nomination.objects.filter(network=network).values("ego"))
        .order_by("pk")
    )
    # Someone with a round where they were not matched (which rounds those are depends on
    # the day the demo is loaded): they become the third member of a pair there.
    for person in candidates:
        enrolment = Enrolment.objects.get(person=person)
        matched = RoundPlace.objects.filter(enrolment=enrolment, outcome="matched")
        round_ = (
            Round.objects.filter(programme=enrolment.programme, matches__isnull=False)
            .exclude(pk__in=matched.values("round"))
            .distinct()
            .first()
        )
        if round_ is not None and matched.exists():
            break
    else:
        raise AssertionError("the demo has a participant who answered, was named and sat out")
    assert matched.exists()
    RoundPlace.objects.update_or_create(
        round=round_,
        enrolment=enrolment,
        defaults={"match": round_.matches.first(), "outcome": "matched"},
    )
    invitation = NetworkInvitation.objects.filter(person=person).first()
    OutsideContact.objects.create(invitation=invitation, organisation="County Library")
    NetworkInvitationToken.objects.create(invitation=invitation, digest="e" * 64)
    RolesInvitation.objects.get_or_create(
        network=network,
        person=person,
        defaults={"digest": "f" * 64, "answers": {"c1": 4}},
    )
    EnrolmentToken.objects.create(enrolment=enrolment, digest="a" * 64)
    place = RoundPlace.objects.filter(enrolment=enrolment, match__isnull=False).first()
    Feedback.objects.get_or_create(match=place.match, enrolment=enrolment, defaults={"met": True})
    SignupRequest.objects.create(
        network=network,
        programme=enrolment.programme,
        name=person.name,
        email=person.email.upper(),
        organisation_name="x",
        digest="b" * 64,
    )
    OutboxMessage.objects.create(network=network, to=person.email, subject="Hi", text_body="b")
    PeopleImport.objects.create(
        network=network, filename="p.csv", content=f"name,email\nX,{person.email}\n".encode()
    )
    return person


def _rows_about(person: Person) -> dict[str, int]:
    invitations = Invitation.objects.filter(person_id=person.pk)
    enrolments = Enrolment.objects.filter(person_id=person.pk)
    network_invitations = NetworkInvitation.objects.filter(person_id=person.pk)
    return {
        "person": Person.objects.filter(pk=person.pk).count(),
        "rc invitations": invitations.count(),
        "rc tokens": InvitationToken.objects.filter(invitation__person_id=person.pk).count(),
        "rc responses": Response.objects.filter(invitation__person_id=person.pk).count(),
        "network invitations": network_invitations.count(),
        "network tokens": NetworkInvitationToken.objects.filter(
            invitation__person_id=person.pk
        ).count(),
        "outside contacts": OutsideContact.objects.filter(invitation__person_id=person.pk).count(),
        "nominations as ego": Nomination.objects.filter(ego_id=person.pk).count(),
        "nominations as alter": Nomination.objects.filter(alter_id=person.pk).count(),
        "roles": RolesInvitation.objects.filter(person_id=person.pk).count(),
        "enrolments": enrolments.count(),
        "enrolment tokens": EnrolmentToken.objects.filter(enrolment__person_id=person.pk).count(),
        "round places": RoundPlace.objects.filter(enrolment__person_id=person.pk).count(),
        "feedback": Feedback.objects.filter(enrolment__person_id=person.pk).count(),
        "sign-ups": SignupRequest.objects.filter(email__iexact=person.email).count(),
        "outbox": OutboxMessage.objects.filter(to__iexact=person.email).count(),
        "people files": sum(
            person.email.encode() in bytes(c)
            for c in PeopleImport.objects.values_list("content", flat=True)
        ),
    }


def test_a_coordinator_erases_a_person_and_every_record_about_them(demo):
    person = _someone_with_everything(demo)
    before = _rows_about(person)
    assert all(before.values()), before  # the test can fail: there is something to erase
    trio = (
        Match.objects.annotate(n=Count("places"))
        .filter(n=3, places__enrolment__person=person)
        .first()
    )
    others_in_trio = set(
        trio.places.exclude(enrolment__person=person).values_list("enrolment_id", flat=True)
    )
    pairs = Match.objects.annotate(n=Count("places")).filter(n=2, places__enrolment__person=person)
    partner_places = list(
        RoundPlace.objects.filter(match__in=pairs)
        .exclude(enrolment__person=person)
        .values_list("pk", "match_id", "enrolment_id")
    )
    assert partner_places
    partner_feedback = list(
        Feedback.objects.filter(
            match_id__in=[m for _, m, _ in partner_places],
            enrolment_id__in=[e for _, _, e in partner_places],
        ).values_list("pk", flat=True)
    )
    others = Person.objects.filter(network=demo).count() - 1
    coordinator = login_with(demo, Role.COORDINATOR, "erase@riverbend.example")
    url = f"/n/{demo.slug}/people/{person.pk}/erase/"

    page = coordinator.get(f"/n/{demo.slug}/people/{person.pk}/")
    assert url.encode() in page.content  # the person page links to the erasure
    confirm = coordinator.get(url).content.decode()
    assert "What will be deleted" in confirm
    assert f">{before['rc responses']}<" in confirm
    assert f">{before['nominations as alter']}<" in confirm
    assert "Nominations of them by others" in confirm
    # Without ticking the box nothing happens.
    assert coordinator.post(url).status_code == 400
    assert Person.objects.filter(pk=person.pk).exists()

    response = coordinator.post(url, {"confirm": "on"})
    assert response.status_code == 302
    after = _rows_about(person)
    assert not any(after.values()), after
    assert Person.objects.filter(network=demo).count() == others
    # The trio's two others keep their match; a pair's other member keeps their history.
    trio.refresh_from_db()
    assert set(trio.places.values_list("enrolment_id", flat=True)) == others_in_trio
    kept = RoundPlace.objects.filter(pk__in=[p for p, _, _ in partner_places])
    assert kept.count() == len(partner_places)
    assert Feedback.objects.filter(pk__in=partner_feedback).count() == len(partner_feedback)
    # The audit log has counts, not the name or address.
    event = AuditEvent.objects.get(network=demo, action=Action.PERSON_ERASED)
    assert event.details["person"] == f"person #{person.pk}"
    assert event.details["deleted"]["RC survey answers"] == before["rc responses"]
    assert event.actor_email == "erase@riverbend.example"
    text = repr(event.details) + event.object_label
    assert person.name not in text
    assert person.email not in text


def test_an_analyst_cannot_erase_and_another_networks_person_is_not_found(network_a, network_b):
    analyst = login_with(network_a, Role.ANALYST, "analyst@alpha.example")
    person = network_a.people.first()
    url = f"/n/{network_a.slug}/people/{person.pk}/erase/"
    assert analyst.get(url).status_code == 403
    assert analyst.post(url, {"confirm": "on"}).status_code == 403
    coordinator = login_with(network_a, Role.COORDINATOR, "coord@alpha.example")
    foreign = network_b.people.first()
    assert coordinator.get(f"/n/{network_a.slug}/people/{foreign.pk}/erase/").status_code == 404
    response = coordinator.post(
        f"/n/{network_a.slug}/people/{foreign.pk}/erase/", {"confirm": "on"}
    )
    assert response.status_code == 404
    assert Person.objects.filter(pk__in=[person.pk, foreign.pk]).count() == 2
    assert not Membership.objects.filter(network=network_b, user__email="coord@alpha.example")

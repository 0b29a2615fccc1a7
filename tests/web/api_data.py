"""Data the API tests build: answered RC waves, a network survey, a coffee round with
feedback — the same shapes the page tests use, so the API and the page see the same data."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.directory.models import Network, Organisation, Person
from bridgework.ona import services as ona_services
from bridgework.ona.models import NetworkInvitation, Nomination
from bridgework.programmes import services
from bridgework.programmes.models import Round
from bridgework.surveys.models import Invitation, Response, Wave
from tests.factories import add_people

# Scores no honest average of the big group could produce: if one shows up, a lone answer leaked.
LONE_SCORE = 1


def answer(survey, *, big_score: int = 4, small_score: int = LONE_SCORE) -> None:
    """Everyone answers every target; the second group's answers are distinctive."""
    targets = [f"wg:{g.pk}" for g in survey.groups]
    for invitation in Invitation.objects.filter(wave=survey.wave).select_related("workgroup"):
        score = small_score if invitation.workgroup in survey.groups[1:2] else big_score
        for index, target in enumerate(targets):
            Response.objects.create(
                invitation=invitation,
                target=target,
                **{key: min(5, score + (i + index) % 2) for i, key in enumerate(DIMENSIONS)},
            )
        invitation.completed_at = timezone.now()
        invitation.save()


def close(wave: Wave) -> None:
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    wave.refresh_from_db()


def make_network_survey(network_a):
    """North and South (seven people each, all answering) and Tiny (two people answering)."""
    orgs = [
        network_a.organisations.first(),
        Organisation.objects.create(network=network_a, name="South Agency"),
        Organisation.objects.create(network=network_a, name="Tiny Agency"),
    ]
    people = []
    for org, count in zip(orgs, (7, 7, 2), strict=True):
        people += [
            Person.objects.create(
                network=network_a,
                name=f"{org.name} {i}",
                email=f"{org.pk}-{i}@alpha.example",
                organisation=org,
            )
            for i in range(count)
        ]
    now = timezone.now()
    wave = ona_services.network_wave_create(
        network=network_a,
        name="Map",
        opens_at=now - timedelta(days=20),
        closes_at=now + timedelta(days=1),
        organisations=orgs,
    )
    late = Person.objects.create(
        network=network_a, name="Late", email="late@alpha.example", organisation=orgs[1]
    )
    invitations = {}
    for person in [*people, late]:
        invitations[person.pk] = NetworkInvitation.objects.create(
            network=network_a, wave=wave, person=person, consent_named=True
        )
    for i, person in enumerate(people):
        answer_network(wave, invitations[person.pk], person, [people[(i + 1) % len(people)]])
    return wave, invitations, late, people


def answer_network(wave, invitation, ego, alters) -> None:
    for alter in alters:
        Nomination.objects.create(
            network=wave.network, wave=wave, ego=ego, alter=alter, relation="works_with", weight=4
        )
    invitation.started_at = invitation.completed_at = timezone.now()
    invitation.save()


def run_round(network: Network, people: int = 20, holdout: float = 0.2) -> Round:
    add_people(network, people)
    programme = services.programme_create(
        network=network, name="Coffee", audience="network", holdout_share=holdout
    )
    services.enrol_audience(programme=programme)
    return services.round_publish(round_=services.round_create(programme=programme, seed=9))


def give_feedback(round_: Round, count: int, reflection: str = "Comment {i}") -> None:
    places = round_.places.filter(outcome="matched").order_by("pk")[:count]
    for i, place in enumerate(places):
        services.feedback_save(
            enrolment=place.enrolment,
            match=place.match,
            met=True,
            usefulness=4,
            will_work_together=i % 2 == 0,
            reflection=reflection.format(i=i),
        )


def dashboard_url(round_: Round) -> str:
    return f"/n/{round_.network.slug}/coffee/{round_.programme_id}/dashboard/"

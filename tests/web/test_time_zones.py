"""Dates and times read in the network's own time zone: on coordinators' pages, on the
personal-link pages and in emails (also when a worker renders them), and never leak into the
next request."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from bridgework.directory.models import Network
from bridgework.mail.models import OutboxMessage
from bridgework.surveys import services
from bridgework.surveys.models import Wave
from tests.factories import make_survey

#: 23:30 UTC on 30 June is already 1 July in London (BST) and still 30 June in California.
LATE_EVENING_UTC = datetime(2031, 6, 30, 23, 30, tzinfo=UTC)


def _survey_closing_late(network: Network):
    survey = make_survey(network, sizes=(5,))
    Wave.objects.filter(pk=survey.wave.pk).update(closes_at=LATE_EVENING_UTC)
    survey.wave.refresh_from_db()
    return survey


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "shown"), [("Europe/London", "1 July 2031 00:30"), ("UTC", "30 June 2031 23:30")]
)
def test_coordinator_pages_show_times_in_the_network_zone(coordinator, network_a, zone, shown):
    Network.objects.filter(pk=network_a.pk).update(time_zone=zone)
    survey = _survey_closing_late(network_a)
    page = coordinator.get(f"/n/{network_a.slug}/surveys/waves/{survey.wave.pk}/")
    assert page.status_code == 200
    assert shown in page.content.decode()


@pytest.mark.django_db
def test_personal_link_pages_and_emails_use_the_network_zone(network_a):
    Network.objects.filter(pk=network_a.pk).update(time_zone="Europe/London")
    network_a.refresh_from_db()
    survey = _survey_closing_late(network_a)
    _, token = next(iter(survey.tokens.items()))
    page = Client().get(f"/s/{token}/").content.decode()
    assert "1 July 2031" in page
    assert "30 June 2031" not in page
    # A reminder rendered outside any request (as the worker does) reads the same.
    services.reminders_send(wave=survey.wave)
    reminder = OutboxMessage.objects.filter(kind="survey-reminder").first()
    assert reminder is not None
    assert "closes 1 July" in reminder.subject
    assert "1 July 2031" in reminder.text_body


@pytest.mark.django_db
def test_a_network_zone_does_not_leak_into_the_next_request(coordinator, network_a):
    Network.objects.filter(pk=network_a.pk).update(time_zone="Pacific/Auckland")
    assert coordinator.get(f"/n/{network_a.slug}/people/").status_code == 200
    assert timezone.get_current_timezone_name() == "UTC"


def test_an_unknown_zone_name_falls_back_to_utc():
    assert Network(time_zone="Mars/Olympus_Mons").zone.key == "UTC"
    assert Network(time_zone="America/Los_Angeles").zone.key == "America/Los_Angeles"


@pytest.mark.django_db
def test_network_survey_emails_use_the_network_zone(network_a):
    from datetime import timedelta

    from bridgework.ona import services as network_services

    Network.objects.filter(pk=network_a.pk).update(time_zone="Europe/London")
    network_a.refresh_from_db()
    wave = network_services.network_wave_create(
        network=network_a,
        name="Map",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=LATE_EVENING_UTC,
    )
    network_services.network_invitations_create(wave=wave)
    invitation = OutboxMessage.objects.filter(kind="network-invitation").first()
    assert invitation is not None
    assert "1 July 2031" in invitation.text_body
    network_services.network_reminders_send(wave=wave)
    reminder = OutboxMessage.objects.filter(kind="network-reminder").first()
    assert reminder is not None
    assert "closes 1 July" in reminder.subject

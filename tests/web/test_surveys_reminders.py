"""Reminders (on demand and scheduled) and the demo survey data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bridgework.mail.models import OutboxMessage
from bridgework.surveys import services
from bridgework.surveys.models import Invitation, InvitationToken, Wave
from bridgework.surveys.results import wave_analysis, wave_comparison
from bridgework.surveys.tasks import send_due_reminders
from bridgework.waves.services import WaveClosedError
from tests.factories import make_survey


@pytest.mark.django_db
def test_reminders_go_only_to_those_not_finished_and_not_twice_in_a_row(
    coordinator, network_a, django_capture_on_commit_callbacks
):
    survey = make_survey(network_a, sizes=(4,))
    done = Invitation.objects.filter(wave=survey.wave).first()
    Invitation.objects.filter(pk=done.pk).update(completed_at=timezone.now())
    url = f"/n/{network_a.slug}/surveys/waves/{survey.wave.pk}/remind/"
    assert "3 invited people have not finished" in coordinator.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(url)  # double click: nobody is reminded twice
    reminders = OutboxMessage.objects.filter(kind="survey-reminder")
    assert reminders.count() == 3
    assert done.person.email not in {m.to for m in reminders}
    # Each reminder carries a new link; the first link still works.
    assert InvitationToken.objects.filter(invitation__wave=survey.wave).count() == 4 + 3
    first_token = next(iter(survey.tokens.values()))
    assert coordinator.get(f"/s/{first_token}/").status_code == 200


@pytest.mark.django_db
def test_scheduled_reminders_are_sent_when_due_only(network_a):
    survey = make_survey(network_a, sizes=(3,), opened_days_ago=2)
    Wave.objects.filter(pk=survey.wave.pk).update(reminder_every_days=3)
    assert services.reminders_send_due() == 0
    assert services.reminders_send_due(now=timezone.now() + timedelta(days=1, hours=1)) == 3
    assert send_due_reminders.call() == 0  # the round just sent is recent
    survey.wave.refresh_from_db()
    assert survey.wave.last_reminders_at is not None


@pytest.mark.django_db
def test_closed_wave_sends_no_reminders_and_no_invitations(network_a):
    survey = make_survey(network_a, sizes=(3,))
    services.wave_close(wave=survey.wave)
    survey.wave.refresh_from_db()
    assert services.reminders_send(wave=survey.wave) == 0
    with pytest.raises(WaveClosedError):
        services.invitations_create(wave=survey.wave)


@pytest.mark.django_db
def test_demo_has_two_closed_waves_an_open_one_and_a_suppressed_small_group():
    from bridgework.demo import demo_load

    demo_load()
    waves = list(Wave.objects.filter(network__slug="riverbend-county").order_by("opens_at"))
    assert [w.status for w in waves] == ["closed", "closed", "open"]
    assert OutboxMessage.objects.filter(kind="survey-invitation").count() > 50
    second = wave_analysis(waves[1])
    assert any(c.suppressed for c in second.cells if c.rater == "Psychiatric prescribers")
    assert any(c.band == "weak" for c in second.cells)
    _, comparison = wave_comparison(waves[1])
    gains = [c for c in comparison.cells if (c.change.difference or 0) > 0.3]
    assert gains

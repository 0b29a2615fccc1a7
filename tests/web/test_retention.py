"""Retention: raw answers of surveys closed longer than the network's period are deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bridgework.audit.models import Action, AuditEvent
from bridgework.directory.models import Network
from bridgework.ona.models import (
    NetworkInvitation,
    NetworkWave,
    Nomination,
    OutsideContact,
    RolesInvitation,
)
from bridgework.surveys.models import Invitation, Response, Wave


@pytest.fixture
def demo(db: None) -> Network:
    from bridgework.demo import demo_load

    demo_load()
    return Network.objects.get(slug="riverbend-county")


def _counts(wave: Wave) -> tuple[int, int, int]:
    invitations = Invitation.objects.filter(wave=wave)
    return (
        invitations.count(),
        invitations.filter(completed_at__isnull=False).count(),
        Response.objects.filter(invitation__wave=wave).count(),
    )


def test_the_worker_job_deletes_raw_answers_past_retention_only(demo):
    from bridgework.commands.web import queue_scheduled_jobs

    now = timezone.now()
    old_wave = Wave.objects.get(network=demo, name="Autumn baseline")  # closed ~212 days ago
    recent_wave = Wave.objects.get(network=demo, name="Spring follow-up")  # closed ~32 days ago
    open_wave = Wave.objects.get(network=demo, name="Summer check-in")
    network_wave = NetworkWave.objects.filter(network=demo).first()
    # The demo's network survey closed recently; move it past the limit, with an outside
    # contact to delete too.
    NetworkWave.objects.filter(pk=network_wave.pk).update(
        opens_at=now - timedelta(days=200), closes_at=now - timedelta(days=150)
    )
    invitation = NetworkInvitation.objects.filter(wave=network_wave).first()
    OutsideContact.objects.create(invitation=invitation, organisation="County Library")
    RolesInvitation.objects.filter(network=demo).update(completed_at=now - timedelta(days=150))
    before = {w.pk: _counts(w) for w in (old_wave, recent_wave, open_wave)}
    assert all(count[2] for count in before.values())
    assert Nomination.objects.filter(wave=network_wave).exists()
    roles = RolesInvitation.objects.filter(network=demo).count()
    assert roles
    invited = NetworkInvitation.objects.filter(wave=network_wave).count()

    # Without a retention period nothing happens.
    queue_scheduled_jobs()
    assert {w.pk: _counts(w) for w in (old_wave, recent_wave, open_wave)} == before

    Network.objects.filter(pk=demo.pk).update(retention_days=100)
    queue_scheduled_jobs()  # the test settings run tasks at once
    invited_count, finished, answers = _counts(old_wave)
    assert answers == 0
    assert (invited_count, finished) == before[old_wave.pk][:2]  # invitation counts are kept
    assert _counts(recent_wave) == before[recent_wave.pk]  # within the limit: untouched
    assert _counts(open_wave) == before[open_wave.pk]
    assert not Nomination.objects.filter(wave=network_wave).exists()
    assert not OutsideContact.objects.filter(invitation__wave=network_wave).exists()
    assert NetworkInvitation.objects.filter(wave=network_wave).count() == invited
    assert not RolesInvitation.objects.filter(network=demo).exists()
    events = AuditEvent.objects.filter(network=demo, action=Action.RAW_ANSWERS_DELETED)
    by_target = {(e.object_type, e.object_id): e for e in events}
    rc_event = by_target[("surveys.wave", str(old_wave.pk))]
    assert rc_event.details == {
        "retention_days": 100,
        "deleted": {"RC answers": before[old_wave.pk][2]},
    }
    assert rc_event.actor is None  # done by the system
    assert ("networks.networkwave", str(network_wave.pk)) in by_target
    assert len(events) == 3  # RC wave, network wave, roles self-assessments

    # A second run finds nothing more to delete and records nothing.
    queue_scheduled_jobs()
    assert AuditEvent.objects.filter(action=Action.RAW_ANSWERS_DELETED).count() == 3
    assert _counts(recent_wave) == before[recent_wave.pk]

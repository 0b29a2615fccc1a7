"""Retention: raw answers are deleted once a survey has been closed longer than the network's
``retention_days``; invitations (who was asked, who finished) and published results stay.

Copies of those answers kept in a network wave's or the roles mix's release go too, after the
figures shown from them are frozen (:mod:`bridgework.ona.freezing`): what stays of the
answers is only the published aggregates.

Raw answers are an RC wave's :class:`~bridgework.surveys.models.Response` rows, a network
wave's nominations, outside contacts and uploaded nominations files, and roles
self-assessments (which belong to no wave, so their age counts from when they were
finished). The worker runs :func:`retention_apply` with the other periodic jobs; it is
idempotent, and each deletion is recorded in the audit log as done by the system.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory.models import Network
from bridgework.governance.erasure import published_results_freeze
from bridgework.jobs.exports import exports_delete_expired
from bridgework.ona import analyses, freezing
from bridgework.ona import services as networks_services
from bridgework.ona.models import NetworkWave, ResultsRelease, RolesInvitation
from bridgework.surveys import services as surveys_services
from bridgework.surveys.models import Wave

__all__ = ["network_retention_apply", "retention_apply"]


@transaction.atomic
def network_retention_apply(*, network: Network, now: datetime | None = None) -> dict[str, int]:
    """Delete the raw answers of ``network``'s surveys closed more than its retention period
    before ``now``. Returns the counts by kind; nothing happens without a retention period."""
    if network.retention_days is None:
        return {}
    cutoff = (now or timezone.now()) - timedelta(days=network.retention_days)
    policy = {"retention_days": network.retention_days}
    totals: dict[str, int] = {}
    waves = Wave.objects.filter(
        network=network, closes_at__lte=cutoff, invitations__responses__isnull=False
    ).distinct()
    for wave in waves:
        published_results_freeze(wave)
        deleted = {"RC answers": surveys_services.wave_raw_answers_delete(wave=wave)}
        audit_record(
            network=network,
            action=Action.RAW_ANSWERS_DELETED,
            target=wave,
            details={**policy, "deleted": deleted},
        )
        _add(totals, deleted)
    network_waves = NetworkWave.objects.filter(network=network, closes_at__lte=cutoff).filter(
        Q(nominations__isnull=False)
        | Q(invitations__outside_contacts__isnull=False)
        | Q(imports__isnull=False)
    )
    # Also waves whose raw answers went before their release copies did.
    with_copies = {
        row.wave_id
        for row in ResultsRelease.objects.filter(network=network, wave__closes_at__lte=cutoff).only(
            "wave_id", "answers"
        )
        if any(row.answers.get(key) for key in ("rows", "nominations", "outside", "consent"))
    }
    network_waves = NetworkWave.objects.filter(
        Q(pk__in=network_waves.values("pk")) | Q(pk__in=with_copies)
    )
    for network_wave in network_waves.distinct():
        # Figures shown are frozen first, then the copies of the answers in the release go.
        copies = freezing.wave_release_copies_delete(wave=network_wave)
        deleted = networks_services.network_wave_raw_answers_delete(wave=network_wave)
        deleted["released answer copies"] = copies
        audit_record(
            network=network,
            action=Action.RAW_ANSWERS_DELETED,
            target=network_wave,
            details={**policy, "deleted": deleted},
        )
        _add(totals, deleted)
    aged = RolesInvitation.objects.filter(network=network, completed_at__lt=cutoff)
    copies = freezing.roles_release_copies_delete(
        network=network, person_ids=aged.values_list("person_id", flat=True)
    )
    roles = networks_services.roles_answers_delete(network=network, completed_before=cutoff)
    if roles or copies:
        deleted = {"roles self-assessments": roles, "released self-assessment copies": copies}
        audit_record(
            network=network,
            action=Action.RAW_ANSWERS_DELETED,
            details={**policy, "deleted": deleted},
        )
        _add(totals, deleted)
    return totals


def _add(totals: dict[str, int], counts: dict[str, int]) -> None:
    for kind, count in counts.items():
        totals[kind] = totals.get(kind, 0) + count


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    """Apply every network's retention period (one transaction per network). Returns the
    counts deleted across all networks, by kind."""
    totals: dict[str, int] = {}
    for network in Network.objects.filter(retention_days__isnull=False):
        _add(totals, network_retention_apply(network=network, now=now))
    # Downloads built by jobs are kept for BRIDGEWORK_EXPORT_KEEP_HOURS, whatever the network.
    if expired := exports_delete_expired(now=now):
        totals["exports"] = expired
    # So are the records of what large networks' map pages asked to have computed.
    if spent := analyses.analysis_requests_delete_expired(now=now):
        totals["analysis requests"] = spent
    return totals

"""Reading surveys. Every coordinator-side selector starts from the network, so a page cannot
reach another network's records: a miss raises ``DoesNotExist``, which views turn into a 404.
Respondents reach their invitation by token only (:func:`invitation_for_token`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from bridgework.directory.models import Network, Person
from bridgework.surveys.models import (
    EXTERNAL_TARGET,
    WORKGROUP_TARGET,
    Invitation,
    InvitationToken,
    Response,
    Wave,
    WorkProcess,
)
from bridgework.tokens import token_digest
from bridgework.waves.selectors import Progress, eligible_people
from bridgework.waves.selectors import wave_progress as shared_wave_progress

#: Response rate under which a group is flagged on the progress page.
LOW_RESPONSE_RATE = 0.6


@dataclass(frozen=True)
class Target:
    """One group respondents rate: a workgroup of the process or an external target."""

    key: str
    name: str
    external: bool


def work_processes_for(network: Network) -> QuerySet[WorkProcess]:
    """Work processes with their workgroups, external targets and waves (newest first)."""
    return WorkProcess.objects.filter(network=network).prefetch_related(
        "workgroups",
        "external_targets",
        Prefetch("waves", queryset=Wave.objects.order_by("-opens_at", "-pk")),
    )


def work_process_for(network: Network, process_id: int) -> WorkProcess:
    return work_processes_for(network).get(pk=process_id)


def waves_for(network: Network) -> QuerySet[Wave]:
    """The network's RC waves with their process, oldest first (a stable order for paging)."""
    return (
        Wave.objects.filter(network=network)
        .select_related("work_process", "network")
        .order_by("opens_at", "pk")
    )


def wave_for(network: Network, wave_id: int) -> Wave:
    return Wave.objects.select_related("work_process", "network").get(network=network, pk=wave_id)


def wave_targets(wave: Wave) -> list[Target]:
    """The process's workgroups (by name), then its external targets (by name)."""
    process = wave.work_process
    targets = [
        Target(f"{WORKGROUP_TARGET}:{w.pk}", w.name, False)
        for w in process.workgroups.order_by("name")
    ]
    targets += [
        Target(f"{EXTERNAL_TARGET}:{t.pk}", t.name, True)
        for t in process.external_targets.order_by("name")
    ]
    return targets


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation behind a link, or ``None`` for a wrong token."""
    if not token or len(token) > 100:
        return None
    link = (
        InvitationToken.objects.select_related(
            "invitation__wave__work_process", "invitation__wave__network", "invitation__workgroup"
        )
        .filter(digest=token_digest(token))
        .first()
    )
    return link.invitation if link is not None else None


def responses_of(invitation: Invitation) -> dict[str, Response]:
    """The invitation's own saved answers, by target key."""
    return {r.target: r for r in invitation.responses.all()}


def wave_progress(wave: Wave, *, small_counts: bool) -> Progress:
    """Response counts overall, by workgroup and by organisation (three grouped queries);
    the response rate is of those who finished. With ``small_counts`` false (analysts),
    small groups' counts are left out as on every wave's progress
    (:func:`bridgework.waves.selectors.wave_progress`)."""
    return shared_wave_progress(
        Invitation.objects.filter(wave=wave),
        min_group_size=wave.min_group_size_in_force,
        groupings={"workgroup": "workgroup__name", "organisation": "organisation__name"},
        small_counts=small_counts,
        measure="completed",
        low_rate=LOW_RESPONSE_RATE,
        overall_name="All respondents",
    )


def waves_before(wave: Wave) -> QuerySet[Wave]:
    """Earlier waves of the same work process, most recent first."""
    return Wave.objects.filter(work_process=wave.work_process, opens_at__lt=wave.opens_at).order_by(
        "-opens_at", "-pk"
    )


def latest_closed_wave(network: Network) -> Wave | None:
    """The network's RC wave that closed last (its figures are final)."""
    return (
        Wave.objects.filter(network=network, closes_at__lte=timezone.now())
        .select_related("network")
        .order_by("-closes_at", "-pk")
        .first()
    )


def previous_wave(wave: Wave) -> Wave | None:
    return waves_before(wave).first()


def results_snapshot_for(wave: Wave):
    """The published results snapshot every page and download of the wave reads (made when
    due), or ``None`` while the wave shows no results (see ``surveys.results``)."""
    from bridgework.surveys import results

    return results.results_snapshot_for(wave)


def wave_respondents(wave: Wave) -> QuerySet[Person]:
    """The people the wave asks: eligible people (active, with an email) of its workgroups,
    and of its organisations if chosen."""
    people = Person.objects.filter(
        network=wave.network, workgroup__in=wave.respondent_workgroups.all()
    )
    organisations = list(wave.respondent_organisations.all())
    if organisations:
        people = people.filter(organisation__in=organisations)
    return eligible_people(people).order_by("pk")

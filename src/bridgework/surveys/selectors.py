"""Reading surveys. Every coordinator-side selector starts from the network, so a page cannot
reach another network's records: a miss raises ``DoesNotExist``, which views turn into a 404.
Respondents reach their invitation by token only (:func:`invitation_for_token`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from bridgework.directory.models import Network
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


@dataclass(frozen=True)
class ProgressRow:
    """Invited and finished counts of one group, with warnings."""

    name: str
    invited: int
    started: int
    completed: int
    below_minimum: bool
    low_rate: bool

    @property
    def rate(self) -> float:
        return self.completed / self.invited if self.invited else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.rate)


@dataclass(frozen=True)
class Progress:
    overall: ProgressRow
    by_workgroup: tuple[ProgressRow, ...]
    by_organisation: tuple[ProgressRow, ...]


def _rows(invitations: QuerySet[Invitation], field: str, k: int) -> tuple[ProgressRow, ...]:
    grouped = (
        invitations.values(f"{field}__name")
        .annotate(
            invited=Count("pk"),
            started=Count("pk", filter=Q(started_at__isnull=False)),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
        )
        .order_by(f"{field}__name")
    )
    return tuple(_row(g[f"{field}__name"] or "No organisation", g, k) for g in grouped)


def _row(name: str, counts: dict, k: int) -> ProgressRow:
    invited, completed = counts["invited"], counts["completed"]
    return ProgressRow(
        name=name,
        invited=invited,
        started=counts["started"],
        completed=completed,
        below_minimum=completed < k,
        low_rate=bool(invited) and completed / invited < LOW_RESPONSE_RATE,
    )


def wave_progress(wave: Wave) -> Progress:
    """Response counts overall, by workgroup and by organisation: three grouped queries."""
    invitations = Invitation.objects.filter(wave=wave)
    k = wave.min_group_size_in_force
    totals = invitations.aggregate(
        invited=Count("pk"),
        started=Count("pk", filter=Q(started_at__isnull=False)),
        completed=Count("pk", filter=Q(completed_at__isnull=False)),
    )
    return Progress(
        overall=_row("All respondents", totals, k),
        by_workgroup=_rows(invitations, "workgroup", k),
        by_organisation=_rows(invitations, "organisation", k),
    )


def waves_before(wave: Wave) -> QuerySet[Wave]:
    """Earlier waves of the same work process, most recent first."""
    return Wave.objects.filter(work_process=wave.work_process, opens_at__lt=wave.opens_at).order_by(
        "-opens_at", "-pk"
    )


def previous_wave(wave: Wave) -> Wave | None:
    return waves_before(wave).first()


def results_snapshot_for(wave: Wave):
    """The published results snapshot every page and download of the wave reads (made when
    due), or ``None`` while the wave shows no results (see ``surveys.results``)."""
    from bridgework.surveys import results

    return results.results_snapshot_for(wave)

"""Reading jobs, always from the network."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from bridgework.directory.models import Membership, Network, Role
from bridgework.jobs.models import ExportFile, Job


def jobs_for(network: Network, *, membership: Membership | None = None) -> QuerySet[Job]:
    """The network's jobs, newest first, with who started them.

    Given the reader's ``membership``, a job needing a role they do not have is left out: its
    page names what it worked on (the owner-only audit log's download, the named map).
    """
    jobs = Job.objects.filter(network=network).select_related("requested_by")
    if membership is not None:
        beyond = [role for role in Role.values if not membership.has_role(role)]
        if beyond:
            jobs = jobs.exclude(role__in=beyond)
    return jobs


def job_for(network: Network, pk: int, *, membership: Membership | None = None) -> Job:
    """The network's job ``pk``; ``Job.DoesNotExist`` (a 404) for another network's, and for a
    download the reader's ``membership`` may not open."""
    return jobs_for(network, membership=membership).get(pk=pk)


def latest_job_for(network: Network, *, kinds: Iterable[str], target_id: int) -> Job | None:
    """The most recent job of one of ``kinds`` on the record ``target_id``, if any."""
    return (
        Job.objects.filter(network=network, kind__in=list(kinds), target_id=target_id)
        .order_by("-created_at", "-id")
        .first()
    )


def active_job_for(network: Network, *, kind: str, target_id: int) -> Job | None:
    """The queued or running job of ``kind`` on ``target_id``, if there is one."""
    return Job.objects.filter(
        network=network, kind=kind, target_id=target_id, status__in=Job.ACTIVE
    ).first()


def export_for(network: Network, pk: int) -> ExportFile:
    """The network's stored download ``pk``; ``ExportFile.DoesNotExist`` (a 404) otherwise."""
    return ExportFile.objects.select_related("network").get(network=network, pk=pk)

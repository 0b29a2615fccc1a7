"""A large network's analyses are computed by a job in the worker, never while a page waits.

A map page asks :mod:`bridgework.ona.results` for its figures with ``wait=False``; when the
analysis is not in the cache and the release holds more than ``BRIDGEWORK_ANALYSIS_INLINE_PEOPLE``
people, it gets :class:`~bridgework.ona.results.AnalysisPendingError` and calls
:func:`analysis_prepare`, which records what the page needs (an :class:`AnalysisRequest`,
one per release, page and filters) and starts, or joins, the ``network-analysis`` job on it.
The job calls the very functions the page calls, with ``wait=True``, so it fills the cache
entries the page reads (same keys, same release, same suppression) and nothing else.

The worker's scheduler also calls :func:`analyses_warm`: for every large wave open now (or
closed within :data:`WARM_AFTER_CLOSE`), it starts the job for the usual first views (the
organisation map and the named map, all relations, no minimum strength) of the current
release, once per release, so a coordinator's first look finds them ready.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from bridgework.directory.models import Network, Person, Role
from bridgework.jobs.models import Job
from bridgework.jobs.selectors import latest_job_for
from bridgework.jobs.services import job_start
from bridgework.ona import results
from bridgework.ona.models import AnalysisRequest, NetworkWave

__all__ = [
    "ANALYSIS_JOB",
    "WARM_AFTER_CLOSE",
    "analyses_warm",
    "analysis_apply",
    "analysis_back",
    "analysis_prepare",
    "analysis_request_for",
    "analysis_requests_delete_expired",
    "analysis_role",
]

#: The job kind that computes a large network's analyses into the cache.
ANALYSIS_JOB = "network-analysis"

#: How long after closing a wave is still warmed after a release (its last answers).
WARM_AFTER_CLOSE = timedelta(days=1)

Page = AnalysisRequest.Page


def analysis_prepare(
    *,
    wave: NetworkWave,
    page: str,
    relation: str | None = None,
    min_weight: int | None = None,
    requested_by: Any = None,
    once: bool = False,
) -> Job | None:
    """The job computing what ``page`` (``organisations`` or ``people``) shows with these
    filters on the wave's current release: started, or the one already queued or running
    for the same figures (one :class:`AnalysisRequest` per set of cache keys, and one active
    job per request). ``None`` when every figure is in the cache already.

    A request whose last job stopped gets that job back (its page says why, and coordinators
    can try again) rather than a new job on every view. With ``once`` (the scheduler's
    warm-up) nothing starts for a request that has had a job before.
    """
    keys = results.analysis_keys(
        wave, named=page == Page.PEOPLE, relation=relation, min_weight=min_weight
    )
    if all(results.analysis_ready(key) for key in keys):
        return None
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()
    request, created = AnalysisRequest.objects.get_or_create(
        wave=wave,
        key=digest,
        defaults={
            "network_id": wave.network_id,
            "page": page,
            "relation": relation or "",
            "min_weight": min_weight,
        },
    )
    latest = latest_job_for(wave.network, kinds=(ANALYSIS_JOB,), target_id=request.pk)
    if latest is not None and (latest.is_active or latest.status == Job.Status.FAILED):
        return latest
    if once and not created and latest is not None:
        return None
    return job_start(
        network=wave.network, kind=ANALYSIS_JOB, target=request, requested_by=requested_by
    )


def analysis_requests_delete_expired(*, now: datetime | None = None) -> int:
    """Delete the requests whose figures have left the cache: made longer ago than a large
    network's analyses are kept, with no job on them working, started or ended since (a
    request asked for again is computed again by a new job on the same row); returns how
    many.

    Their keys name a release, so most are never asked for again; one that is (a wave with
    no new answers since) is made afresh by the next page that needs it, and its job with it.
    Run by the worker with the retention sweep, so the table holds about a week of requests.
    """
    cutoff = (now or timezone.now()) - timedelta(seconds=results.LARGE_ANALYSIS_CACHE_SECONDS)
    recent = Job.objects.filter(kind=ANALYSIS_JOB).filter(
        Q(status__in=Job.ACTIVE) | Q(created_at__gte=cutoff) | Q(finished_at__gte=cutoff)
    )
    deleted, _ = (
        AnalysisRequest.objects.filter(created_at__lt=cutoff)
        .exclude(pk__in=recent.values("target_id"))
        .delete()
    )
    return deleted


def analysis_request_for(network: Network, pk: int) -> AnalysisRequest:
    """The network's analysis request ``pk``; ``DoesNotExist`` for another network's."""
    return AnalysisRequest.objects.select_related("network", "wave", "wave__network").get(
        network=network, pk=pk
    )


def analysis_apply(request: AnalysisRequest) -> tuple[int, str, dict[str, Any]]:
    """Compute what the request's page reads into the cache, through the page's own calls."""
    wave = request.wave
    relation = request.relation or None
    results.organisation_figures(wave, relation=relation, min_weight=request.min_weight)
    if request.page == Page.PEOPLE:
        results.analyse_named(wave, relation=relation)
    people = results.released_people(wave)
    return people, f"The figures of {wave.name} are ready.", {"people": people}


def analysis_role(request: AnalysisRequest) -> str:
    """Who may see the job: the named map is for coordinators, the organisation map for
    every member (as their pages are)."""
    return Role.COORDINATOR if request.page == Page.PEOPLE else Role.ANALYST


def analysis_back(request: AnalysisRequest) -> tuple[str, str]:
    """``(url, label)`` of the map the request's figures are for, with its filters."""
    wave = request.wave
    organisations = request.page == Page.ORGANISATIONS
    route = "networks:nwaves_map" if organisations else "networks:nwaves_people"
    url = reverse(route, kwargs={"network": request.network.slug, "pk": wave.pk})
    query = {"relation": request.relation} if request.relation else {}
    if request.min_weight:
        query["strength"] = request.min_weight
    if query:
        url = f"{url}?{urlencode(query)}"
    level = "organisation map" if organisations else "named map"
    return url, f"the {level} of {wave.name}"


def analyses_warm(*, now: datetime | None = None) -> list[int]:
    """Start the jobs of the usual first views (both maps, all relations, no minimum
    strength) of every large wave open now or closed within :data:`WARM_AFTER_CLOSE`, once
    per release (a release made here follows the same rule as one made by a page). Run by
    the worker's scheduler; returns the ids of the jobs started or joined."""
    now = now or timezone.now()
    waves = NetworkWave.objects.filter(
        opens_at__lte=now, closes_at__gte=now - WARM_AFTER_CLOSE
    ).select_related("network")
    started = []
    limit = results.inline_people()
    for wave in waves:
        # The directory first: a release holds at most the network's people, and a small
        # network's release is left to be made by its pages, as before.
        if Person.objects.filter(network_id=wave.network_id).count() <= limit:
            continue
        if results.released_people(wave) <= limit:
            continue
        for page in (Page.ORGANISATIONS, Page.PEOPLE):
            job = analysis_prepare(wave=wave, page=page, once=True)
            if job is not None and job.is_active:
                started.append(job.pk)
    return started

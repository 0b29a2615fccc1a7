"""A large network's analyses are computed by a job in the worker, never in the page request:
the page starts (or joins) the job and opens its progress page; the job fills the very cache
entries the page reads; the scheduler prepares the usual views after each release; a small
network still computes in the request as before."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from bridgework.jobs.models import Job
from bridgework.jobs.services import job_run
from bridgework.ona import results
from bridgework.ona.analyses import ANALYSIS_JOB, analyses_warm
from bridgework.ona.models import AnalysisRequest, ResultsRelease
from tests.factories import add_respondents, login_with, make_network_wave

pytestmark = pytest.mark.django_db

REAL = results.analyze_network


def _map_data(response) -> dict:
    match = re.search(
        rb'<script id="network-map-data" type="application/json">(.*?)</script>',
        response.content,
        re.S,
    )
    assert match, response.content[:500]
    return json.loads(match.group(1))


@pytest.fixture
def calls(monkeypatch) -> list[str]:
    """Every analysis computed: by the job only, as the request must never compute one."""
    seen: list[str] = []

    def refused(*args, **kwargs):
        raise AssertionError("analyze_network ran in the request")

    monkeypatch.setattr(results, "analyze_network", refused)
    return seen


def _run(job: Job, monkeypatch, calls: list[str]) -> Job:
    """Run the job as the worker would, with the real analysis, then refuse it again."""

    def counted(*args, **kwargs):
        calls.append("job")
        return REAL(*args, **kwargs)

    monkeypatch.setattr(results, "analyze_network", counted)
    try:
        return job_run(job_id=job.pk)
    finally:
        monkeypatch.setattr(
            results, "analyze_network", lambda *a, **k: pytest.fail("computed in the request")
        )


@pytest.fixture
def large(network_a, settings):
    """A network of 26 people, "large" under a threshold of 10."""
    settings.ANALYSIS_INLINE_PEOPLE = 10
    wave = make_network_wave(network_a)
    return network_a, wave


def _job_of(response) -> Job:
    assert response.status_code == 302, response.status_code
    pk = int(re.search(r"/jobs/(\d+)/$", response["Location"]).group(1))
    return Job.objects.get(pk=pk)


def test_a_large_networks_map_is_computed_by_a_job_into_the_cache_the_page_reads(
    large, coordinator, calls, monkeypatch, settings
):
    network, wave = large
    url = f"/n/{network.slug}/networks/waves/{wave.pk}/map/?relation=works_with&strength=3"
    job = _job_of(coordinator.get(url))
    assert job.kind == ANALYSIS_JOB
    assert job.status == Job.Status.QUEUED
    assert calls == []  # nothing computed in the request
    page = coordinator.get(f"/n/{network.slug}/jobs/{job.pk}/").content.decode()
    assert "Preparing the network figures" in page
    assert "Waiting to start" in page
    assert f'href="{url.replace("&", "&amp;")}"' in page  # back to the map, with its filters

    job = _run(job, monkeypatch, calls)
    assert job.status == Job.Status.DONE, job.error
    assert job.outcome == "The figures of Map are ready."
    assert calls == ["job"]
    key = results.analysis_keys(wave, named=False, relation="works_with", min_weight=3)[0]
    assert cache.get(key) is not None
    from_job = _map_data(coordinator.get(url))  # read from the cache: no computation
    assert calls == ["job"]

    # The same figures as the page computes inline for a small network.
    cache.clear()
    settings.ANALYSIS_INLINE_PEOPLE = 1000
    monkeypatch.setattr(results, "analyze_network", REAL)
    assert _map_data(coordinator.get(url)) == from_job


def test_two_requests_for_the_same_figures_start_one_job(large, coordinator, owner, calls):
    network, wave = large
    base = f"/n/{network.slug}/networks/waves/{wave.pk}/"
    first = _job_of(coordinator.get(base + "map/"))
    assert _job_of(owner.get(base + "map/")) == first  # another person joins it
    assert _job_of(coordinator.get(base + "map.pdf")) == first  # the PDF reads the same
    other = _job_of(coordinator.get(base + "map/?relation=trust"))  # other figures
    named = _job_of(coordinator.get(base + "people/"))
    assert _job_of(owner.get(base + "people/")) == named
    assert len({first.pk, other.pk, named.pk}) == 3
    assert Job.objects.filter(kind=ANALYSIS_JOB).count() == 3
    assert AnalysisRequest.objects.count() == 3
    assert calls == []


def test_the_named_map_and_the_roles_page_wait_for_the_job_then_show_its_figures(
    large, coordinator, calls, monkeypatch
):
    network, wave = large
    people = f"/n/{network.slug}/networks/waves/{wave.pk}/people/"
    roles = f"/n/{network.slug}/networks/roles/"
    job = _job_of(coordinator.get(people))
    page = coordinator.get(roles)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="analysis-pending"' in html
    assert f"/jobs/{job.pk}/" in html  # the same job: one per set of figures
    assert calls == []
    assert _run(job, monkeypatch, calls).status == Job.Status.DONE
    assert calls == ["job", "job"]  # the organisation figures and the named ones
    data = _map_data(coordinator.get(people))
    assert len(data["nodes"]) == 24
    assert 'id="analysis-pending"' not in coordinator.get(roles).content.decode()
    assert calls == ["job", "job"]


def test_a_stopped_job_is_shown_again_rather_than_started_on_every_view(
    large, coordinator, calls, monkeypatch
):
    network, wave = large
    url = f"/n/{network.slug}/networks/waves/{wave.pk}/map/"
    job = _job_of(coordinator.get(url))
    monkeypatch.setattr(results, "analyze_network", lambda *a, **k: 1 / 0)
    failed = job_run(job_id=job.pk)
    assert failed.status == Job.Status.FAILED
    assert "ZeroDivisionError" not in failed.error  # a plain sentence for the page
    assert _job_of(coordinator.get(url)) == job
    page = coordinator.get(f"/n/{network.slug}/jobs/{job.pk}/").content.decode()
    assert "Try again" in page


def test_another_network_never_sees_the_job(large, coordinator, network_b):
    network, wave = large
    job = _job_of(coordinator.get(f"/n/{network.slug}/networks/waves/{wave.pk}/map/"))
    other = login_with(network_b, "owner", "owner@beta.example")
    assert other.get(f"/n/{network_b.slug}/jobs/{job.pk}/").status_code == 404
    assert f"/jobs/{job.pk}/" not in other.get(f"/n/{network_b.slug}/jobs/").content.decode()
    # Nor can its pages of another network's wave start one.
    before = Job.objects.count()
    assert other.get(f"/n/{network_b.slug}/networks/waves/{wave.pk}/map/").status_code == 404
    assert Job.objects.count() == before


def test_the_named_maps_job_is_seen_by_coordinators_only_as_the_named_map_is(
    large, coordinator, analyst, calls
):
    network, wave = large
    base = f"/n/{network.slug}/networks/waves/{wave.pk}/"
    organisations = _job_of(coordinator.get(base + "map/"))
    named = _job_of(coordinator.get(base + "people/"))
    assert (organisations.role, named.role) == ("analyst", "coordinator")
    listed = analyst.get(f"/n/{network.slug}/jobs/").content.decode()
    assert f"/jobs/{organisations.pk}/" in listed
    assert f"/jobs/{named.pk}/" not in listed
    assert analyst.get(f"/n/{network.slug}/jobs/{organisations.pk}/").status_code == 200
    assert analyst.get(f"/n/{network.slug}/jobs/{named.pk}/").status_code == 404
    assert analyst.get(base + "people/").status_code == 403  # the map itself, as before
    listed = coordinator.get(f"/n/{network.slug}/jobs/").content.decode()
    assert f"/jobs/{organisations.pk}/" in listed
    assert f"/jobs/{named.pk}/" in listed


def test_the_scheduler_prepares_the_usual_views_once_per_release(
    large, coordinator, calls, monkeypatch, django_capture_on_commit_callbacks
):
    network, wave = large
    type(wave).objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(hours=2))
    wave.refresh_from_db()
    monkeypatch.setattr(results, "analyze_network", REAL)
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs the jobs
        started = analyses_warm()
    assert len(started) == 2
    jobs = Job.objects.filter(pk__in=started)
    assert {j.status for j in jobs} == {Job.Status.DONE}
    assert {j.requested_by for j in jobs} == {None}  # the scheduler's
    assert sorted(AnalysisRequest.objects.values_list("page", flat=True)) == [
        "organisations",
        "people",
    ]
    monkeypatch.setattr(results, "analyze_network", lambda *a, **k: pytest.fail("computed"))
    base = f"/n/{network.slug}/networks/waves/{wave.pk}/"
    assert coordinator.get(base + "map/").status_code == 200  # ready at the first view
    assert coordinator.get(base + "people/").status_code == 200
    # Once per release: nothing more to do, even if the cache lost an entry since.
    assert analyses_warm() == []
    cache.clear()
    assert analyses_warm() == []
    assert Job.objects.filter(kind=ANALYSIS_JOB).count() == 2

    # Five new respondents (the minimum group size) make a new release: prepared again.
    add_respondents(wave, network.organisations.get(name="East Agency"), 5)
    monkeypatch.setattr(results, "analyze_network", REAL)
    with django_capture_on_commit_callbacks(execute=True):
        again = analyses_warm()
    assert len(again) == 2
    assert Job.objects.filter(kind=ANALYSIS_JOB).count() == 4


def test_a_small_network_is_still_computed_in_the_request(network_a, coordinator):
    wave = make_network_wave(network_a)
    base = f"/n/{network_a.slug}/networks/waves/{wave.pk}/"
    assert coordinator.get(base + "map/").status_code == 200
    assert coordinator.get(base + "people/").status_code == 200
    assert coordinator.get(f"/n/{network_a.slug}/networks/roles/").status_code == 200
    assert not Job.objects.exists()
    # Nor does the scheduler make its release: its pages do, as before.
    type(wave).objects.filter(pk=wave.pk).update(closes_at=timezone.now())
    ResultsRelease.objects.all().delete()
    assert analyses_warm() == []
    assert not ResultsRelease.objects.exists()


def test_the_api_summary_asks_to_come_back_while_the_same_job_computes(
    large, coordinator, calls, monkeypatch
):
    from tests.web.api_client import Api

    network, wave = large
    api = Api(network)
    path = f"network-surveys/waves/{wave.pk}/summary"
    waiting = api.get(path, relation="works_with")
    assert waiting.status_code == 503
    assert waiting["Retry-After"] == "60"
    assert "being computed" in waiting.json()["detail"]
    assert calls == []
    # The page with the same filters joins the job the API started.
    page = f"/n/{network.slug}/networks/waves/{wave.pk}/map/?relation=works_with"
    job = _job_of(coordinator.get(page))
    assert Job.objects.filter(kind=ANALYSIS_JOB).count() == 1
    assert job.requested_by is None
    assert _run(job, monkeypatch, calls).status == Job.Status.DONE
    body = api.json(path, relation="works_with")
    assert body["relation"] == "works_with"
    assert {row["name"] for row in body["organisations"]} >= {"North Agency", "East Agency"}


@pytest.mark.django_db(transaction=True)
def test_the_job_holds_no_transaction_open_while_it_computes(monkeypatch, settings):
    from django.db import connection

    from bridgework.ona.analyses import analysis_prepare
    from tests.factories import make_network

    settings.ANALYSIS_INLINE_PEOPLE = 10
    wave = make_network_wave(make_network("gamma"))
    seen: list[bool] = []

    def watched(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        return REAL(*args, **kwargs)

    monkeypatch.setattr(results, "analyze_network", watched)
    job = analysis_prepare(wave=wave, page="organisations")  # committed: the job runs at once
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert seen == [False]  # on SQLite a transaction would hold the write lock throughout


def test_requests_whose_figures_left_the_cache_are_swept_unless_a_job_works_on_them(
    large, coordinator, calls
):
    from bridgework.governance.retention import retention_apply

    network, wave = large
    base = f"/n/{network.slug}/networks/waves/{wave.pk}/"
    kept = timedelta(seconds=results.LARGE_ANALYSIS_CACHE_SECONDS)
    old = timezone.now() - kept - timedelta(hours=1)
    finished = _job_of(coordinator.get(base + "map/"))
    Job.objects.filter(pk=finished.pk).update(
        status=Job.Status.DONE, created_at=old, finished_at=old
    )
    working = _job_of(coordinator.get(base + "people/"))  # still queued
    Job.objects.filter(pk=working.pk).update(created_at=old)
    recomputed = _job_of(coordinator.get(base + "map/?relation=trust"))
    Job.objects.filter(pk=recomputed.pk).update(
        status=Job.Status.DONE, created_at=old, finished_at=old
    )
    Job.objects.create(  # asked for again yesterday: a new job on the same request
        network=network,
        kind=ANALYSIS_JOB,
        target_id=recomputed.target_id,
        status=Job.Status.DONE,
        created_at=timezone.now() - timedelta(days=1),
    )
    recent = _job_of(coordinator.get(base + "map/?relation=energy"))
    Job.objects.filter(pk=recent.pk).update(status=Job.Status.DONE)
    AnalysisRequest.objects.exclude(pk=recent.target_id).update(created_at=old)
    assert retention_apply() == {"analysis requests": 1}
    assert set(AnalysisRequest.objects.values_list("pk", flat=True)) == {
        working.target_id,
        recomputed.target_id,
        recent.target_id,
    }
    # The finished job's page still answers, without its way back to a request now gone.
    page = coordinator.get(f"/n/{network.slug}/jobs/{finished.pk}/")
    assert page.status_code == 200
    assert "Preparing the network figures" in page.content.decode()
    # The same map asked for again makes its request afresh.
    again = _job_of(coordinator.get(base + "map/"))
    assert again.pk != finished.pk
    assert AnalysisRequest.objects.filter(pk=again.target_id).exists()
    assert calls == []

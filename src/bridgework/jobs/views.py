"""A job's progress page, and retrying a job that stopped.

The page works without JavaScript (it reloads itself while the job runs, through a
``<noscript>`` refresh, and has a Refresh link); with JavaScript it updates its live region
in place, so screen readers announce the progress. It stops refreshing once the job ends.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bridgework.directory.models import Role
from bridgework.jobs import selectors, services
from bridgework.jobs.kinds import kind_for
from bridgework.jobs.models import Job
from bridgework.web.pagination import page_of
from bridgework.web.tenancy import network_view

#: Seconds between reloads of a running job's page.
REFRESH_SECONDS = 3


def progress_text(job: Job) -> str:
    """ "Sent 1,500 of 20,000 invitations", as the page and its live region say it."""
    spec = kind_for(job.kind)
    if spec.apply is not None and job.is_active:
        if not job.total:
            return f"{spec.working}…"
        return f"{spec.working}: {intcomma(job.total)} {spec.count(job.total)}"
    if job.status == Job.Status.QUEUED and not job.done:
        return f"Waiting to start: {intcomma(job.total)} {spec.count(job.total)} to go."
    return f"{spec.verb} {intcomma(job.done)} of {intcomma(job.total)} {spec.count(job.total)}"


@network_view()
def index(request: HttpRequest) -> HttpResponse:
    """Every job of the network, newest first, a page at a time."""
    page = page_of(request, selectors.jobs_for(request.network))
    rows = []
    for job in page.object_list:
        try:
            title = kind_for(job.kind).title
            progress = job.outcome if job.status == Job.Status.DONE else progress_text(job)
        except KeyError:  # a kind no longer registered: still listed, by its name
            title, progress = job.kind, job.outcome
        rows.append({"job": job, "title": title, "progress": progress})
    return render(
        request,
        "jobs/index.html",
        {"page_obj": page, "rows": rows, "page_title": "Jobs"},
    )


@network_view()
@never_cache
def show(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_for(request.network, pk)
    spec = kind_for(job.kind)
    back_url, back_label = None, None
    try:
        back_url, back_label = spec.back(spec.load(request.network, job.target_id))
    except Exception:  # the record was deleted since: the page still tells what happened
        back_url, back_label = None, None
    return render(
        request,
        "jobs/show.html",
        {
            "job": job,
            "title": spec.title,
            "progress": progress_text(job),
            "back_url": back_url,
            "back_label": back_label,
            "refresh": REFRESH_SECONDS,
            "counted": spec.batch is not None,
            "can_retry": job.status == Job.Status.FAILED
            and request.membership.has_role(Role.COORDINATOR),
            "page_title": spec.title,
        },
    )


@network_view(Role.COORDINATOR)
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_for(request.network, pk)
    if job.status != Job.Status.FAILED:
        messages.info(request, "This job has not stopped, so there is nothing to retry.")
    else:
        job = services.job_retry(job=job)
    return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)

"""A job's progress page, and retrying a job that stopped.

The page works without JavaScript (it reloads itself while the job runs, through a
``<noscript>`` refresh, and has a Refresh link); with JavaScript it updates its live region
in place, so screen readers announce the progress. It stops refreshing once the job ends.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory.models import Role
from bridgework.jobs import exports, selectors, services
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
            return str(spec.working)
        return spec.say(spec.working_total, count=job.total, total=intcomma(job.total))
    if job.status == Job.Status.QUEUED and not job.done:
        return spec.say(spec.waiting, count=job.total, total=intcomma(job.total))
    return spec.say(
        spec.progress, count=job.total, done=intcomma(job.done), total=intcomma(job.total)
    )


@network_view()
def index(request: HttpRequest) -> HttpResponse:
    """Every job of the network, newest first, a page at a time."""
    page = page_of(request, selectors.jobs_for(request.network, membership=request.membership))
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
        {"page_obj": page, "rows": rows, "page_title": _("Jobs")},
    )


@network_view()
@never_cache
def show(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_for(request.network, pk, membership=request.membership)
    spec = kind_for(job.kind)
    back_url, back_label, result = None, None, None
    try:
        target = spec.load(request.network, job.target_id)
        back_url, back_label = spec.back(target)
        if spec.result is not None and job.status == Job.Status.DONE:
            result = spec.result(target)
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
            "has_result": spec.result is not None and job.status == Job.Status.DONE,
            "result_url": result[0] if result else None,
            "result_label": result[1] if result else None,
            "can_retry": job.status == Job.Status.FAILED
            and request.membership.has_role(Role.COORDINATOR),
            "page_title": spec.title,
        },
    )


@network_view(Role.COORDINATOR)
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_for(request.network, pk, membership=request.membership)
    if job.status != Job.Status.FAILED:
        messages.info(request, _("This job has not stopped, so there is nothing to retry."))
    else:
        job = services.job_retry(job=job)
    return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)


def export_or_enqueue(request: HttpRequest, *, kind: str, params: dict[str, Any]) -> HttpResponse:
    """Answer a download: at once when it is small, else by a job that builds it into a stored
    file (its progress page then offers the download). Both paths build it with the export's
    one ``build`` function and audit the download the same way."""
    spec = exports.export_kind_for(kind)
    rows = spec.rows(request.network, params)
    if rows > exports.inline_rows():
        with transaction.atomic():
            export = exports.export_start(
                network=request.network, kind=kind, params=params, user=request.user
            )
            job = services.job_start(
                network=request.network,
                kind=exports.EXPORT_JOB,
                target=export,
                requested_by=request.user,
            )
        return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)
    content = spec.build(request.network, params)
    return _attachment(
        request,
        content=content,
        content_type=spec.content_type,
        filename=spec.filename(request.network, params),
        details=spec.audit(params, rows),
    )


def _attachment(
    request: HttpRequest, *, content: bytes, content_type: str, filename: str, details: dict
) -> HttpResponse:
    audit_record(
        network=request.network,
        action=Action.EXPORT_DOWNLOADED,
        details=details,
        request=request,
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@network_view()
@never_cache
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A stored download, for members with the role its inline download needs, while kept."""
    export = selectors.export_for(request.network, pk)
    if not request.membership.has_role(export.role):
        raise PermissionDenied(
            _("This needs the %(role)s role.") % {"role": Role(export.role).label}
        )
    if not export.is_ready:
        raise Http404(_("This file is no longer kept."))
    spec = exports.export_kind_for(export.kind)
    return _attachment(
        request,
        content=bytes(export.content),
        content_type=export.content_type,
        filename=export.filename,
        details={**spec.audit(export.params, export.rows), "prepared_by_job": True},
    )

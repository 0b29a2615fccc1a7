"""Importing people: upload, preview every change or every problem, then confirm.

A file up to ``BRIDGEWORK_UPLOAD_INLINE_BYTES`` is checked in the upload request; a larger
one is only stored, and a job in the worker (:mod:`bridgework.jobs`) checks it with the same
function, so no upload holds a request for more than a few seconds. Confirming starts a job
too: the file is checked again and written all-or-nothing there, and the coordinator watches
its progress page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.datasets.limits import upload_limits
from bridgework.directory import import_checks, imports, selectors
from bridgework.directory.forms import PeopleImportForm
from bridgework.directory.jobs import PEOPLE_IMPORT, PEOPLE_IMPORT_CHECK
from bridgework.directory.models import PeopleImport, Role
from bridgework.directory.uploads import oversized_upload_error, upload_too_big_message
from bridgework.jobs import selectors as jobs
from bridgework.jobs.kinds import JobRefusedError
from bridgework.jobs.services import job_start
from bridgework.web.pagination import page_of
from bridgework.web.tenancy import network_view


@network_view(Role.COORDINATOR)
def upload(request: HttpRequest) -> HttpResponse:
    too_big = oversized_upload_error(request) if request.method == "POST" else None
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    problems = None
    if too_big:  # the file was dropped as it arrived: say why instead of "choose a file"
        form.is_valid()
        form.errors["file"] = form.error_class([too_big])
    elif request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        if uploaded.size > upload_limits().file_bytes:
            form.add_error("file", upload_too_big_message())
        elif uploaded.size > import_checks.inline_bytes():
            # Too large to read while the coordinator waits: stored now, checked in the worker.
            with transaction.atomic():
                upload = imports.people_import_upload(
                    network=request.network,
                    user=request.user,
                    filename=uploaded.name,
                    content=uploaded.read(),
                    checked=False,
                )
                job = job_start(
                    network=request.network,
                    kind=PEOPLE_IMPORT_CHECK,
                    target=upload,
                    requested_by=request.user,
                )
            return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)
        else:
            content = uploaded.read()
            plan, problems = import_checks.people_file_check(
                network=request.network, filename=uploaded.name, content=content
            )
            if plan is not None:
                upload = imports.people_import_upload(
                    network=request.network,
                    user=request.user,
                    filename=uploaded.name,
                    content=content,
                )
                return redirect(
                    "directory:imports_preview", network=request.network.slug, pk=upload.pk
                )
    return render(
        request,
        "directory/imports/upload.html",
        {"form": form, "problems": problems, "page_title": _("Import people")},
    )


@network_view(Role.COORDINATOR)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.people_import_for(request.network, pk)
    job = jobs.latest_job_for(
        request.network, kinds=(PEOPLE_IMPORT, PEOPLE_IMPORT_CHECK), target_id=upload.pk
    )
    if job is not None and (job.is_active or upload.status == PeopleImport.Status.CHECKING):
        return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)
    if upload.status == PeopleImport.Status.REFUSED or (
        upload.status == PeopleImport.Status.PREVIEW and upload.checked
    ):  # checked in the worker: show what it found, without reading the file again
        return _preview(
            request,
            upload,
            import_checks.checked_plan(upload),
            import_checks.checked_problems(upload),
        )
    if upload.status != PeopleImport.Status.PREVIEW:
        return render(
            request,
            "directory/imports/done.html",
            {"upload": upload, "latest_job": job, "page_title": _("Import finished")},
        )
    plan, problems = import_checks.people_file_check(
        network=request.network, filename=upload.filename, content=bytes(upload.content)
    )
    return _preview(request, upload, plan, problems)


def _preview(request: HttpRequest, upload: PeopleImport, plan: Any, problems: list) -> HttpResponse:
    """The preview page of a plan (an ``ImportPlan`` or its stored preview), its new people
    and its changes a page at a time, or every problem."""
    creates = plan["creates"] if isinstance(plan, dict) else getattr(plan, "creates", ())
    updates = plan["updates"] if isinstance(plan, dict) else getattr(plan, "updates", ())
    return render(
        request,
        "directory/imports/preview.html",
        {
            "upload": upload,
            "plan": plan,
            "creates_page": page_of(request, creates, param="new_page"),
            "updates_page": page_of(request, updates, param="changes_page"),
            "problems": problems or None,
            "page_title": _("Check the import of %(filename)s") % {"filename": upload.filename},
        },
    )


@network_view(Role.COORDINATOR)
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.people_import_for(request.network, pk)
    if request.POST.get("action") == "discard":
        imports.people_import_discard(upload=upload)
        messages.success(request, _("The import was discarded. Nothing was changed."))
        return redirect("directory:people", network=request.network.slug)
    try:
        job = job_start(
            network=request.network, kind=PEOPLE_IMPORT, target=upload, requested_by=request.user
        )
    except JobRefusedError as exc:
        messages.error(request, str(exc))
        return redirect("directory:imports_preview", network=request.network.slug, pk=pk)
    return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)

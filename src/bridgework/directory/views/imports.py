"""Importing people: upload, preview every change or every problem, then confirm.

Confirming starts a job in the worker (:mod:`bridgework.jobs`): the file is checked again
and written all-or-nothing there, and the coordinator watches its progress page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bridgework.datasets.limits import upload_limits
from bridgework.datasets.tabular import DatasetError
from bridgework.directory import imports, selectors
from bridgework.directory.forms import PeopleImportForm
from bridgework.directory.jobs import PEOPLE_IMPORT
from bridgework.directory.models import PeopleImport, Role
from bridgework.directory.uploads import oversized_upload_error, upload_too_big_message
from bridgework.jobs import selectors as jobs
from bridgework.jobs.kinds import JobRefusedError
from bridgework.jobs.services import job_start
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
        else:
            content = uploaded.read()
            try:
                records, columns = imports.read_people_file(
                    content, filename=uploaded.name, limits=upload_limits()
                )
                imports.people_import_plan(
                    network=request.network, records=records, columns=columns
                )
            except DatasetError as exc:
                problems = exc.problems
            else:
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
        {"form": form, "problems": problems, "page_title": "Import people"},
    )


@network_view(Role.COORDINATOR)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.people_import_for(request.network, pk)
    job = jobs.latest_job_for(request.network, kinds=(PEOPLE_IMPORT,), target_id=upload.pk)
    if job is not None and job.is_active:
        return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)
    if upload.status != PeopleImport.Status.PREVIEW:
        return render(
            request,
            "directory/imports/done.html",
            {"upload": upload, "latest_job": job, "page_title": "Import finished"},
        )
    problems, plan = None, None
    try:
        records, columns = imports.read_people_file(
            bytes(upload.content), filename=upload.filename, limits=upload_limits()
        )
        plan = imports.people_import_plan(network=request.network, records=records, columns=columns)
    except DatasetError as exc:
        problems = exc.problems
    return render(
        request,
        "directory/imports/preview.html",
        {
            "upload": upload,
            "plan": plan,
            "problems": problems,
            "page_title": f"Check the import of {upload.filename}",
        },
    )


@network_view(Role.COORDINATOR)
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.people_import_for(request.network, pk)
    if request.POST.get("action") == "discard":
        imports.people_import_discard(upload=upload)
        messages.success(request, "The import was discarded. Nothing was changed.")
        return redirect("directory:people", network=request.network.slug)
    try:
        job = job_start(
            network=request.network, kind=PEOPLE_IMPORT, target=upload, requested_by=request.user
        )
    except JobRefusedError as exc:
        messages.error(request, str(exc))
        return redirect("directory:imports_preview", network=request.network.slug, pk=pk)
    return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)

"""Coordinators' pages for network waves: list, create, show, edit, invite, remind, close,
import. Actions are confirmed on a page of their own (GET) and done by POST, so a link can
never send emails or close a wave by itself. Inviting and reminding start a job in the
worker (:mod:`bridgework.jobs`) and show its progress page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from bridgework.audit.models import Action
from bridgework.datasets.limits import upload_limits
from bridgework.directory.import_checks import inline_bytes
from bridgework.directory.models import Role
from bridgework.directory.uploads import oversized_upload_error, upload_too_big_message
from bridgework.jobs import selectors as jobs
from bridgework.jobs.services import job_start
from bridgework.ona import jobs as wave_jobs
from bridgework.ona import results, selectors, services
from bridgework.ona.forms import NetworkWaveForm, NominationsUploadForm
from bridgework.ona.imports import nominations_preview
from bridgework.ona.models import NetworkWave
from bridgework.waves.selectors import invitations_pending
from bridgework.waves.services import WaveClosedError
from bridgework.waves.views import WaveAction, min_group_size_audit, start_job, wave_action_view
from bridgework.web.tenancy import network_view


@network_view()
def home(request: HttpRequest) -> HttpResponse:
    waves = selectors.network_waves_for(request.network)
    return render(
        request,
        "ona/waves/index.html",
        {
            "waves": waves,
            "can_edit": request.membership.has_role(Role.COORDINATOR),
            "page_title": _("Network mapping"),
        },
    )


@network_view(Role.COORDINATOR)
def create(request: HttpRequest) -> HttpResponse:
    form = NetworkWaveForm(request.POST or None, network=request.network)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wave = services.network_wave_create(network=request.network, **data)
        except services.ValidationError as exc:
            form.add_error(None, exc)
        else:
            min_group_size_audit(request, wave, before=None)
            return redirect("networks:nwaves_show", network=request.network.slug, pk=wave.pk)
    return render(
        request, "components/form_page.html", {"form": form, "page_title": _("New network survey")}
    )


@network_view()
def show(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.network_wave_for(request.network, pk)
    can_edit = request.membership.has_role(Role.COORDINATOR)
    return render(
        request,
        "ona/waves/show.html",
        {
            "wave": wave,
            # Coordinators, who run the survey and chase answers, see every count (as on RC
            # progress); analysts do not see small organisations' counts.
            "progress": selectors.network_wave_progress(wave, small_counts=can_edit),
            "eligible": selectors.wave_respondents(wave).count(),
            "organisations": wave.organisations.all(),
            # Released, like the maps: a live count would tell how many colleagues the last
            # person to answer named (and so would one over fewer than the minimum).
            "nominations": results.released_nominations(wave),
            "can_edit": can_edit,
            "latest_job": jobs.latest_job_for(
                request.network,
                kinds=(wave_jobs.INVITATIONS, wave_jobs.REMINDERS),
                target_id=wave.pk,
            ),
            "page_title": wave.name,
        },
    )


@network_view(Role.COORDINATOR)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.network_wave_for(request.network, pk)
    form = None
    if not wave.is_closed:
        form = NetworkWaveForm(
            request.POST or None,
            initial=NetworkWaveForm.initial_for(wave),
            network=request.network,
        )
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This survey has closed; its set-up can no longer change."))
            return redirect("networks:nwaves_show", network=request.network.slug, pk=wave.pk)
        if form.is_valid():
            try:
                before = wave.min_group_size
                services.network_wave_update(wave=wave, **form.cleaned_data)
            except services.ValidationError as exc:
                form.add_error(None, exc)
            except WaveClosedError as exc:
                messages.error(request, str(exc))
                return redirect("networks:nwaves_show", network=request.network.slug, pk=wave.pk)
            else:
                min_group_size_audit(request, wave, before=before)
                messages.success(request, _("Saved %(name)s.") % {"name": wave.name})
                return redirect("networks:nwaves_show", network=request.network.slug, pk=wave.pk)
    return render(
        request,
        "ona/waves/form.html",
        {"form": form, "wave": wave, "page_title": _("Edit %(name)s") % {"name": wave.name}},
    )


def _page(action: WaveAction) -> Callable[..., HttpResponse]:
    return wave_action_view(
        action, load=selectors.network_wave_for, show_route="networks:nwaves_show", survey="network"
    )


def _close(request: HttpRequest, wave: NetworkWave) -> str:
    services.network_wave_close(wave=wave)
    return _("The survey is closed.")


def _not_closed(wave: NetworkWave) -> bool:
    return not wave.is_closed


invite = _page(
    WaveAction(
        title=_lazy("Send invitations"),
        button=_lazy("Send invitations"),
        explain=lambda wave: (
            _("Everyone in scope who has not been invited gets a personal link by email.")
            if not wave.is_closed
            else _("This survey has closed, so no more invitations can be sent.")
        ),
        run=start_job(wave_jobs.INVITATIONS),
        allowed=_not_closed,
        audited=Action.SURVEY_INVITATIONS_SENT,
        closed_message=_lazy("This survey has closed."),
    )
)


def _reminders_text(wave: NetworkWave) -> str:
    if not wave.is_open:
        return _("Reminders can only be sent while the survey is open.")
    pending = invitations_pending(wave)
    return ngettext(
        "%(count)s invited person has not finished. "
        "Each gets a reminder with a fresh personal link (earlier links keep working), "
        "except anyone reminded in the last 12 hours.",
        "%(count)s invited people have not finished. "
        "Each gets a reminder with a fresh personal link (earlier links keep working), "
        "except anyone reminded in the last 12 hours.",
        pending,
    ) % {"count": pending}


remind = _page(
    WaveAction(
        title=_lazy("Send reminders"),
        button=_lazy("Send reminders"),
        explain=_reminders_text,
        run=start_job(wave_jobs.REMINDERS),
        allowed=lambda wave: wave.is_open,
        audited=Action.SURVEY_REMINDERS_SENT,
    )
)
close = _page(
    WaveAction(
        title=_lazy("Close the survey now"),
        button=_lazy("Close now"),
        explain=lambda wave: (
            _("Links will say the survey has closed; answers so far are kept.")
            if not wave.is_closed
            else _("This survey has already closed.")
        ),
        run=_close,
        allowed=_not_closed,
    )
)


@network_view(Role.COORDINATOR)
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.network_wave_for(request.network, pk)
    too_big = oversized_upload_error(request) if request.method == "POST" else None
    form = NominationsUploadForm(request.POST or None, request.FILES or None)
    if too_big:  # the file was dropped as it arrived: say why instead of "choose a file"
        form.is_valid()
        form.errors["file"] = form.error_class([too_big])
    elif request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        if file.size > upload_limits().file_bytes:
            form.add_error("file", upload_too_big_message())
        else:
            with transaction.atomic():
                record = services.nominations_import_upload(
                    wave=wave, filename=file.name, content=file.read()
                )
                if file.size > inline_bytes():  # too large to read while the person waits
                    job = job_start(
                        network=request.network,
                        kind=wave_jobs.NOMINATIONS_CHECK,
                        target=record,
                        requested_by=request.user,
                    )
                    return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)
            return redirect("networks:nimports_show", network=request.network.slug, pk=record.pk)
    return render(
        request,
        "ona/imports/new.html",
        {
            "form": form,
            "wave": wave,
            "page_title": _("Import nominations into %(name)s") % {"name": wave.name},
        },
    )


@network_view(Role.COORDINATOR)
def import_show(request: HttpRequest, pk: int) -> HttpResponse:
    """A nominations file's preview and its import. A small file is read here; a large one
    was checked by a job (its preview stored on the upload) and is imported by another."""
    record = selectors.nomination_import_for(request.network, pk)
    job = jobs.latest_job_for(
        request.network,
        kinds=(wave_jobs.NOMINATIONS_CHECK, wave_jobs.NOMINATIONS_IMPORT),
        target_id=record.pk,
    )
    if job is not None and (
        job.is_active or (job.kind == wave_jobs.NOMINATIONS_CHECK and not record.checked)
    ):
        return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)
    in_worker = bool(record.checked)
    preview = record.checked if in_worker else {}
    if record.applied_at is None and not in_worker:
        preview = nominations_preview(record)
    problems = preview.get("problems", [])
    if request.method == "POST" and not problems and record.applied_at is None:
        if in_worker:
            job = job_start(
                network=request.network,
                kind=wave_jobs.NOMINATIONS_IMPORT,
                target=record,
                requested_by=request.user,
            )
            return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)
        count = services.nominations_import(upload=record)
        messages.success(
            request,
            ngettext("%(count)s nomination imported.", "%(count)s nominations imported.", count)
            % {"count": count},
        )
        return redirect("networks:nwaves_show", network=request.network.slug, pk=record.wave_id)
    shown = preview.get("rows", [])
    names = selectors.person_names(
        request.network, {r["ego"] for r in shown} | {r["alter"] for r in shown}
    )
    return render(
        request,
        "ona/imports/show.html",
        {
            "record": record,
            "problems": problems,
            "rows": [
                {
                    "row": r,
                    "ego": names.get(r["ego"], r["ego"]),
                    "alter": names.get(r["alter"], r["alter"]),
                }
                for r in shown
            ],
            "count": preview.get("count", 0),
            "latest_job": job,
            "page_title": _("Check %(filename)s") % {"filename": record.filename},
        },
    )

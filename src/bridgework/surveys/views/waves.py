"""A wave: its summary, settings, wording, and the actions on it (invite, remind, copy, close).

Actions are confirmed on a page of their own (GET) and done by POST, so a link can never
send emails or close a wave by itself. Inviting and reminding start a job in the worker
(:mod:`bridgework.jobs`) and show its progress page, whatever the size of the wave.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory.models import Role, language_codes
from bridgework.jobs import selectors as jobs
from bridgework.jobs.models import Job
from bridgework.jobs.services import job_start
from bridgework.surveys import jobs as wave_jobs
from bridgework.surveys import selectors, services
from bridgework.surveys.forms import WaveForm, WordingForm
from bridgework.surveys.models import Wave
from bridgework.waves.services import WaveClosedError
from bridgework.web.tenancy import network_view


@network_view()
def show(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.wave_for(request.network, pk)
    can_edit = request.membership.has_role(Role.COORDINATOR)
    return render(
        request,
        "surveys/waves/show.html",
        {
            "wave": wave,
            "targets": selectors.wave_targets(wave),
            "progress": selectors.wave_progress(wave, small_counts=can_edit),
            "eligible": services.wave_respondents(wave).count(),
            "respondent_workgroups": wave.respondent_workgroups.all(),
            "respondent_organisations": wave.respondent_organisations.all(),
            "can_edit": can_edit,
            "latest_job": jobs.latest_job_for(
                request.network,
                kinds=(wave_jobs.INVITATIONS, wave_jobs.REMINDERS),
                target_id=wave.pk,
            ),
            "page_title": f"{wave.work_process.name}: {wave.name}",
        },
    )


@network_view(Role.COORDINATOR)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.wave_for(request.network, pk)
    form = WaveForm(
        request.POST or None, initial=WaveForm.initial_for(wave), process=wave.work_process
    )
    if request.method == "POST" and form.is_valid():
        try:
            before = wave.min_group_size
            services.wave_update(wave=wave, **form.wave_fields())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if wave.min_group_size != before:
                audit_record(
                    network=request.network,
                    action=Action.MIN_GROUP_SIZE_CHANGED,
                    target=wave,
                    details={"from": before, "to": wave.min_group_size},
                    request=request,
                )
            messages.success(request, _("Saved %(name)s.") % {"name": wave.name})
            return redirect("surveys:waves_show", network=request.network.slug, pk=wave.pk)
    return render(
        request,
        "surveys/form.html",
        {"form": form, "page_title": _("Edit %(name)s") % {"name": wave.name}, "wave": wave},
    )


@network_view(Role.COORDINATOR)
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.wave_for(request.network, pk)
    default = request.network.default_language
    form = WordingForm(
        request.POST or None,
        instrument=wave.instrument(default),
        # One block per other language offered, each starting from its current wording.
        translations={code: wave.instrument(code) for code in language_codes() if code != default},
        default_language=default,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.wave_set_wording(wave=wave, **form.wording())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved the wording of the questions."))
            return redirect("surveys:waves_show", network=request.network.slug, pk=wave.pk)
    return render(
        request,
        "surveys/form.html",
        {
            "form": form,
            "page_title": _("Questions of %(name)s") % {"name": wave.name},
            "wave": wave,
            "wording": True,
        },
    )


def _action(
    template_title: str,
    button: str,
    run: Callable[[HttpRequest, Wave], str | Wave | Job],
    *,
    warning: bool = False,
) -> Callable[..., HttpResponse]:
    @network_view(Role.COORDINATOR)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        wave = selectors.wave_for(request.network, pk)
        if request.method == "POST":
            try:
                result = run(request, wave)
                if audited := _AUDITED.get(request.resolver_match.url_name):
                    audit_record(
                        network=request.network,
                        action=audited,
                        target=wave,
                        details={"survey": "RC", "job": getattr(result, "pk", None)},
                        request=request,
                    )
            except WaveClosedError as exc:
                messages.error(request, str(exc))
                return redirect("surveys:waves_show", network=request.network.slug, pk=wave.pk)
            if isinstance(result, Job):
                return redirect("jobs:jobs_show", network=request.network.slug, pk=result.pk)
            if isinstance(result, Wave):
                messages.success(
                    request,
                    _("Created %(name)s. Check its dates and send it.") % {"name": result.name},
                )
                return redirect("surveys:waves_show", network=request.network.slug, pk=result.pk)
            messages.success(request, result)
            return redirect("surveys:waves_show", network=request.network.slug, pk=wave.pk)
        return render(
            request,
            "surveys/waves/confirm.html",
            {
                "wave": wave,
                "page_title": template_title.format(wave=wave),
                "button": button,
                "warning": warning,
                "eligible": services.wave_respondents(wave).count(),
                "pending": wave.invitations.filter(completed_at__isnull=True).count(),
                "action": request.resolver_match.url_name,
            },
        )

    return view


#: The actions of :func:`_action` pages recorded in the audit log, by URL name.
_AUDITED = {
    "waves_invite": Action.SURVEY_INVITATIONS_SENT,
    "waves_remind": Action.SURVEY_REMINDERS_SENT,
}


def _job(kind: str) -> Callable[[HttpRequest, Wave], Job]:
    def start(request: HttpRequest, wave: Wave) -> Job:
        return job_start(network=request.network, kind=kind, target=wave, requested_by=request.user)

    return start


def _close(request: HttpRequest, wave: Wave) -> str:
    services.wave_close(wave=wave)
    return f"Closed {wave.name}."


invite = _action(
    "Send invitations for {wave.name}", "Send invitations", _job(wave_jobs.INVITATIONS)
)
remind = _action("Send reminders for {wave.name}", "Send reminders", _job(wave_jobs.REMINDERS))
copy = _action(
    "Copy {wave.name}", "Copy this wave", lambda request, wave: services.wave_copy(wave=wave)
)
close = _action("Close {wave.name} now", "Close the wave", _close, warning=True)

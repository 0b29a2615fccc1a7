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
from django.utils.translation import gettext_lazy as _lazy

from bridgework.audit.models import Action
from bridgework.directory.models import Role, language_codes
from bridgework.jobs import selectors as jobs
from bridgework.surveys import jobs as wave_jobs
from bridgework.surveys import selectors, services
from bridgework.surveys.forms import WaveForm, WordingForm
from bridgework.surveys.models import Wave
from bridgework.waves.selectors import invitations_pending
from bridgework.waves.views import WaveAction, min_group_size_audit, start_job, wave_action_view
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
            "eligible": selectors.wave_respondents(wave).count(),
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
            min_group_size_audit(request, wave, before=before)
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


def _close(request: HttpRequest, wave: Wave) -> str:
    services.wave_close(wave=wave)
    return _("Closed %(name)s.") % {"name": wave.name}


def _page(action: WaveAction) -> Callable[..., HttpResponse]:
    return wave_action_view(
        action, load=selectors.wave_for, show_route="surveys:waves_show", survey="RC"
    )


invite = _page(
    WaveAction(
        title=_lazy("Send invitations for {wave.name}"),
        button=_lazy("Send invitations"),
        explain=lambda wave: (
            _(
                "Everyone in the wave's workgroups who has not been invited yet gets an email with "
                "a personal link (%(count)s people are in scope; "
                "people already invited are not emailed again)."
            )
            % {"count": selectors.wave_respondents(wave).count()}
        ),
        run=start_job(wave_jobs.INVITATIONS),
        audited=Action.SURVEY_INVITATIONS_SENT,
    )
)
remind = _page(
    WaveAction(
        title=_lazy("Send reminders for {wave.name}"),
        button=_lazy("Send reminders"),
        explain=lambda wave: (
            _(
                "%(count)s invited people have not finished. Each gets a "
                "reminder with a fresh personal link, unless reminded in the last 12 hours."
            )
            % {"count": invitations_pending(wave)}
        ),
        run=start_job(wave_jobs.REMINDERS),
        audited=Action.SURVEY_REMINDERS_SENT,
    )
)
copy = _page(
    WaveAction(
        title=_lazy("Copy {wave.name}"),
        button=_lazy("Copy this wave"),
        explain=lambda wave: _(
            "A new wave with the same respondents, wording and settings, opening today for as "
            "long as this one ran. No invitations or answers are copied."
        ),
        run=lambda request, wave: services.wave_copy(wave=wave),
    )
)
close = _page(
    WaveAction(
        title=_lazy("Close {wave.name} now"),
        button=_lazy("Close the wave"),
        explain=lambda wave: _(
            "After closing, links say the survey has closed and no more answers are taken."
        ),
        run=_close,
        warning=True,
    )
)

"""The respondent's pages, reached through a personal link without an account.

A wrong token gets a plain page that says nothing about any survey; a closed wave says so.
Each target is one screen; every screen is saved as it is submitted, so the link resumes
where the respondent left off, on any device. Nothing here shows anyone else's answers.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.surveys import selectors, services
from bridgework.surveys.forms import AnswerForm
from bridgework.surveys.models import Invitation
from bridgework.waves.services import WaveClosedError
from bridgework.web.personal_links import link_not_valid, survey_window_page
from bridgework.web.tenancy import public_view


def _gate(request: HttpRequest, token: str) -> tuple[Invitation | None, HttpResponse | None]:
    """The invitation, or the page to show instead (invalid link, closed, not yet open)."""
    invitation = selectors.invitation_for_token(token)
    if invitation is None:
        return None, link_not_valid(request)
    page = survey_window_page(
        request, invitation, not_open_template="surveys/respond/not_open.html"
    )
    return (None, page) if page else (invitation, None)


def _next_step(invitation: Invitation, targets: list, answered: set[str]) -> int | None:
    for number, target in enumerate(targets, start=1):
        if target.key not in answered:
            return number
    return None


@public_view
@never_cache
def start(request: HttpRequest, token: str) -> HttpResponse:
    invitation, stop = _gate(request, token)
    if stop is not None:
        return stop
    wave = invitation.wave
    targets = selectors.wave_targets(wave)
    answered = set(selectors.responses_of(invitation))
    return render(
        request,
        "surveys/respond/start.html",
        {
            "wave": wave,
            "token": token,
            "targets": targets,
            "answered": len(answered & {t.key for t in targets}),
            "next_step": _next_step(invitation, targets, answered),
            "completed": invitation.completed_at is not None,
            "page_title": _("%(process)s: how is it working?")
            % {"process": wave.work_process.name},
        },
    )


@public_view
@never_cache
def step(request: HttpRequest, token: str, step: int) -> HttpResponse:
    invitation, stop = _gate(request, token)
    if stop is not None:
        return stop
    wave = invitation.wave
    targets = selectors.wave_targets(wave)
    if not 1 <= step <= len(targets):
        return redirect("respond:start", token=token)
    target = targets[step - 1]
    instrument = wave.instrument(translation.get_language())
    saved = selectors.responses_of(invitation).get(target.key)
    initial = {}
    if saved is not None:
        initial = {"not_applicable": not saved.works_with, **saved.scores()}
    form = AnswerForm(
        request.POST if request.method == "POST" else None, initial=initial, instrument=instrument
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.response_save(
                invitation=invitation,
                target=target.key,
                works_with=not data["not_applicable"],
                scores={key: data.get(key) for key in DIMENSIONS},
            )
        except WaveClosedError:
            return redirect("respond:start", token=token)
        if step < len(targets):
            return redirect("respond:step", token=token, step=step + 1)
        return redirect("respond:done", token=token)
    values = form.data if form.is_bound else initial
    questions = []
    for item in instrument.items:
        chosen = str(values.get(item.key) or "")
        questions.append(
            {
                "key": item.key,
                "text": item.render(work_process=wave.work_process.name, target=target.name),
                "label": item.label,
                "options": [
                    (str(i), label, str(i) == chosen)
                    for i, label in enumerate(item.answer_labels, start=1)
                ],
            }
        )
    not_applicable = values.get("not_applicable") in (True, "on", "true", "1")
    return render(
        request,
        "surveys/respond/step.html",
        {
            "wave": wave,
            "token": token,
            "form": form,
            "target": target,
            "step": step,
            "total": len(targets),
            "questions": questions,
            "not_applicable": not_applicable,
            "previous": step - 1 if step > 1 else None,
            "page_title": _("%(name)s (%(step)s of %(total)s)")
            % {"name": target.name, "step": step, "total": len(targets)},
        },
    )


@public_view
@never_cache
def done(request: HttpRequest, token: str) -> HttpResponse:
    invitation, stop = _gate(request, token)
    if stop is not None:
        return stop
    wave = invitation.wave
    targets = selectors.wave_targets(wave)
    answered = set(selectors.responses_of(invitation))
    missing = _next_step(invitation, targets, answered)
    if request.method == "POST" and missing is None:
        services.invitation_complete(invitation=invitation)
        return redirect("respond:done", token=token)
    return render(
        request,
        "surveys/respond/done.html",
        {
            "wave": wave,
            "token": token,
            "missing": missing,
            "total": len(targets),
            "completed": invitation.completed_at is not None,
            "page_title": _("Thank you") if invitation.completed_at else _("Check and send"),
        },
    )

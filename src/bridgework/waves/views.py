"""A wave's confirmed actions (send invitations, send reminders, copy, close), once for every
instrument.

Each action is a page of its own: GET shows what will happen and a button, POST does it, so a
link can never send emails or close a wave by itself. An instrument describes an action in a
:class:`WaveAction` (its wording and what it runs) and gets the view from
:func:`wave_action_view`, naming only how a wave is found and the page to go back to. Sending
invitations and reminders is a job for the worker (:mod:`bridgework.jobs`): the view starts it,
records it in the audit log and shows its progress page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory.models import Network, Role
from bridgework.jobs.models import Job
from bridgework.jobs.services import job_start
from bridgework.waves.models import AbstractWave
from bridgework.waves.services import WaveClosedError
from bridgework.web.tenancy import network_view

__all__ = ["WaveAction", "min_group_size_audit", "start_job", "wave_action_view"]

#: A sentence, or a lazily translated one (translated in the request's language when shown).
StrOrPromise = str | Promise

#: What an action's ``run`` gives back: a started job (its progress page is shown), a new wave
#: (its page is shown), or a sentence for the wave's page.
Outcome = str | AbstractWave | Job


def start_job(kind: str) -> Callable[[HttpRequest, AbstractWave], Job]:
    """An action's ``run`` that starts the wave's bulk action ``kind`` as a worker job."""

    def run(request: HttpRequest, wave: AbstractWave) -> Job:
        return job_start(network=request.network, kind=kind, target=wave, requested_by=request.user)

    return run


def min_group_size_audit(request: HttpRequest, wave: AbstractWave, *, before: int | None) -> None:
    """Record in the audit log that a wave's minimum group size was set (``before`` is
    ``None`` for a new wave) or changed; a save that left it as it was records nothing."""
    if wave.min_group_size == before:
        return
    audit_record(
        network=request.network,
        action=Action.MIN_GROUP_SIZE_CHANGED,
        target=wave,
        details={"from": before, "to": wave.min_group_size},
        request=request,
    )


def _always(_: AbstractWave) -> bool:
    return True


@dataclass(frozen=True)
class WaveAction:
    """One confirmed action on a wave.

    Parameters
    ----------
    title
        The page's heading, formatted with ``wave`` (``"Send reminders for {wave.name}"``).
    button
        The button that does it.
    explain
        What will happen, given the wave (or, where the action is not allowed, why not).
    run
        Does it, given the request and the wave; returns an :data:`Outcome`.
    allowed
        Whether the button is offered for this wave; where not, the page only explains.
    warning
        The explanation is a warning and the button a warning button (closing a wave).
    audited
        The audit log action recorded when it is done (``None``: not recorded).
    closed_message
        Shown instead of the error's own wording when the wave turns out to be closed.
    """

    title: StrOrPromise
    button: StrOrPromise
    explain: Callable[[AbstractWave], str]
    run: Callable[[HttpRequest, AbstractWave], Outcome]
    allowed: Callable[[AbstractWave], bool] = _always
    warning: bool = False
    audited: str | None = None
    closed_message: StrOrPromise | None = None


def wave_action_view(
    action: WaveAction,
    *,
    load: Callable[[Network, int], AbstractWave],
    show_route: str,
    survey: str,
) -> Callable[..., HttpResponse]:
    """The coordinators' page for ``action`` on a wave found with ``load(network, pk)``;
    ``show_route`` names the wave's page, ``survey`` the instrument in the audit log."""

    def back(request: HttpRequest, pk: int) -> HttpResponse:
        return redirect(show_route, network=request.network.slug, pk=pk)

    @network_view(Role.COORDINATOR)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        wave = load(request.network, pk)
        if request.method == "POST":
            try:
                result = action.run(request, wave)
            except WaveClosedError as exc:
                messages.error(request, action.closed_message or str(exc))
                return back(request, wave.pk)
            if action.audited:
                audit_record(
                    network=request.network,
                    action=action.audited,
                    target=wave,
                    details={"survey": survey, "job": getattr(result, "pk", None)},
                    request=request,
                )
            if isinstance(result, Job):
                return redirect("jobs:jobs_show", network=request.network.slug, pk=result.pk)
            if isinstance(result, AbstractWave):
                messages.success(
                    request,
                    _("Created %(name)s. Check its dates and send it.") % {"name": result.name},
                )
                return back(request, result.pk)
            messages.success(request, result)
            return back(request, wave.pk)
        return render(
            request,
            "waves/confirm.html",
            {
                "wave": wave,
                "back_route": show_route,
                "page_title": str(action.title).format(wave=wave),
                "text": action.explain(wave),
                "button": action.button,
                "allowed": action.allowed(wave),
                "warning": action.warning,
            },
        )

    return view

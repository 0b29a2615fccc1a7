"""A round: preview (who, why, sit-outs, holdout), re-draw, publish; cancelling one of a
published round's matches or giving it a new time.

Drawing and publishing run as worker jobs (:mod:`bridgework.programmes.jobs`): the buttons
start the job and open its progress page, and the round's page links to its latest job.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory.models import Role
from bridgework.jobs import selectors as jobs
from bridgework.jobs.kinds import JobRefusedError
from bridgework.jobs.models import Job
from bridgework.jobs.services import job_start
from bridgework.programmes import selectors, services
from bridgework.programmes.dates import programme_today
from bridgework.programmes.exceptions import ProgrammeError
from bridgework.programmes.forms import MatchTimeForm
from bridgework.programmes.jobs import ROUND_DRAW, ROUND_JOBS, ROUND_PUBLISH
from bridgework.programmes.views.programmes import confirm_page
from bridgework.web.pagination import page_of
from bridgework.web.tenancy import network_view


@network_view()
def show(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_for(request.network, pk)
    page = page_of(request, selectors.round_match_list(round_))
    holdout = page_of(
        request,
        selectors.round_places_without_match(round_, "holdout"),
        param="holdout_page",
    )
    return render(
        request,
        "programmes/rounds/show.html",
        {
            "round": round_,
            "programme": round_.programme,
            "matches": selectors.round_matches(round_, page.object_list),
            "matches_page": page,
            "sit_outs": selectors.round_places_without_match(round_, "sit_out"),
            "holdout": holdout,
            "changed": 0 if round_.is_published else selectors.round_changed_since_draw(round_),
            "can_edit": request.membership.has_role(Role.COORDINATOR),
            "running": round_.is_published and round_.ends_on > programme_today(round_.programme),
            "latest_job": jobs.latest_job_for(
                request.network, kinds=ROUND_JOBS, target_id=round_.pk
            ),
            "page_title": gettext("%(name)s: round %(number)s")
            % {"name": round_.programme.name, "number": round_.number},
        },
    )


def _back(request: HttpRequest, round_) -> str:
    return reverse(
        "programmes:rounds_show", kwargs={"network": request.network.slug, "pk": round_.pk}
    )


@network_view(Role.COORDINATOR)
def redraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Draw again with the stored seed (the same people give the same matches), or with a
    new seed when asked."""
    round_ = selectors.round_for(request.network, pk)
    if request.method != "POST":
        return confirm_page(
            request,
            title=gettext("Draw round %(number)s again") % {"number": round_.number},
            explanation=gettext(
                "With the same seed and the same people the matches stay the same; "
                "people who joined, paused or left since are taken into account, and a round whose "
                "start has passed moves to the next start."
            ),
            button=gettext("Draw again"),
            back=_back(request, round_),
        )
    try:
        if request.POST.get("new_seed"):
            round_ = services.round_reseed(round_=round_, seed=secrets.randbits(31))
        job = round_draw_start(request, round_)
    except (ProgrammeError, JobRefusedError) as exc:
        messages.error(request, str(exc))
        return redirect("programmes:rounds_show", network=request.network.slug, pk=round_.pk)
    return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)


def round_draw_start(request: HttpRequest, round_) -> Job:
    """Start drawing ``round_`` in the worker (or return the draw already running)."""
    return job_start(
        network=request.network, kind=ROUND_DRAW, target=round_, requested_by=request.user
    )


@network_view(Role.COORDINATOR)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_for(request.network, pk)
    if request.method != "POST":
        return confirm_page(
            request,
            title=gettext("Publish round %(number)s") % {"number": round_.number},
            explanation=gettext(
                "The matches become final. Everyone matched gets an introduction with "
                "a calendar invitation; everyone else is told there is no match this round."
            ),
            button=gettext("Publish and send"),
            back=_back(request, round_),
        )
    if round_.is_published:
        messages.info(request, gettext("This round was already published."))
        return redirect(_back(request, round_))
    try:
        job = job_start(
            network=request.network, kind=ROUND_PUBLISH, target=round_, requested_by=request.user
        )
    except (ProgrammeError, JobRefusedError) as exc:
        messages.error(request, str(exc))
        return redirect("programmes:rounds_show", network=request.network.slug, pk=round_.pk)
    audit_record(
        network=request.network,
        action=Action.ROUND_PUBLISHED,
        target=round_,
        details={
            "programme": round_.programme.name,
            "matches": round_.matches.count(),
            "job": job.pk,
        },
        request=request,
    )
    return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)


@network_view(Role.COORDINATOR)
def match_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel one match of a published round: its people get a calendar cancellation."""
    match = selectors.match_for(request.network, pk)
    round_ = match.round
    if request.method != "POST":
        return confirm_page(
            request,
            title=gettext("Cancel this match of round %(number)s") % {"number": round_.number},
            explanation=gettext(
                "Everyone in the match is told it is cancelled, and the invitation is "
                "removed from their calendars. They stay counted as matched in this round's "
                "figures."
            ),
            button=gettext("Cancel the match"),
            back=_back(request, round_),
        )
    try:
        services.match_cancel(match=match)
    except ProgrammeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Cancelled the match. Its people are being told."))
    return redirect(_back(request, round_))


@network_view(Role.COORDINATOR)
def match_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Give one match of a published round a new suggested time (in the programme's zone):
    its people get the updated calendar invitation."""
    match = selectors.match_for(request.network, pk)
    round_ = match.round
    zone = ZoneInfo(round_.programme.time_zone)
    if request.method == "POST":
        form = MatchTimeForm(request.POST)
        if form.is_valid():
            at = datetime.combine(form.cleaned_data["day"], form.cleaned_data["at"], zone)
            try:
                services.match_reschedule(match=match, suggested_at=at)
            except ProgrammeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, gettext("Moved the match. Its people are being told."))
                return redirect(_back(request, round_))
    else:
        local = match.suggested_at.astimezone(zone)
        form = MatchTimeForm(initial={"day": local.date(), "at": local.time()})
    return render(
        request,
        "programmes/rounds/reschedule.html",
        {
            "form": form,
            "round": round_,
            "zone": round_.programme.time_zone,
            "page_title": gettext("A new time for this match of round %(number)s")
            % {"number": round_.number},
        },
    )

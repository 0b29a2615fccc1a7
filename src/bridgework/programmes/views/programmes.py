"""Programmes: the list (the Coffee home), create, show, edit, enrol directory people."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from bridgework.directory.models import Role
from bridgework.jobs.services import job_start
from bridgework.programmes import selectors, services
from bridgework.programmes.exceptions import ProgrammeError
from bridgework.programmes.forms import PROGRAMME_FIELDS, WEEKDAYS, ProgrammeForm
from bridgework.programmes.jobs import ROUND_DRAW
from bridgework.programmes.policy import policy_in_words
from bridgework.web.pagination import page_of
from bridgework.web.tenancy import network_view


@network_view()
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programmes/programmes/index.html",
        {
            "programmes": selectors.programmes_for(request.network),
            "can_edit": request.membership.has_role(Role.COORDINATOR),
            "page_title": gettext("Coffee programmes"),
        },
    )


@network_view()
def show(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for(request.network, pk)
    return render(
        request,
        "programmes/programmes/show.html",
        {
            "programme": programme,
            "rounds": page_of(request, selectors.rounds_for(programme), param="rounds_page"),
            "enrolments": page_of(
                request, selectors.enrolments_for(programme), param="people_page"
            ),
            "policy": policy_in_words(programme),
            "weekday": dict(WEEKDAYS)[programme.weekday] + "s",
            "signup_url": request.build_absolute_uri(
                reverse("coffee:join", kwargs={"code": programme.signup_code})
            ),
            "can_edit": request.membership.has_role(Role.COORDINATOR),
            "page_title": programme.name,
        },
    )


def _save(request: HttpRequest, programme=None) -> HttpResponse:
    services.guides_ensure_builtin(network=request.network)
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None,
        instance=programme,
        network=request.network,
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in PROGRAMME_FIELDS if k != "organisations"}
        organisations = form.cleaned_data["organisations"]
        try:
            if programme is None:
                data.pop("name")
                programme = services.programme_create(
                    network=request.network,
                    name=form.cleaned_data["name"],
                    organisations=organisations,
                    **data,
                )
            else:
                programme = services.programme_update(
                    programme=programme, organisations=organisations, **data
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Saved %(name)s.") % {"name": programme.name})
            return redirect(
                "programmes:programmes_show", network=request.network.slug, pk=programme.pk
            )
    title = (
        gettext("New coffee programme")
        if programme is None
        else gettext("Edit %(name)s") % {"name": programme.name}
    )
    return render(request, "programmes/form.html", {"form": form, "page_title": title})


@network_view(Role.COORDINATOR)
def create(request: HttpRequest) -> HttpResponse:
    return _save(request)


@network_view(Role.COORDINATOR)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, selectors.programme_for(request.network, pk))


def confirm_page(request: HttpRequest, *, title: str, explanation: str, button: str, back: str):
    """GET shows what the button will do; the form posts back to the same address."""
    return render(
        request,
        "programmes/confirm.html",
        {"page_title": title, "explanation": explanation, "button": button, "back": back},
    )


def _back(request: HttpRequest, programme) -> str:
    return reverse(
        "programmes:programmes_show", kwargs={"network": request.network.slug, "pk": programme.pk}
    )


@network_view(Role.COORDINATOR)
def enrol_everyone(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol every active directory person in the programme's audience (not those who left)."""
    programme = selectors.programme_for(request.network, pk)
    if request.method != "POST":
        return confirm_page(
            request,
            title=gettext("Enrol the audience of %(name)s") % {"name": programme.name},
            explanation=gettext(
                "Everyone active in the directory within the programme's audience who "
                "is not enrolled yet is added. People who left stay out."
            ),
            button=gettext("Enrol them"),
            back=_back(request, programme),
        )
    count = services.enrol_audience(programme=programme)
    messages.success(request, gettext("Enrolled %(count)s people.") % {"count": count})
    return redirect("programmes:programmes_show", network=request.network.slug, pk=programme.pk)


@network_view(Role.COORDINATOR)
def round_new(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for(request.network, pk)
    if request.method != "POST":
        return confirm_page(
            request,
            title=gettext("Draw the next round of %(name)s") % {"name": programme.name},
            explanation=gettext(
                "The round is drawn as a draft: you can check who meets whom, and why, "
                "before publishing. Nobody is emailed yet."
            ),
            button=gettext("Draw the round"),
            back=_back(request, programme),
        )
    try:
        # The round and its draw job are recorded together; the matching engine draws it
        # in the worker.
        with transaction.atomic():
            round_ = services.round_create(programme=programme, draw=False)
            job = job_start(
                network=request.network, kind=ROUND_DRAW, target=round_, requested_by=request.user
            )
    except ProgrammeError as exc:
        messages.error(request, str(exc))
        return redirect(_back(request, programme))
    return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)

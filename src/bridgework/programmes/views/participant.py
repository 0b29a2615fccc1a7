"""Participants' pages: sign-up, confirmation, their own page (match, preferences, pause,
leave) and feedback. No account: the sign-up code or the personal link is the key, and a
wrong one gets a plain page that names no programme."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bridgework.programmes import selectors, services
from bridgework.programmes.exceptions import ProgrammeError
from bridgework.programmes.forms import FeedbackForm, PauseForm, ProfileForm, SignupForm
from bridgework.programmes.mailing import enrolment_link, person_zone
from bridgework.programmes.models import Enrolment
from bridgework.web.client_ip import client_ip
from bridgework.web.personal_links import personal_language
from bridgework.web.ratelimit import limit_exceeded
from bridgework.web.tenancy import public_view


def _join_posts_exceeded(request: HttpRequest) -> bool:
    """Count this join post against its client address; true once over the hourly allowance
    (``RATE_LIMITS["signup"]``). Each post can email a stranger, so the public form must not
    be a free mail relay; a whole office behind one address still fits."""
    return limit_exceeded("signup", f"ip:{client_ip(request)}")


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programmes/participant/invalid.html",
        {"page_title": _("This link does not work")},
        status=404,
    )


def _enrolment(token: str) -> Enrolment | None:
    try:
        return selectors.enrolment_for_token(token)
    except ObjectDoesNotExist:
        return None


def _profile(data: dict) -> dict[str, str]:
    return {k: data[k] for k in selectors.PROFILE_FIELDS}


@public_view
@never_cache
def join(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_for_signup_code(code)
    if programme is None or not programme.active:
        return _invalid(request)
    if switched := personal_language(request, None):
        return switched
    if request.method == "POST" and _join_posts_exceeded(request):
        response = render(
            request,
            "programmes/participant/busy.html",
            {"programme": programme, "page_title": _("Too many sign-ups")},
            status=429,
        )
        response["Retry-After"] = str(60 * 60)
        return response
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.signup_request(
            programme=programme,
            name=data["name"],
            email=data["email"],
            organisation_name=data["organisation_name"],
            job_title=data["job_title"],
            profile=_profile(data),
        )
        return redirect("coffee:join_sent", code=code)
    return render(
        request,
        "programmes/participant/join.html",
        {
            "form": form,
            "programme": programme,
            "page_title": _("Join %(name)s") % {"name": programme.name},
        },
    )


@public_view
def join_sent(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_for_signup_code(code)
    if programme is None:
        return _invalid(request)
    if switched := personal_language(request, None):
        return switched
    return render(
        request,
        "programmes/participant/sent.html",
        {"programme": programme, "page_title": _("Check your email")},
    )


@public_view
def privacy(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_for_signup_code(code)
    if programme is None:
        return _invalid(request)
    if switched := personal_language(request, None):
        return switched
    return render(
        request,
        "programmes/participant/privacy.html",
        {
            "programme": programme,
            "page_title": _("Privacy notice: %(name)s") % {"name": programme.name},
        },
    )


@public_view
@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: link scanners that follow links do not sign anyone
    up."""
    try:
        signup = selectors.signup_request_for(token)
    except ObjectDoesNotExist:
        return _invalid(request)
    if switched := personal_language(request, None):
        return switched
    error = ""
    if request.method == "POST":
        try:
            enrolment = services.signup_confirm(request=signup)
        except (ProgrammeError, ObjectDoesNotExist):
            return _invalid(request)
        except (IntegrityError, ValidationError):  # a clash with a simultaneous confirmation
            error = _("Your place could not be confirmed just now. Press Confirm again.")
        else:
            return redirect(enrolment_link(enrolment))
    return render(
        request,
        "programmes/participant/confirm.html",
        {
            "signup": signup,
            "programme": signup.programme,
            "error": error,
            "page_title": _("Confirm your place"),
        },
        status=409 if error else 200,
    )


@public_view
@never_cache
def me(request: HttpRequest, token: str) -> HttpResponse:
    enrolment = _enrolment(token)
    if enrolment is None:
        return _invalid(request)
    if switched := personal_language(request, enrolment.person):
        return switched
    return render(
        request,
        "programmes/participant/me.html",
        {
            "enrolment": enrolment,
            "programme": enrolment.programme,
            "token": token,
            "matches": selectors.matches_of(enrolment),
            "zone": person_zone(enrolment),
            "pause_form": PauseForm(),
            "page_title": _("Your place in %(name)s") % {"name": enrolment.programme.name},
        },
    )


@public_view
@never_cache
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    enrolment = _enrolment(token)
    if enrolment is None:
        return _invalid(request)
    if switched := personal_language(request, enrolment.person):
        return switched
    initial = {k: getattr(enrolment, k) for k in selectors.PROFILE_FIELDS}
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.enrolment_update_profile(enrolment=enrolment, **_profile(form.cleaned_data))
        messages.success(request, _("Saved your preferences."))
        return redirect("coffee:me", token=token)
    return render(
        request,
        "programmes/participant/form.html",
        {"form": form, "token": token, "page_title": _("Your preferences")},
    )


@public_view
@require_POST
def pause(request: HttpRequest, token: str) -> HttpResponse:
    enrolment = _enrolment(token)
    if enrolment is None:
        return _invalid(request)
    if switched := personal_language(request, enrolment.person):
        return switched
    form = PauseForm(request.POST)
    if form.is_valid():
        try:
            services.enrolment_pause(enrolment=enrolment, until=form.cleaned_data["until"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Paused until %(date)s.")
                % {"date": date_format(enrolment.paused_until, "j F Y")},
            )
    else:
        messages.error(request, _("Enter the date to pause until, for example 2027-01-31."))
    return redirect("coffee:me", token=token)


@public_view
@require_POST
def resume(request: HttpRequest, token: str) -> HttpResponse:
    enrolment = _enrolment(token)
    if enrolment is None:
        return _invalid(request)
    if switched := personal_language(request, enrolment.person):
        return switched
    services.enrolment_resume(enrolment=enrolment)
    messages.success(request, _("Welcome back: you will be matched from the next round."))
    return redirect("coffee:me", token=token)


@public_view
@require_POST
def leave(request: HttpRequest, token: str) -> HttpResponse:
    enrolment = _enrolment(token)
    if enrolment is None:
        return _invalid(request)
    if switched := personal_language(request, enrolment.person):
        return switched
    services.enrolment_leave(enrolment=enrolment)
    messages.success(request, _("You have left the programme. You can rejoin from this page."))
    return redirect("coffee:me", token=token)


@public_view
@never_cache
def feedback(request: HttpRequest, token: str, match: int) -> HttpResponse:
    """The one-minute form on one of the person's matches (of a published round only)."""
    enrolment = _enrolment(token)
    if enrolment is None:
        return _invalid(request)
    if switched := personal_language(request, enrolment.person):
        return switched
    found = selectors.published_match_of(enrolment, match)
    if found is None:
        return _invalid(request)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.feedback_save(
                enrolment=enrolment,
                match=found,
                met=data["met"],
                usefulness=data["usefulness"],
                will_work_together=data["will_work_together"],
                reflection=data["reflection"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect("coffee:me", token=token)
    others = [
        p.enrolment.person.name
        for p in found.places.select_related("enrolment__person").order_by("pk")
        if p.enrolment_id != enrolment.pk
    ]
    return render(
        request,
        "programmes/participant/form.html",
        {
            "form": form,
            "token": token,
            "lead": _("Round %(number)s, with %(names)s.")
            % {"number": found.round.number, "names": get_text_list(others, _("and"))},
            "page_title": _("How did it go?"),
        },
    )

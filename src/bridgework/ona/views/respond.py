"""The network survey respondent's pages, reached through a personal link (no account).

The respondent finds colleagues by typing a name: the start page is a plain search form whose
results are a short list (at least three letters typed, at most ten results, never the
directory), and ``network_search.mjs`` turns it into an accessible autocomplete over the JSON
``search`` endpoint. Searches are rate-limited per link and per address, and a colleague's
page is addressed by a reference signed for this invitation (``selectors.colleague_ref``), so
the directory cannot be read by walking numbers. Each colleague's answers are saved on their
own screen, so the link resumes where the respondent left off.
"""

from __future__ import annotations

import contextlib

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bridgework.directory.models import Person
from bridgework.ona import selectors, services
from bridgework.ona.forms import ColleagueForm, ConsentForm, OutsideForm
from bridgework.ona.models import NetworkInvitation, Relation
from bridgework.waves.services import WaveClosedError
from bridgework.web.client_ip import client_ip
from bridgework.web.personal_links import link_not_valid, survey_window_page
from bridgework.web.ratelimit import limit_exceeded, too_many_requests
from bridgework.web.tenancy import public_view


def _gate(request: HttpRequest, token: str) -> tuple[NetworkInvitation | None, HttpResponse | None]:
    """The invitation, or the page to show instead (invalid link, closed, not yet open)."""
    invitation = selectors.invitation_for_token(token)
    if invitation is None:
        return None, link_not_valid(request)
    page = survey_window_page(request, invitation, not_open_template="ona/respond/not_open.html")
    return (None, page) if page else (invitation, None)


def _result(invitation: NetworkInvitation, person: Person) -> dict[str, object]:
    return {
        "id": selectors.colleague_ref(invitation, person.pk),
        "name": person.name,
        "organisation": person.organisation.name if person.organisation else "",
    }


def _searches_exceeded(request: HttpRequest, token: str) -> bool:
    """Count one search against this link and this address (both, so neither many links from
    one machine nor one link from many machines reads the directory)."""
    by_link = limit_exceeded("colleague-search", f"token:{token}")
    by_address = limit_exceeded("colleague-search", f"ip:{client_ip(request)}")
    return by_link or by_address


def _search(request: HttpRequest, invitation: NetworkInvitation, token: str, query: str):
    """The search results (each with its reference), ``[]`` under the minimum length, or
    ``None`` when over the search limit."""
    if len(query) < selectors.SEARCH_MIN_CHARS:
        return []
    if _searches_exceeded(request, token):
        return None
    people = selectors.colleague_search(invitation, query)
    for person in people:
        person.ref = selectors.colleague_ref(invitation, person.pk)
    return people


@public_view
@never_cache
def start(request: HttpRequest, token: str) -> HttpResponse:
    invitation, stop = _gate(request, token)
    if stop is not None:
        return stop
    query = request.GET.get("q", "").strip()[:100]
    results = _search(request, invitation, token, query) if query else None
    if query and results is None:
        return too_many_requests(request)
    return render(
        request,
        "ona/respond/start.html",
        {
            "wave": invitation.wave,
            "token": token,
            "query": query,
            "results": results,
            "chosen": selectors.chosen_colleagues(invitation),
            "outside": list(invitation.outside_contacts.all()),
            "completed": invitation.completed_at is not None,
            "min_chars": selectors.SEARCH_MIN_CHARS,
            "max_results": selectors.SEARCH_LIMIT,
            "page_title": _("Who do you work with?"),
        },
    )


@public_view
@never_cache
def search(request: HttpRequest, token: str) -> HttpResponse:
    invitation, stop = _gate(request, token)
    if stop is not None:
        return JsonResponse({"results": []}, status=stop.status_code)
    query = request.GET.get("q", "").strip()[:100]
    people = _search(request, invitation, token, query)
    if people is None:
        return JsonResponse(
            {"results": [], "error": _("Too many searches. Try again later.")}, status=429
        )
    return JsonResponse({"results": [_result(invitation, p) for p in people]})


@public_view
@never_cache
def colleague(request: HttpRequest, token: str, ref: str) -> HttpResponse:
    invitation, stop = _gate(request, token)
    if stop is not None:
        return stop
    try:
        alter = selectors.colleague_for(invitation, ref)
    except Person.DoesNotExist:
        return redirect("network_respond:start", token=token)
    saved = {c["person"].pk: c["answers"] for c in selectors.chosen_colleagues(invitation)}.get(
        alter.pk, {}
    )
    if request.method == "POST" and "remove" in request.POST:
        with contextlib.suppress(WaveClosedError):
            services.colleague_remove(invitation=invitation, alter=alter)
        return redirect("network_respond:start", token=token)
    initial = {k: str(v) for k, v in saved.items() if k != Relation.IDEAS}
    initial["ideas"] = Relation.IDEAS in saved
    form = ColleagueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with contextlib.suppress(WaveClosedError):
            services.colleague_save(
                invitation=invitation,
                alter=alter,
                ratings={k: data[k] for k in ("works_with", "trust", "energy")},
                ideas=data["ideas"],
            )
        return redirect("network_respond:start", token=token)
    values = form.data if form.is_bound else initial
    questions = [
        {
            "key": key,
            "text": text.format(name=alter.name),
            "low": low,
            "high": high,
            "errors": form.errors.get(key, []),
            "options": [(str(i), str(i) == str(values.get(key) or "")) for i in range(1, 6)],
        }
        for key, text, low, high in (
            (
                "works_with",
                _("How often do you work with {name} on this work?"),
                _("Never"),
                _("Daily"),
            ),
            ("trust", _("How much do you trust {name}?"), _("Not at all"), _("Completely")),
            (
                "energy",
                _("How do your interactions with {name} leave you?"),
                _("Drained"),
                _("Energised"),
            ),
        )
    ]
    return render(
        request,
        "ona/respond/colleague.html",
        {
            "token": token,
            "alter": alter,
            "form": form,
            "questions": questions,
            "ideas": values.get("ideas") in (True, "on"),
            "saved": bool(saved),
            "page_title": _("Working with %(name)s") % {"name": alter.name},
        },
    )


@public_view
@never_cache
def outside(request: HttpRequest, token: str) -> HttpResponse:
    invitation, stop = _gate(request, token)
    if stop is not None:
        return stop
    current = "\n".join(c.organisation for c in invitation.outside_contacts.all())
    form = OutsideForm(request.POST or None, initial={"organisations": current})
    if request.method == "POST" and form.is_valid():
        with contextlib.suppress(WaveClosedError):
            services.outside_contacts_save(
                invitation=invitation,
                organisations=form.cleaned_data["organisations"],
            )
        return redirect("network_respond:start", token=token)
    return render(
        request,
        "ona/respond/outside.html",
        {"form": form, "token": token, "page_title": _("Contacts outside the directory")},
    )


@public_view
@never_cache
def done(request: HttpRequest, token: str) -> HttpResponse:
    invitation, stop = _gate(request, token)
    if stop is not None:
        return stop
    initial = {}
    if invitation.consent_named is not None:
        initial["consent"] = "yes" if invitation.consent_named else "no"
    form = ConsentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with contextlib.suppress(WaveClosedError):
            services.invitation_complete(
                invitation=invitation, consent_named=form.cleaned_data["consent"]
            )
        return redirect("network_respond:done", token=token)
    return render(
        request,
        "ona/respond/done.html",
        {
            "form": form,
            "token": token,
            "completed": invitation.completed_at is not None and request.method != "POST",
            "chosen": len(selectors.chosen_colleagues(invitation)),
            "page_title": _("Thank you") if invitation.completed_at else _("Check and send"),
        },
    )

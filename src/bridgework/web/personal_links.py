"""The pages every personal link shares: a link that does not work, and a survey that has
closed or is not open yet. One place, so RC and network surveys say the same thing and
reveal nothing more than each other.

Also the language of those pages: :func:`personal_language` switches a request to the language
of the person whose link it is, and saves a new choice made with the switcher
(``?language=es``) on their directory record, so their emails follow too.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from bridgework.directory.models import Network, Person, language_codes
from bridgework.web.middleware import activate_network_time

#: The query parameter the language switcher's links carry.
LANGUAGE_PARAM = "language"


class _Window(Protocol):
    is_open: bool
    is_closed: bool


class _Invitation(Protocol):
    network: Network
    wave: _Window


def activate_language(request: HttpRequest, language: str) -> None:
    """Render the rest of this request in ``language`` and offer the switcher on its page."""
    translation.activate(language)
    request.LANGUAGE_CODE = language
    request.language_switch = True


def personal_language(request: HttpRequest, person: Person | None) -> HttpResponse | None:
    """Show this personal-link page in ``person``'s language.

    When the request comes from the language switcher (``?language=<code>``), the choice is
    saved on the person's record (with no person, as on a public sign-up page, in the language
    cookie) and a redirect to the same page without the parameter is returned; the caller
    returns it. Otherwise ``None``, with the person's language active for the rest of the
    request. An unknown code is ignored.
    """
    from bridgework.directory.services import person_language_set

    chosen = request.GET.get(LANGUAGE_PARAM)
    if chosen is not None and request.method in ("GET", "HEAD"):
        query = request.GET.copy()
        query.pop(LANGUAGE_PARAM)
        response = redirect(request.path + (f"?{query.urlencode()}" if query else ""))
        if chosen in language_codes():
            if person is not None:
                person_language_set(person=person, language=chosen)
            else:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    chosen,
                    max_age=365 * 24 * 60 * 60,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                )
        return response
    if person is not None:
        activate_language(request, person.language_in_force)
    else:
        activate_language(request, translation.get_language() or settings.LANGUAGE_CODE)
    return None


def language_links(request: HttpRequest) -> list[dict[str, object]]:
    """The switcher's links: one per language, each named in its own language."""
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        query = request.GET.copy()
        query[LANGUAGE_PARAM] = code
        links.append(
            {
                "code": code,
                "name": name,
                "url": f"{request.path}?{query.urlencode()}",
                "current": code == current,
            }
        )
    return links


def link_not_valid(request: HttpRequest) -> HttpResponse:
    """A wrong, expired or revoked link: a plain page that says nothing about any survey."""
    return render(
        request,
        "surveys/respond/invalid.html",
        {"page_title": _("This link does not work")},
        status=404,
    )


def survey_window_page(
    request: HttpRequest, invitation: _Invitation, *, not_open_template: str
) -> HttpResponse | None:
    """Switch to the invitation's network time zone and its person's language; return the
    page to show instead of the survey when its wave has closed (410) or has not opened yet,
    or the redirect after a language switch, else ``None``."""
    activate_network_time(invitation.network)
    switched = personal_language(request, getattr(invitation, "person", None))
    if switched is not None:
        return switched
    wave = invitation.wave
    if wave.is_closed:
        return render(
            request,
            "surveys/respond/closed.html",
            {"page_title": _("This survey has closed")},
            status=410,
        )
    if not wave.is_open:
        return render(
            request,
            not_open_template,
            {"page_title": _("This survey is not open yet"), "wave": wave},
        )
    return None

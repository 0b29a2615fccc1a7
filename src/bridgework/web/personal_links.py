"""The pages every personal link shares: a link that does not work, and a survey that has
closed or is not open yet. One place, so RC and network surveys say the same thing and
reveal nothing more than each other."""

from __future__ import annotations

from typing import Protocol

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bridgework.directory.models import Network
from bridgework.web.middleware import activate_network_time


class _Window(Protocol):
    is_open: bool
    is_closed: bool


class _Invitation(Protocol):
    network: Network
    wave: _Window


def link_not_valid(request: HttpRequest) -> HttpResponse:
    """A wrong, expired or revoked link: a plain page that says nothing about any survey."""
    return render(
        request,
        "surveys/respond/invalid.html",
        {"page_title": "This link does not work"},
        status=404,
    )


def survey_window_page(
    request: HttpRequest, invitation: _Invitation, *, not_open_template: str
) -> HttpResponse | None:
    """Switch to the invitation's network time zone; return the page to show instead of the
    survey when its wave has closed (410) or has not opened yet, else ``None``."""
    activate_network_time(invitation.network)
    wave = invitation.wave
    if wave.is_closed:
        return render(
            request,
            "surveys/respond/closed.html",
            {"page_title": "This survey has closed"},
            status=410,
        )
    if not wave.is_open:
        return render(
            request,
            not_open_template,
            {"page_title": "This survey is not open yet", "wave": wave},
        )
    return None

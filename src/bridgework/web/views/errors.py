"""Friendly error pages: never a traceback, and never a hint about other networks' data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _page(request: HttpRequest, status: int, title: str, body: str) -> HttpResponse:
    return render(request, "errors/error.html", {"page_title": title, "body": body}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        400,
        _("Sorry, there is a problem with that request"),
        _("Go back and try again. If it keeps happening, start again from the home page."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        403,
        _("You cannot do that here"),
        _("Your role in this network does not allow it. Ask the network's owner if you need to."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Page not found"),
        _(
            "If you typed the web address, check it is correct. If you followed a link, it "
            "may have expired or you may not have access to it."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        500,
        _("Sorry, something went wrong"),
        _("Nothing you entered was lost. Try again in a few minutes."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request,
        403,
        _("This form has expired"),
        _("Go back, reload the page and submit the form again."),
    )

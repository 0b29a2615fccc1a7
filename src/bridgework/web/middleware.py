"""Response headers every page gets."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from bridgework.directory.models import Network

#: Only our own scripts, styles and images; no inline script, no framing, no plugins.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Set a strict Content-Security-Policy on every response that has none."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class NetworkTimeZoneMiddleware:
    """End every request in the server's default time zone.

    Views that know their network (``network_view``, the personal-link pages) switch to the
    network's zone with :func:`activate_network_time`; the switch is thread-local, so without
    this reset one request's zone would leak into the next request served by the same thread.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def activate_network_time(network: Network) -> None:
    """Show dates and times of this request in ``network``'s time zone, and read times typed
    into its forms in that zone."""
    timezone.activate(network.zone)

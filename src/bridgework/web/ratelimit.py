"""One rate limiter: a fixed-window counter per scope and client in the shared cache.

``cache.add`` starts a window and ``cache.incr`` counts in it, in the shared cache, so every
server process counts together, exactly: Redis's ``incr`` is atomic, and so is the database
cache's (:mod:`bridgework.web.cache`). It is a brake on guessing and
scraping, sized so that a real person never meets it; the limits per hour come from
``settings.RATE_LIMITS`` (see ``docs/configuration.md``).

When the cache cannot be reached (Redis down), requests are let through uncounted and the log
says so: the limits fail open. They are a brake, not the protection: personal links cannot be
guessed, and the sign-in lockout lives in the database. Failing closed would show every
respondent "Too many requests" for as long as Redis is away.

Use :func:`rate_limit` on a view (counted per client address) or :func:`limit_exceeded` where
a view counts something else too (a personal link's token, say).
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from bridgework.web.cache import UNREACHABLE, reachable, unreachable
from bridgework.web.client_ip import client_ip

__all__ = ["RATE_WINDOW_SECONDS", "limit_exceeded", "rate_limit", "too_many_requests"]

#: Every limit counts over a fixed window of one hour.
RATE_WINDOW_SECONDS = 60 * 60


def _allowance(scope: str) -> int:
    limits: dict[str, int] = getattr(settings, "RATE_LIMITS", {})
    if scope not in limits:
        raise KeyError(f"no rate limit configured for {scope!r} (settings.RATE_LIMITS)")
    return int(limits[scope])


def limit_exceeded(scope: str, key: str, *, allowance: int | None = None) -> bool:
    """Count one request for ``key`` in ``scope``; true once over the window's allowance.

    ``key`` is hashed, so a token or an address never appears in the cache's keys. False,
    uncounted, while the cache cannot be reached.
    """
    allowance = _allowance(scope) if allowance is None else allowance
    if allowance <= 0 or not reachable():  # 0 switches the limit off
        return False
    window = int(time.time() // RATE_WINDOW_SECONDS)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{window}:{digest}"
    try:
        return _count(cache_key) > allowance
    except UNREACHABLE as error:
        unreachable(error, f"counting the {scope} rate limit")
        return False


def _count(cache_key: str) -> int:
    """One more request in the window's counter, started if need be; the count so far.

    Both backends raise ``ValueError`` from ``incr`` for a missing key and start a key with
    ``add`` atomically (Redis: ``SET NX``), so of processes starting a window together one
    ``add`` wins and the others count in its window.
    """
    timeout = RATE_WINDOW_SECONDS + 60
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the first request of the window (or the key expired)
        # ...unless another request started the window first: then count in it.
        count = 1 if cache.add(cache_key, 1, timeout=timeout) else cache.incr(cache_key)
    # The database cache's ``incr`` rewrites the entry with the default timeout (Redis's
    # keeps it, but a key that expired between its check and its ``INCR`` comes back with
    # none): keep it for the whole window, so waiting a few minutes does not reset the count.
    cache.touch(cache_key, timeout)
    return count


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """The page for a client over a limit: a 429 that says when to come back."""
    response = render(
        request,
        "web/too_many_requests.html",
        {"page_title": gettext("Too many requests"), "minutes": RATE_WINDOW_SECONDS // 60},
        status=429,
    )
    response["Retry-After"] = str(RATE_WINDOW_SECONDS)
    return response


def rate_limit(scope: str, *, methods: tuple[str, ...] | None = None) -> Callable:
    """Decorate a view: count each request (of ``methods``, or all) per client address in
    ``scope`` and answer :func:`too_many_requests` once over the allowance."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            counted = methods is None or request.method in methods
            if counted and limit_exceeded(scope, f"ip:{client_ip(request)}"):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate

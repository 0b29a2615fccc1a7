"""Keeping personal links out of everything but the email itself.

A personal link (an RC or network survey link, a roles self-assessment link, a coffee
participant's page or sign-up confirmation, a coordinator invitation) is the only key to a
person's answers. When mail is really delivered, the copy kept in the outbox, shown to
coordinators, has those links removed: :func:`redact` finds them by URL shape (every URL route
that takes a ``<str:token>``) and by the token values known when the email is queued
(:func:`tokens_in`). Log lines go through the same function (:class:`RedactingFilter`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

__all__ = [
    "REDACTED_LINK",
    "REDACTED_TOKEN",
    "RedactingFilter",
    "personal_link_pattern",
    "redact",
    "redact_attachments",
    "tokens_in",
]

#: What a personal link becomes in the stored copy.
REDACTED_LINK = "[personal link removed]"
#: What a known token becomes wherever else it appears.
REDACTED_TOKEN = "[removed]"

_TOKEN_ARG = "<str:token>"
_CONVERTER = re.compile(r"<[^>]+>")


def _routes(patterns: Iterable[URLPattern | URLResolver], prefix: str = "") -> Iterable[str]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        else:
            yield route


def _route_regex(route_prefix: str) -> str:
    """A regular expression for the literal part of a route before its token."""
    parts = _CONVERTER.split(route_prefix)
    return r"[^/\s]+".join(re.escape(part) for part in parts)


@lru_cache(maxsize=4)
def _personal_link_regex(urlconf: str | None) -> re.Pattern[str]:
    prefixes = sorted(
        {
            route.split(_TOKEN_ARG, 1)[0]
            for route in _routes(get_resolver(urlconf).url_patterns)
            if _TOKEN_ARG in route
        },
        key=len,
        reverse=True,
    )
    if not prefixes:  # a URL configuration without personal links: match nothing
        return re.compile(r"(?!x)x")
    alternatives = "|".join(_route_regex(prefix) for prefix in prefixes)
    # An optional origin, the route up to the token, the token, then the rest of the path.
    return re.compile(
        r"(?:https?://[^\s/\"'<>]+)?/(?:" + alternatives + r")[A-Za-z0-9_\-]+[^\s\"'<>]*"
    )


def personal_link_pattern() -> re.Pattern[str]:
    """The pattern of every personal-link URL the app serves (built from its URL routes)."""
    from django.conf import settings

    return _personal_link_regex(settings.ROOT_URLCONF)


def tokens_in(context: Mapping[str, object]) -> set[str]:
    """The personal-link tokens inside an email's context: every string value that is a path
    this app routes to a view taking a ``token``."""
    found: set[str] = set()
    for value in context.values():
        if not isinstance(value, str) or not value.startswith("/"):
            continue
        try:
            match = resolve(value.split("?", 1)[0])
        except Resolver404:
            continue
        token = match.kwargs.get("token")
        if isinstance(token, str) and token:
            found.add(token)
    return found


def redact(text: str, tokens: Iterable[str] = ()) -> str:
    """``text`` with personal links and the given token values removed."""
    if not text:
        return text
    text = personal_link_pattern().sub(REDACTED_LINK, text)
    for token in sorted(set(tokens), key=len, reverse=True):
        if len(token) >= 8:  # a real token is 43 characters; never blank out short words
            text = text.replace(token, REDACTED_TOKEN)
    return text


def redact_attachments(
    attachments: list[dict[str, str]], tokens: Iterable[str] = ()
) -> list[dict[str, str]]:
    """Text attachments (calendar invitations) with personal links and tokens removed."""
    tokens = list(tokens)
    return [{**a, "content": redact(a.get("content", ""), tokens)} for a in attachments]


class RedactingFilter(logging.Filter):
    """Removes personal links from every log record that passes through a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        try:
            cleaned = redact(message)
        except Exception:  # URLs not loadable yet (start-up): keep the line as it is
            return True
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True

"""A crawl of the app in a browser: follow every same-site link from a few starting pages.

Pages of one kind (the same path with other record ids or tokens, the same query keys with
other values) are visited a few times (``per_kind``): records of one kind can look different
(an open wave and a closed one), yet the crawl need not walk each of a demo network's hundreds
of people to cover every kind of page the start reaches.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

#: Links never followed: they sign out, or answer with a file rather than a page.
SKIPPED = re.compile(
    r"/accounts/logout/|/export|/download|\.(csv|xlsx|pdf|ics|json)\b|/backup|format=",
    re.IGNORECASE,
)
_ID = re.compile(r"^\d+$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,}$")


@dataclass(frozen=True)
class Visit:
    """One page the crawl reached: its path (with query) and the HTTP status it answered."""

    path: str
    status: int


def page_kind(path: str) -> str:
    """``path`` with record ids and tokens replaced, and query values dropped: the kind of page.

    >>> page_kind("/n/riverbend/people/42/?page=2&q=ann")
    '/n/riverbend/people/{id}/?page&q'
    """
    parts = urlsplit(path)
    segments = [
        "{id}" if _ID.match(s) else "{token}" if _TOKEN.match(s) else s
        for s in parts.path.split("/")
    ]
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return "/".join(segments) + ("?" + "&".join(keys) if keys else "")


def _local(href: str, origin: str) -> str | None:
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != origin or parts.scheme not in ("http", "https"):
        return None
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True))
    return parts.path + (f"?{query}" if query else "")


def crawl(
    page,
    start: Iterable[str],
    *,
    check: Callable[[str], None],
    within: Callable[[str], bool] = lambda path: True,
    per_kind: int = 3,
    limit: int = 400,
) -> Iterator[Visit]:
    """Visit ``start`` and every page linked from a visited page, ``per_kind`` of each kind.

    ``check(path)`` runs on each page once it has loaded; ``within(path)`` says which links to
    follow (e.g. only one respondent's link). Links that sign out or download a file are left
    out. Stops with an ``AssertionError`` after ``limit`` pages (a crawl that never ends is a
    bug in the app's links, not a long site).
    """
    origin = None
    queue = list(dict.fromkeys(start))
    seen = set(queue)
    kinds = Counter(page_kind(path) for path in queue)
    visited = 0
    while queue:
        path = queue.pop(0)
        visited += 1
        assert visited <= limit, f"more than {limit} pages: {sorted(kinds)[:20]}…"
        response = page.goto(path)
        status = response.status if response is not None else 0
        if origin is None:
            parts = urlsplit(page.url)
            origin = f"{parts.scheme}://{parts.netloc}"
        check(path)
        yield Visit(path, status)
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            local = _local(href, origin)
            if local is None or SKIPPED.search(local) or not within(local):
                continue
            kind = page_kind(local)
            if local not in seen and kinds[kind] < per_kind:
                seen.add(local)
                kinds[kind] += 1
                queue.append(local)

"""PDF reports: a Django template rendered to PDF by WeasyPrint, offline.

A report template extends ``reports/base.html`` and is given the same figures as the page it
prints (each app's view gathers them through the app's one figures function), so the page and
the PDF cannot disagree. This module only lays the HTML out on A4 with the print stylesheet
``static/bridgework/report.css`` and a font from the machine (DejaVu Sans, Debian's
``fonts-dejavu-core``, embedded as a subset).

Nothing a template says can make the server fetch anything: :class:`LocalFetcher` answers
``data:`` URLs and files under the package's static directory, and refuses every other URL
(http, https, ftp, other files) before any connection is tried.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

__all__ = [
    "LocalFetcher",
    "RefusedURLError",
    "html_to_pdf",
    "pdf_filename",
    "pdf_response",
    "render_pdf",
]

#: The package's static files: the only place a report may read a file from.
STATIC_DIR = (Path(__file__).resolve().parent.parent / "static").resolve()
#: The print stylesheet every report uses.
STYLESHEET = STATIC_DIR / "bridgework" / "report.css"

logger = logging.getLogger(__name__)


class RefusedURLError(ValueError):
    """A report asked for a resource that is not local; WeasyPrint leaves it out."""


class LocalFetcher:
    """WeasyPrint URL fetcher that never touches the network.

    ``data:`` URLs and ``file:`` URLs inside :data:`STATIC_DIR` are read; anything else raises
    :class:`RefusedURLError` (WeasyPrint logs it and leaves the resource out) and is listed in
    ``refused``, so tests can prove no template fetches from elsewhere.
    """

    def __init__(self) -> None:
        from weasyprint.urls import URLFetcher  # imported on first use: startup stays quick

        self.refused: list[str] = []
        self._inner = URLFetcher(allowed_protocols={"data", "file"}, allow_redirects=False)
        # WeasyPrint reads this private flag on the fetcher it is given.
        self._fail_on_errors = False

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return True
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(unquote(parts.path)).resolve()
        return path.is_relative_to(STATIC_DIR) and path.is_file()

    def __call__(self, url: str):
        if not self._allowed(url):
            self.refused.append(url)
            logger.warning("PDF report: refused to fetch %s", url)
            raise RefusedURLError(f"reports read local files only, not {url}")
        return self._inner.fetch(url)


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    request: HttpRequest | None = None,
    fetcher: LocalFetcher | None = None,
) -> bytes:
    """The PDF of ``template_name`` rendered with ``context`` (A4, print stylesheet);
    ``generated_at`` (now, in the network's time zone) is added to the context."""
    context = {"generated_at": timezone.localtime(), **context}
    return html_to_pdf(render_to_string(template_name, context, request=request), fetcher=fetcher)


def html_to_pdf(html: str, *, fetcher: LocalFetcher | None = None) -> bytes:
    """``html`` laid out as a PDF with the print stylesheet, reading local files only."""
    from weasyprint import CSS, HTML

    fetcher = fetcher or LocalFetcher()
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    stylesheet = CSS(filename=str(STYLESHEET), url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet])


def pdf_filename(kind: str, slug: str) -> str:
    """``<kind>-<slug>-<YYYY-MM-DD>.pdf`` with today's date in the network's time zone."""
    return f"{kind}-{slug}-{timezone.localdate():%Y-%m-%d}.pdf"


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """A download of ``content`` as ``filename``."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

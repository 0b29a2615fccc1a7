"""A programme's dashboard: participation, meetings, ratings, and what it changed; and the
same figures as a PDF report for a board paper."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory.models import Role
from bridgework.programmes import selectors
from bridgework.programmes.dashboard import programme_dashboard
from bridgework.web.pdf import pdf_filename, pdf_response, render_pdf
from bridgework.web.tenancy import network_view

#: Shades of the matches matrix in the PDF report (0 lightest), by share of the largest count.
MATCH_SHADES = 4


def match_shade(count: int, top: int) -> int | None:
    """The shade of a count of matches (``None`` for none), relative to the largest count."""
    if not count or not top:
        return None
    return min(MATCH_SHADES - 1, (count * MATCH_SHADES - 1) // top)


@network_view()
def show(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for(request.network, pk)
    coordinator = request.membership.has_role(Role.COORDINATOR)
    figures = programme_dashboard(programme, respondent_level=coordinator)
    rows = list(zip(figures.organisations, figures.matrix, strict=True))
    return render(
        request,
        "programmes/programmes/dashboard.html",
        {
            "programme": programme,
            "d": figures,
            "matrix_rows": rows,
            "coordinator": coordinator,
            "page_title": _("%(name)s: dashboard") % {"name": programme.name},
        },
    )


@network_view()
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard's figures as a PDF for a board paper. Comments stay on the dashboard,
    for coordinators only: a PDF travels further than the page, so it never holds them."""
    programme = selectors.programme_for(request.network, pk)
    figures = programme_dashboard(programme, respondent_level=False)
    top = max((n for row in figures.matrix for n in row), default=0)
    rows = [
        (name, [(n, match_shade(n, top)) for n in row])
        for name, row in zip(figures.organisations, figures.matrix, strict=True)
    ]
    content = render_pdf(
        "programmes/programmes/report.html",
        {
            "programme": programme,
            "d": figures,
            "matrix_rows": rows,
            "network": request.network,
            "report_title": f"Coffee programme evaluation: {programme.name}",
            "report_subject": f"{programme.name}: evaluation",
            "match_top": top,
        },
        request=request,
    )
    audit_record(
        network=request.network,
        action=Action.EXPORT_DOWNLOADED,
        target=programme,
        details={"export": "programme evaluation PDF"},
        request=request,
    )
    slug = slugify(programme.name) or f"programme-{programme.pk}"
    return pdf_response(content, filename=pdf_filename("programme-evaluation", slug))

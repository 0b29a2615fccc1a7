"""A programme's dashboard: participation, meetings, ratings, and what it changed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bridgework.directory.models import Role
from bridgework.programmes import selectors
from bridgework.programmes.dashboard import programme_dashboard
from bridgework.web.tenancy import network_view


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
            "page_title": f"{programme.name}: dashboard",
        },
    )

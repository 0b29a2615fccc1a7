from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bridgework.directory.selectors import directory_counts
from bridgework.web.tenancy import network_view


@network_view()
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "directory/home.html",
        {"counts": directory_counts(request.network), "page_title": request.network.name},
    )

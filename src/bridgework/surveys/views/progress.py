"""How far a wave has got: response rates overall, by workgroup and by organisation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bridgework.surveys import selectors
from bridgework.web.tenancy import network_view


@network_view()
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.wave_for(request.network, pk)
    return render(
        request,
        "surveys/waves/progress.html",
        {
            "wave": wave,
            "progress": selectors.wave_progress(wave),
            "low_rate": round(100 * selectors.LOW_RESPONSE_RATE),
            "page_title": f"Progress of {wave.name}",
        },
    )

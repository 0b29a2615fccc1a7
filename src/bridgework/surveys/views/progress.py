"""How far a wave has got: response rates overall, by workgroup and by organisation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bridgework.directory.models import Role
from bridgework.surveys import selectors
from bridgework.web.tenancy import network_view


@network_view()
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.wave_for(request.network, pk)
    # Coordinators run the survey and see every count; analysts not those of small groups.
    can_edit = request.membership.has_role(Role.COORDINATOR)
    return render(
        request,
        "surveys/waves/progress.html",
        {
            "wave": wave,
            "progress": selectors.wave_progress(wave, small_counts=can_edit),
            "can_edit": can_edit,
            "page_title": _("Progress of %(name)s") % {"name": wave.name},
        },
    )

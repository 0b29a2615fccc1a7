"""The audit log pages: owners read and export their network's events."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bridgework.audit.exports import AUDIT_EXPORT
from bridgework.audit.models import Action
from bridgework.audit.selectors import audit_events_for
from bridgework.directory.models import Role
from bridgework.jobs.views import export_or_enqueue
from bridgework.web.pagination import page_of
from bridgework.web.tenancy import network_view

PAGE_SIZE = 50


@network_view(Role.OWNER)
def index(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "")
    events = audit_events_for(request.network, action=action)
    page = page_of(request, events, size=PAGE_SIZE)
    return render(
        request,
        "audit/index.html",
        {
            "page_obj": page,
            "actions": Action.choices,
            "action": action if action in Action.values else "",
            "page_title": _("Audit log"),
        },
    )


@network_view(Role.OWNER)
def export_csv(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "")
    return export_or_enqueue(
        request, kind=AUDIT_EXPORT, params={"action": action if action in Action.values else ""}
    )

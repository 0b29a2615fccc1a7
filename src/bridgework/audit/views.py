"""The audit log pages: owners read and export their network's events."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bridgework.audit.models import Action, AuditEvent
from bridgework.audit.selectors import audit_events_for
from bridgework.audit.services import audit_record
from bridgework.datasets.sheets import write_csv_table
from bridgework.directory.models import Role
from bridgework.web.pagination import page_of
from bridgework.web.tenancy import network_view

PAGE_SIZE = 50
CSV_HEADER = ["when (UTC)", "action", "by", "object type", "object id", "object", "details", "IP"]


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
            "page_title": "Audit log",
        },
    )


def _row(event: AuditEvent) -> list[str]:
    return [
        event.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        event.get_action_display(),
        event.actor_email or "the system",
        event.object_type,
        event.object_id,
        event.object_label,
        json.dumps(event.details, sort_keys=True, ensure_ascii=False),
        event.client_ip or "",
    ]


@network_view(Role.OWNER)
def export_csv(request: HttpRequest) -> HttpResponse:
    events = audit_events_for(request.network, action=request.GET.get("action", ""))
    content = write_csv_table(CSV_HEADER, (_row(e) for e in events.iterator()))
    audit_record(
        network=request.network,
        action=Action.EXPORT_DOWNLOADED,
        details={"export": "audit log CSV"},
        request=request,
    )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{request.network.slug}-audit.csv"'
    return response

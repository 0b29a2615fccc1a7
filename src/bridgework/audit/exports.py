"""The audit log download (CSV): one build function for the inline download and the stored
file a job builds when the log is long (:mod:`bridgework.jobs.exports`)."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse

from bridgework.audit.models import AuditEvent
from bridgework.audit.selectors import audit_events_for
from bridgework.datasets.sheets import write_csv_table
from bridgework.directory.models import Network, Role
from bridgework.jobs.exports import ExportKind, export_register

__all__ = ["AUDIT_EXPORT", "CSV_HEADER", "audit_export_build"]

AUDIT_EXPORT = "audit-csv"
CSV_HEADER = ["when (UTC)", "action", "by", "object type", "object id", "object", "details", "IP"]


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


def audit_export_build(network: Network, params: dict[str, Any]) -> bytes:
    events = audit_events_for(network, action=params.get("action", ""))
    return write_csv_table(CSV_HEADER, (_row(e) for e in events.iterator(chunk_size=2000)))


export_register(
    ExportKind(
        name=AUDIT_EXPORT,
        title="audit log CSV",
        role=Role.OWNER,
        rows=lambda network, params: audit_events_for(
            network, action=params.get("action", "")
        ).count(),
        build=audit_export_build,
        filename=lambda network, params: f"{network.slug}-audit.csv",
        content_type="text/csv; charset=utf-8",
        audit=lambda params, rows: {"export": "audit log CSV"},
        back=lambda network, params: (
            reverse("audit:index", kwargs={"network": network.slug}),
            "the audit log",
        ),
    )
)

"""Reading the audit log, always from the network."""

from __future__ import annotations

from django.db.models import QuerySet

from bridgework.audit.models import Action, AuditEvent
from bridgework.directory.models import Network


def audit_events_for(network: Network, *, action: str = "") -> QuerySet[AuditEvent]:
    """The network's events, newest first, optionally of one action only."""
    events = AuditEvent.objects.filter(network=network)
    if action in Action.values:
        events = events.filter(action=action)
    return events

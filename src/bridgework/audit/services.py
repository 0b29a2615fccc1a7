"""Writing the audit log. Events are only ever added (see :mod:`bridgework.audit.models`)."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest

from bridgework.audit.models import Action, AuditEvent, AuditPurge
from bridgework.directory.models import Network

__all__ = ["audit_events_purge", "audit_record"]


def _client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from. ``REMOTE_ADDR`` only: a forwarded-for header is
    whatever the client wrote, and the log must not record what anyone can forge."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def audit_record(
    *,
    network: Network,
    actor: Any = None,
    action: Action | str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    label: str | None = None,
) -> AuditEvent:
    """Add one event to the network's audit log.

    ``actor`` is the login who acted (``None`` with a ``request`` takes its signed-in login;
    ``None`` without one means the system, e.g. a scheduled job). ``target`` is the record
    acted on: its type, id and name are copied, so the event stays readable after the record
    is gone. Never pass a person as ``target`` of an erasure: the log must not keep the name.
    ``label`` replaces the copied name (e.g. ``"person 42"``): a person's name kept in the log
    would outlive their erasure, which cannot change it.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    event = AuditEvent(
        network=network,
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        action=Action(action),
        details=details or {},
        client_ip=_client_ip(request),
    )
    if target is not None:
        event.object_type = target._meta.label_lower
        event.object_id = str(target.pk)
        event.object_label = (str(target) if label is None else label)[:200]
    event.full_clean(exclude=["network", "actor"])
    event.save()
    return event


def audit_events_purge(*, network_id: int) -> int:
    """Delete the audit events of a network whose row has just been deleted, in the same
    transaction (the database refuses while the network row exists). Returns the count."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Purge audit events inside the transaction deleting the network.")
    if Network.objects.filter(pk=network_id).exists():
        raise RuntimeError("Delete the network first: its audit events go with it, not before.")
    marker = AuditPurge.objects.create(network_id=network_id)
    queryset = models.QuerySet(AuditEvent).filter(network_id=network_id)
    deleted = queryset._raw_delete(queryset.db)
    marker.delete()
    return deleted

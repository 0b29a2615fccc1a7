"""Deleting a whole network: every record of it, its audit log last."""

from __future__ import annotations

from django.db import transaction

from bridgework.audit.services import audit_events_purge
from bridgework.directory.models import Network
from bridgework.surveys.models import Invitation

__all__ = ["network_delete"]


@transaction.atomic
def network_delete(*, network: Network) -> int:
    """Delete ``network`` and everything in it (people, surveys, programmes, outbox, audit
    log). Logins stay; only their membership goes. Returns the audit events deleted.

    RC invitations go first: they protect the workgroup they were made for, so that deleting
    one workgroup cannot silently drop answers; here the whole network goes. The audit log
    goes last, once the network row is gone (the database refuses otherwise).
    """
    network_id = network.pk
    Invitation.objects.filter(network_id=network_id).delete()
    Network.objects.filter(pk=network_id).delete()
    return audit_events_purge(network_id=network_id)

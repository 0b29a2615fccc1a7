"""Reading the outbox, always from the network."""

from __future__ import annotations

from django.db.models import QuerySet

from bridgework.directory.models import Network
from bridgework.mail.models import OutboxMessage


def outbox_for(network: Network, *, query: str = "") -> QuerySet[OutboxMessage]:
    """Messages sent on behalf of this network, newest first, optionally searched."""
    messages = OutboxMessage.objects.filter(network=network)
    if query:
        messages = messages.filter(to__icontains=query) | messages.filter(subject__icontains=query)
    return messages.defer(
        "html_body", "text_body", "pending_text_body", "pending_html_body", "pending_attachments"
    )


def outbox_message_for(network: Network, message_id: int) -> OutboxMessage:
    """One message of this network; ``DoesNotExist`` (a 404) for any other network's."""
    return OutboxMessage.objects.defer(
        "pending_text_body", "pending_html_body", "pending_attachments"
    ).get(network=network, pk=message_id)

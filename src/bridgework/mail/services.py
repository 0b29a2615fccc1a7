"""Writing to the outbox and delivering from it. All email in Bridgework goes through here."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from bridgework.directory.models import Network
from bridgework.mail.models import OutboxMessage

logger = logging.getLogger(__name__)

#: Attempts before a message is left as failed for a person to look at.
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Attachment:
    """A text attachment, such as an iCalendar invitation."""

    filename: str
    mimetype: str
    content: str


def email_queue(
    *,
    network: Network | None,
    to: str,
    subject: str,
    template: str,
    context: dict[str, object],
    kind: str = "",
    attachments: Sequence[Attachment] = (),
    idempotency_key: str | None = None,
) -> OutboxMessage:
    """Record an email in the outbox and queue its delivery after the transaction commits.

    ``template`` names a pair ``<template>.txt`` and ``<template>.html``. With an
    ``idempotency_key``, queueing the same email twice returns the first message instead of
    sending twice (a retried job or a double click cannot duplicate an email).
    """
    full_context = {"site_url": settings.SITE_URL, "network": network, **context}
    # Dates in an email read in the network's zone, also when a worker renders it.
    with timezone.override(network.zone if network else None):
        text_body = render_to_string(f"{template}.txt", full_context)
        html_body = render_to_string(f"{template}.html", full_context)
    fields = {
        "network": network,
        "to": to,
        "subject": subject,
        "text_body": text_body,
        "html_body": html_body,
        "attachments": [a.__dict__ for a in attachments],
        "kind": kind,
    }
    if idempotency_key is not None:
        try:
            with transaction.atomic():
                message, created = OutboxMessage.objects.get_or_create(
                    idempotency_key=idempotency_key, defaults=fields
                )
        except IntegrityError:  # lost a race with an identical request: the other one wins
            message, created = OutboxMessage.objects.get(idempotency_key=idempotency_key), False
        if not created:
            return message
    else:
        message = OutboxMessage.objects.create(**fields)
    message_id = message.pk
    transaction.on_commit(lambda: _enqueue_delivery(message_id))
    return message


def _enqueue_delivery(message_id: int) -> None:
    from bridgework.mail.tasks import deliver_email

    deliver_email.enqueue(message_id)


def email_deliver(*, message_id: int) -> OutboxMessage.Status:
    """Send one queued message through the configured backend, at most once.

    The row is locked while sending, and a message already sent is left alone, so a job that
    runs twice (a worker restarted mid-batch) never sends an email twice.
    """
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.status == OutboxMessage.Status.SENT:
            return OutboxMessage.Status.SENT
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text_body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            connection=get_connection(),
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        for attachment in message.attachments:
            email.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
        message.attempts += 1
        try:
            email.send()
        except Exception as exc:  # SMTP failures come in many types; record and retry later
            logger.warning("delivery of outbox message %s failed: %s", message.pk, exc)
            message.error = str(exc)[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
            message.save(update_fields=["attempts", "error", "status"])
            if message.status != OutboxMessage.Status.FAILED:
                raise
            return OutboxMessage.Status.FAILED
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "error"])
        return OutboxMessage.Status.SENT


def person_data_erase(*, person: object, dry_run: bool = False) -> dict[str, int]:
    """Delete the network's outbox messages to ``person``'s address (a directory person).
    Returns the count (what would be deleted with ``dry_run``)."""
    messages = OutboxMessage.objects.filter(
        network_id=person.network_id,  # type: ignore[attr-defined]
        to__iexact=person.email,  # type: ignore[attr-defined]
    )
    counts = {"emails in the outbox": messages.count()}
    if not dry_run:
        messages.delete()
    return counts

"""Writing to the outbox and delivering from it. All email in Bridgework goes through here."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy

from bridgework.directory.models import Network
from bridgework.mail.backends import outbox_is_delivery
from bridgework.mail.models import OutboxMessage
from bridgework.mail.redaction import redact, redact_attachments, tokens_in

logger = logging.getLogger(__name__)

#: Attempts before a message is left as failed for a person to look at.
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Attachment:
    """A text attachment, such as an iCalendar invitation."""

    filename: str
    mimetype: str
    content: str


def lazy_text(build: Callable[[], str]) -> Promise:
    """A subject line built when it is read: :func:`email_queue` reads it in the recipient's
    language, so ``build`` calls ``gettext`` and formats dates then."""
    return lazy(build, str)()


def email_queue(
    *,
    network: Network | None,
    to: str,
    subject: str | Promise,
    template: str,
    context: dict[str, object],
    kind: str = "",
    attachments: Sequence[Attachment] = (),
    idempotency_key: str | None = None,
    language: str | None = None,
) -> OutboxMessage:
    """Record an email in the outbox and queue its delivery after the transaction commits.

    ``template`` names a pair ``<template>.txt`` and ``<template>.html``. With an
    ``idempotency_key``, queueing the same email twice returns the first message instead of
    sending twice (a retried job or a double click cannot duplicate an email).

    When mail is really delivered (any backend but the outbox-only default), the copy stored
    for the outbox has its personal links removed (by URL shape and by the tokens found in
    ``context``); the email as sent is kept apart until delivery only.

    ``language`` (a code of ``settings.LANGUAGES``, usually the recipient's
    ``directory.models.language_for``) is the language the templates and ``subject`` (which
    may be a lazy translation) are rendered in; ``None`` keeps the active language.
    """
    full_context = {"site_url": settings.SITE_URL, "network": network, **context}
    # Dates in an email read in the network's zone, also when a worker renders it; its words
    # are the recipient's language.
    with (
        timezone.override(network.zone if network else None),
        translation.override(language) if language else contextlib.nullcontext(),
    ):
        subject = str(subject)
        text_body = render_to_string(f"{template}.txt", full_context)
        html_body = render_to_string(f"{template}.html", full_context)
    files = [dict(a.__dict__) for a in attachments]
    fields: dict[str, object] = {
        "network": network,
        "to": to,
        "subject": subject,
        "text_body": text_body,
        "html_body": html_body,
        "attachments": files,
        "kind": kind,
    }
    if not outbox_is_delivery():
        tokens = tokens_in(full_context)
        fields.update(
            text_body=redact(text_body, tokens),
            html_body=redact(html_body, tokens),
            attachments=redact_attachments(files, tokens),
            subject=redact(subject, tokens),
            links_redacted=True,
            pending_text_body=text_body,
            pending_html_body=html_body,
            pending_attachments=files,
        )
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
        text_body, html_body, attachments = _deliverable(message)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=text_body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            connection=get_connection(),
        )
        if html_body:
            email.attach_alternative(html_body, "text/html")
        for attachment in attachments:
            email.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
        message.attempts += 1
        try:
            email.send()
        except Exception as exc:  # SMTP failures come in many types; record and retry later
            # The exception's type only: an SMTP error can quote the message it refused.
            logger.warning(
                "delivery of outbox message %s failed: %s", message.pk, type(exc).__name__
            )
            message.error = redact(str(exc))[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
            message.save(update_fields=["attempts", "error", "status"])
            if message.status != OutboxMessage.Status.FAILED:
                raise
            return OutboxMessage.Status.FAILED
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.error = ""
        _settle_stored_copy(message)
        message.save(
            update_fields=[
                "attempts",
                "status",
                "sent_at",
                "error",
                *_COPY_FIELDS,
            ]
        )
        return OutboxMessage.Status.SENT


_COPY_FIELDS = (
    "subject",
    "text_body",
    "html_body",
    "attachments",
    "links_redacted",
    "pending_text_body",
    "pending_html_body",
    "pending_attachments",
)


def _has_pending(message: OutboxMessage) -> bool:
    return bool(message.pending_text_body)


def _deliverable(message: OutboxMessage) -> tuple[str, str, list[dict[str, str]]]:
    """The email as it is to reach the recipient: the kept copy when the shown one is
    redacted."""
    if _has_pending(message):
        return message.pending_text_body, message.pending_html_body, message.pending_attachments
    return message.text_body, message.html_body, message.attachments


def _settle_stored_copy(message: OutboxMessage) -> None:
    """After delivery, keep one copy: redacted when mail really left the app; in the
    outbox-only mode the outbox is the delivery, so the full email becomes the copy."""
    if outbox_is_delivery():
        if _has_pending(message):
            message.text_body = message.pending_text_body
            message.html_body = message.pending_html_body
            message.attachments = message.pending_attachments
            message.links_redacted = False
    else:
        message.text_body = redact(message.text_body)
        message.html_body = redact(message.html_body)
        message.attachments = redact_attachments(message.attachments)
        message.subject = redact(message.subject)
        message.links_redacted = True
    message.pending_text_body = ""
    message.pending_html_body = ""
    message.pending_attachments = []


def outbox_redact(messages: QuerySet[OutboxMessage]) -> int:
    """Remove personal links from stored copies (e.g. after switching from the outbox-only
    mode to SMTP): a message not yet sent keeps its full email for delivery. Returns how many
    copies changed."""
    changed = 0
    for message in list(messages.filter(links_redacted=False)):
        if message.status != "sent" and not _has_pending(message):
            message.pending_text_body = message.text_body
            message.pending_html_body = message.html_body
            message.pending_attachments = message.attachments
        message.text_body = redact(message.text_body)
        message.html_body = redact(message.html_body)
        message.attachments = redact_attachments(message.attachments)
        message.subject = redact(message.subject)
        message.links_redacted = True
        message.save(update_fields=list(_COPY_FIELDS))
        changed += 1
    return changed


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

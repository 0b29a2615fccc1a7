"""Writing to the outbox and delivering from it. All email in Bridgework goes through here.

One email is queued with :func:`email_queue`; many (a wave's invitations, a round's
introductions with their calendar files) with :func:`email_queue_batch`, which renders them,
writes them in one ``bulk_create`` and queues their delivery as one job per batch
(:func:`email_deliver_batch` sends them over one connection).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy

from bridgework.directory.models import Network
from bridgework.mail.backends import outbox_is_delivery
from bridgework.mail.models import OutboxMessage
from bridgework.mail.redaction import redact, redact_attachments, tokens_in
from bridgework.mail.stencils import Stencil, shape_of
from bridgework.web.copy_insert import copy_insert

logger = logging.getLogger(__name__)

#: Attempts before a message is left as failed for a person to look at.
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class BatchEmail:
    """One recipient's part of a batch: the address, what only their email says (their
    link), and the idempotency key that makes their email one of a kind."""

    to: str
    context: dict[str, object]
    idempotency_key: str | None = None
    #: The recipient's language (``directory.models.language_for``); ``None``: the active one.
    language: str | None = None
    #: This email's own subject (a lazy translation is read in ``language``), template and
    #: kind, where the batch's emails differ; ``None``: the batch's.
    subject: str | Promise | None = None
    template: str | None = None
    kind: str | None = None
    #: This email's own attachments (a calendar invitation), stored redacted like its body.
    attachments: Sequence[Attachment] = ()
    #: In a batch rendered from stencils: the context values the templates test, filter or
    #: format (a date, a zone, a choice), which the stencil is rendered with as they are
    #: (emails that differ in them get stencils of their own); every other value of
    #: ``context`` is filled in, lists and dicts of text included
    #: (:func:`bridgework.mail.stencils.stand_ins`). Empty: every value is filled in.
    stencil_fixed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """A text attachment, such as an iCalendar invitation.

    ``mimetype`` may carry parameters (``text/calendar; method=REQUEST``). With
    ``alternative``, the content is also sent as a part of the email's body beside the text
    and HTML: that is where Outlook and Google Calendar look for an invitation to show
    Accept and Decline; the file stays attached for clients that only read attachments.
    """

    filename: str
    mimetype: str
    content: str
    alternative: bool = False


class _Email(EmailMultiAlternatives):
    """An email whose parts may have MIME type parameters (``method=REQUEST``) besides the
    charset, which Django's own parts cannot carry."""

    def _create_mime_attachment(self, content, mimetype):  # type: ignore[no-untyped-def]
        base, *params = (p.strip() for p in mimetype.split(";"))
        part = super()._create_mime_attachment(content, base)
        for param in params:
            name, _, value = param.partition("=")
            if name and name.lower() != "charset":
                part.set_param(name, value.strip('"'), requote=False)
        return part


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
        "kind": kind,
        **_stored_copy(
            subject=subject,
            text_body=text_body,
            html_body=html_body,
            files=files,
            context=full_context,
        ),
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


def _stored_copy(
    *,
    subject: str,
    text_body: str,
    html_body: str,
    files: list[dict[str, str]],
    context: dict[str, object],
) -> dict[str, object]:
    """The outbox fields of one email: as written when the outbox is the delivery; otherwise
    with personal links removed (by URL shape and by the tokens found in ``context``) and the
    email as sent kept apart, for delivery only. Every email written to the outbox, alone or
    in a batch, gets its fields from here."""
    if outbox_is_delivery():
        return {
            "subject": subject,
            "text_body": text_body,
            "html_body": html_body,
            "attachments": files,
        }
    tokens = tokens_in(context)
    return {
        "subject": redact(subject, tokens),
        "text_body": redact(text_body, tokens),
        "html_body": redact(html_body, tokens),
        "attachments": redact_attachments(files, tokens),
        "links_redacted": True,
        "pending_text_body": text_body,
        "pending_html_body": html_body,
        "pending_attachments": files,
    }


def email_queue_batch(
    *,
    network: Network | None,
    kind: str = "",
    subject: str | Promise | None = None,
    template: str | None = None,
    emails: Sequence[BatchEmail],
    context: dict[str, object] | None = None,
    stencil: bool = False,
) -> list[int]:
    """Record many emails in the outbox with one insert; queue their delivery after commit.

    The emails share ``kind``, ``subject``, ``template`` and ``context``; each adds its own
    :class:`BatchEmail` context, and may have its own subject, template, kind and
    attachments (a round's introductions, each with its calendar file, beside its "no match"
    notes). An email with neither its own nor a shared subject or template is refused with
    ``ValueError`` before anything is written. An email whose idempotency key is already in
    the outbox is skipped (it was queued by an earlier run), so a batch that is repeated after
    a crash sends nobody a second email. Returns the ids of the messages written now.

    With ``stencil``, each template is rendered once per language and filled in with each
    email's own context values (:mod:`bridgework.mail.stencils`): for templates that only
    print those values (a name, a link), as a wave's invitations do, or, with each email's
    ``stencil_fixed``, for templates that also test and format some values (a round's
    introductions: the stencil is kept per value of those and per shape of the others); the
    first email of each stencil is checked against a full rendering, and the batch falls
    back to one if the two differ.

    Queries: one to find keys already queued, one ``bulk_create`` per 500 messages, whatever
    the number of emails; delivery is one job per 500 messages.
    """
    shared = {"site_url": settings.SITE_URL, "network": network, **(context or {})}
    keys = [e.idempotency_key for e in emails if e.idempotency_key is not None]
    seen = (
        set(
            OutboxMessage.objects.filter(idempotency_key__in=keys).values_list(
                "idempotency_key", flat=True
            )
        )
        if keys
        else set()
    )
    for email in emails:
        if (email.subject if email.subject is not None else subject) is None:
            raise ValueError(f"The email to {email.to} has no subject, and the batch none.")
        if (email.template or template) is None:
            raise ValueError(f"The email to {email.to} has no template, and the batch none.")
    templates: dict[str, tuple[Any, Any]] = {}
    stencils: dict[tuple, _Stencils] = {}
    rows = []
    with timezone.override(network.zone if network else None):
        for email in emails:
            if email.idempotency_key is not None:
                if email.idempotency_key in seen:
                    continue
                seen.add(email.idempotency_key)
            name = email.template or template
            assert name is not None  # checked above
            if name not in templates:
                templates[name] = (get_template(f"{name}.txt"), get_template(f"{name}.html"))
            text, html = templates[name]
            full_context = {**shared, **email.context}
            with (
                translation.override(email.language) if email.language else contextlib.nullcontext()
            ):
                bodies = _bodies(
                    text, html, shared, email, full_context, stencils if stencil else None, name
                )
                stored = _stored_copy(
                    subject=str(email.subject if email.subject is not None else subject),
                    text_body=bodies[0],
                    html_body=bodies[1],
                    files=[dict(a.__dict__) for a in email.attachments],
                    context=full_context,
                )
            rows.append(
                OutboxMessage(
                    network=network,
                    to=email.to,
                    kind=email.kind if email.kind is not None else kind,
                    idempotency_key=email.idempotency_key,
                    **stored,
                )
            )
    if not rows:
        return []
    try:
        with transaction.atomic():
            ids = [m.pk for m in copy_insert(OutboxMessage, rows, batch_size=BATCH)]
    except IntegrityError:  # a concurrent run queued some of these: theirs stand, ours are cut
        OutboxMessage.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
        ids = list(
            OutboxMessage.objects.filter(
                idempotency_key__in=[r.idempotency_key for r in rows],
                status=OutboxMessage.Status.QUEUED,
            ).values_list("pk", flat=True)
        )
    if any(pk is None for pk in ids):  # a database that does not return ids from bulk inserts
        ids = list(
            OutboxMessage.objects.filter(
                idempotency_key__in=[r.idempotency_key for r in rows]
            ).values_list("pk", flat=True)
        )
    transaction.on_commit(lambda: _enqueue_delivery_batch(ids))
    return ids


@dataclass
class _Stencils:
    """The stencils of one kind of email in a batch, in the making: the first email of the
    kind (its context and full rendering), then, from the second, the text and HTML stencils
    (``None`` when they did not give the first email exactly)."""

    first_context: dict[str, Any]
    first_full: tuple[str, str]
    made: bool = False
    pair: tuple[Stencil, Stencil] | None = None


def _frozen(value: Any) -> Any:
    """``value`` as part of a dict key (a stored object by its model and id, lists as tuples;
    anything unhashable by identity)."""
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, datetime):  # the same instant in another zone prints otherwise
        return (value, str(value.tzinfo))
    if isinstance(value, Model) and value.pk is not None:
        return (type(value), value.pk)
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, _frozen(item)) for key, item in value.items())
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return value


def _bodies(
    text: Any,
    html: Any,
    shared: dict[str, object],
    email: BatchEmail,
    full_context: dict[str, object],
    stencils: dict[tuple, _Stencils] | None,
    name: str,
) -> tuple[str, str]:
    """The text and HTML bodies of ``email``: from the batch's stencils where they fit.

    A stencil is kept per template, language, set of context keys, values of the email's
    ``stencil_fixed`` keys and shape of the others (:func:`~bridgework.mail.stencils.shape_of`).
    The first email of each is rendered in full; the second makes the stencil, which must
    give the first email exactly (else every email of that stencil is rendered in full), so
    an email alone of its kind costs no more than one rendering."""
    if stencils is None:
        return text.render(full_context), html.render(full_context)
    fixed = tuple(k for k in email.stencil_fixed if k in email.context)
    if fixed:
        own_keys = [key for key in email.context if key not in fixed]
        key: tuple = (
            name,
            email.language,
            tuple(email.context),
            tuple((k, _frozen(email.context[k])) for k in fixed),
            tuple(shape_of(email.context[k]) for k in own_keys),
        )
    else:
        own_keys = list(email.context)
        key = (name, email.language, tuple(email.context))
    found = stencils.get(key)
    if found is None:  # the first of its kind: in full, kept to check the stencil against
        full = text.render(full_context), html.render(full_context)
        stencils[key] = _Stencils(first_context=email.context, first_full=full)
        return full
    if not found.made:
        base = {**shared, **{k: email.context[k] for k in fixed}}
        own = email.context if fixed else None
        pair = (
            Stencil.render(text, base, own_keys, own),
            Stencil.render(html, base, own_keys, own),
        )
        first = found.first_context
        checked = (pair[0].fill(first), pair[1].fill(first)) == found.first_full
        found.made, found.pair = True, pair if checked else None
    pair = found.pair
    if pair is not None:
        filled_text, filled_html = pair[0].fill(email.context), pair[1].fill(email.context)
        if filled_text is not None and filled_html is not None:
            return filled_text, filled_html
    return text.render(full_context), html.render(full_context)


#: Messages written per insert, and delivered per job.
BATCH = 500


def _enqueue_delivery(message_id: int) -> None:
    from bridgework.mail.tasks import deliver_email

    deliver_email.enqueue(message_id)


def _enqueue_delivery_batch(message_ids: list[int]) -> None:
    from bridgework.mail.tasks import deliver_emails

    for start in range(0, len(message_ids), BATCH):
        deliver_emails.enqueue(message_ids[start : start + BATCH])


#: Messages queued again per sweep of :func:`emails_requeue_stale` at most.
REQUEUE_LIMIT = 10_000


def emails_requeue_stale(*, now: datetime | None = None) -> int:
    """Queue delivery again for every message still waiting ``JOBS_STALE_AFTER`` seconds after
    it was written (up to :data:`REQUEUE_LIMIT` a sweep, oldest first), and return how many.

    A worker killed while delivering a batch takes its queue entry with it, and a delivery that
    failed waits for another attempt (up to :data:`MAX_ATTEMPTS`): the worker's scheduler runs
    this so neither waits for ever. Delivery locks each message and skips one already sent, so
    a message queued twice (its first entry was only slow) is still sent once.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_STALE_AFTER)
    ids = list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.QUEUED,
            created_at__lt=cutoff,
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:REQUEUE_LIMIT]
    )
    if ids:
        _enqueue_delivery_batch(ids)
    return len(ids)


def email_deliver_batch(*, message_ids: Sequence[int]) -> dict[str, int]:
    """Deliver many queued messages over one connection, each at most once.

    Each message is locked and sent as :func:`email_deliver` does; one that fails is left
    queued (with its error and attempt count) and the others go on. Returns how many ended
    in each status.
    """
    counts: dict[str, int] = {}
    connection = get_connection()
    with connection:
        for message_id in message_ids:
            try:
                status = email_deliver(message_id=message_id, connection=connection)
            except OutboxMessage.DoesNotExist:
                continue
            except Exception:  # recorded on the message by email_deliver; carry on
                status = OutboxMessage.Status.QUEUED
            counts[str(status)] = counts.get(str(status), 0) + 1
    return counts


def email_deliver(*, message_id: int, connection: object | None = None) -> OutboxMessage.Status:
    """Send one queued message through the configured backend, at most once.

    The row is locked while sending, and a message already sent is left alone, so a job that
    runs twice (a worker restarted mid-batch) never sends an email twice. ``connection`` is
    an open email connection to reuse (a batch sends over one).
    """
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.status == OutboxMessage.Status.SENT:
            return OutboxMessage.Status.SENT
        text_body, html_body, attachments = _deliverable(message)
        email = _Email(
            subject=message.subject,
            body=text_body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            connection=connection or get_connection(),
        )
        if html_body:
            email.attach_alternative(html_body, "text/html")
        for attachment in attachments:
            if attachment.get("alternative"):
                email.attach_alternative(attachment["content"], attachment["mimetype"])
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

"""Inviting and reminding, once for every instrument.

An instrument (RC surveys, network surveys) describes its waves in a :class:`WaveKind`: its
models, the people its wave asks, the snapshot an invitation keeps of them, the respondent's
link and its email (template, subjects, extra context). Everything else is here, the same for
all: who is eligible (:func:`~bridgework.waves.selectors.eligible_people`), one invitation per
person and wave, links from :mod:`bridgework.tokens` (digests only), emails through the
outbox with an idempotency key per invitation and reminder number, reminders only to those
not finished and not reminded within :data:`REMINDER_GAP`, the "every N days" schedule the
worker runs, and the one error a closed wave answers with (:class:`WaveClosedError`).

Writes are set-based and batched: each batch of :data:`BATCH_SIZE` people is one
``bulk_create`` for the invitations, one for their links, one for their emails
(:func:`~bridgework.mail.services.email_queue_batch`) and one update of their send times, in
one transaction. A bulk action run in the background (:mod:`bridgework.jobs`) commits batch
after batch, so a run stopped half-way keeps what it did and the next run carries on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from bridgework.directory.models import Person, language_for
from bridgework.mail.services import BatchEmail, email_queue_batch
from bridgework.tokens import issue_token
from bridgework.waves.models import AbstractInvitation, AbstractInvitationToken, AbstractWave
from bridgework.waves.selectors import eligible, eligible_people
from bridgework.web.copy_insert import copy_insert

__all__ = [
    "BATCH_SIZE",
    "REMINDER_GAP",
    "WaveClosedError",
    "WaveKind",
    "invitations_create",
    "invitations_create_batch",
    "invitations_remaining",
    "reminders_remaining",
    "reminders_send",
    "reminders_send_batch",
    "reminders_send_due",
    "wave_check_open",
]

#: Someone reminded less than this long ago is not reminded again (double clicks, overlaps,
#: a coordinator and the scheduler at once).
REMINDER_GAP = timedelta(hours=12)


class WaveClosedError(Exception):
    """An answer (or a change, or invitations) arrived for a wave that is not open."""


def wave_check_open(wave: AbstractWave) -> None:
    """Raise :class:`WaveClosedError` unless the wave is open now."""
    if not wave.is_open:
        raise WaveClosedError("This survey is not open.")


def _no_extra(_: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class WaveKind:
    """What one instrument's waves bring to the shared invitations and reminders.

    Parameters
    ----------
    wave_model, invitation_model, token_model
        The instrument's concrete models (the invitation has ``wave`` with
        ``related_name="invitations"``, the token ``invitation`` with ``"tokens"``).
    respondents
        The people a wave asks (the instrument's own scope); `eligible_people` is
        applied on top, so an instrument cannot forget it.
    link_route
        URL name of the respondent's first page; it takes the plain ``token``.
    email_prefix
        Outbox kinds are ``<prefix>-invitation`` and ``<prefix>-reminder``.
    template
        The email template pair (``.txt`` and ``.html``); its context has ``wave``,
        ``person``, ``path`` and ``reminder``, plus ``email_context(wave)``.
    invitation_subject, reminder_subject
        The subject lines, given the wave.
    snapshot
        Extra invitation fields kept from the person when invited (an RC invitation keeps
        their workgroup and organisation).
    email_context
        Extra email context, given the wave.
    wave_related
        ``select_related`` paths the subjects and templates read from a wave.
    """

    wave_model: type[AbstractWave]
    invitation_model: type[AbstractInvitation]
    token_model: type[AbstractInvitationToken]
    respondents: Callable[[Any], QuerySet[Person]]
    link_route: str
    email_prefix: str
    template: str
    invitation_subject: Callable[[Any], str]
    reminder_subject: Callable[[Any], str]
    snapshot: Callable[[Person], dict[str, Any]] = _no_extra
    email_context: Callable[[Any], Mapping[str, Any]] = _no_extra
    wave_related: tuple[str, ...] = field(default=("network",))

    @property
    def invitation_kind(self) -> str:
        return f"{self.email_prefix}-invitation"

    @property
    def reminder_kind(self) -> str:
        return f"{self.email_prefix}-reminder"


#: People invited (or reminded) per transaction. A bulk action commits each batch, so a run
#: that is stopped keeps what it did and the next run carries on from there.
BATCH_SIZE = 500


def invitations_remaining(*, kind: WaveKind, wave: AbstractWave) -> int:
    """How many eligible people in the wave's scope are not invited yet."""
    return _uninvited(kind, wave).count()


def _uninvited(kind: WaveKind, wave: AbstractWave) -> QuerySet[Person]:
    # NOT EXISTS, not NOT IN: PostgreSQL turns it into an anti-join, where NOT IN of a
    # subquery too big for memory is checked row by row (hours at a million invitations).
    invited = kind.invitation_model.objects.filter(wave=wave, person_id=OuterRef("pk"))
    return eligible_people(kind.respondents(wave)).filter(~Exists(invited))


def invitations_create(
    *, kind: WaveKind, wave: AbstractWave, send: bool = True, batch_size: int = BATCH_SIZE
) -> int:
    """Invite everyone eligible in the wave's scope not yet invited; email each a link.

    Returns how many were invited now. Works through :func:`invitations_create_batch`, one
    committed batch at a time, so it is safe to stop and repeat: people already invited are
    skipped, the database refuses a second invitation for the same person and wave, and each
    email has an idempotency key. Raises :class:`WaveClosedError` for a closed wave.
    """
    total = 0
    while True:
        count = invitations_create_batch(kind=kind, wave=wave, send=send, limit=batch_size)
        total += count
        if count < batch_size:
            return total


def invitations_create_batch(
    *, kind: WaveKind, wave: AbstractWave, limit: int, send: bool = True
) -> int:
    """Invite (and email) up to ``limit`` of the people not yet invited, in one transaction.

    The next ``limit`` people in id order get their invitation, their link and their email
    written together, so a batch is either all there or not at all. A run that loses a race
    with a concurrent one (the database refuses the second invitation) starts the batch over
    and finds those people invited. Set-based: the number of queries does not grow with
    ``limit``. Raises :class:`WaveClosedError` for a closed wave.
    """
    if wave.is_closed:
        raise WaveClosedError("This wave has closed.")
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _invite_next(kind, wave, limit=limit, send=send)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _next_uninvited(kind: WaveKind, wave: AbstractWave, limit: int) -> list[Person]:
    """The next ``limit`` people to invite, in id order. Batches invite in id order, so the
    people after the last one invited are read first, each checked in the invitations'
    unique index: a batch reads its own people, not the whole scope again. Only when those run
    short (the last batch, or someone earlier who has become eligible since) is the whole
    scope searched."""
    last = kind.invitation_model.objects.filter(wave=wave).aggregate(last=Max("person_id"))["last"]
    invited = kind.invitation_model.objects.filter(wave=wave, person_id=OuterRef("pk"))
    people = list(
        eligible_people(kind.respondents(wave))
        .filter(pk__gt=last or 0)  # the same queries for the first batch as for any other
        .filter(~Exists(invited))
        .order_by("pk")[:limit]
    )
    if len(people) == limit:
        return people
    return list(_uninvited(kind, wave).order_by("pk")[:limit])


def _invite_next(kind: WaveKind, wave: AbstractWave, *, limit: int, send: bool) -> int:
    people = _next_uninvited(kind, wave, limit)
    now = timezone.now()
    invitations = copy_insert(
        kind.invitation_model,
        [
            kind.invitation_model(
                network_id=wave.network_id,
                wave=wave,
                person=person,
                created_at=now,
                **kind.snapshot(person),
            )
            for person in people
        ],
    )
    if send and invitations:
        _send(kind, wave, invitations, reminder=False)
    return len(invitations)


def _send(kind: WaveKind, wave: AbstractWave, invitations: list[Any], *, reminder: bool) -> None:
    """Email each invitation's person a fresh link (earlier links keep working) and record
    the sending. Reminder ``n`` of an invitation has the idempotency key
    ``<kind>:<invitation>:<n>``; the invitation itself is number 0. A handful of queries
    whatever the number of invitations: one insert of links, one of emails, one update."""
    tokens = [issue_token() for _ in invitations]
    copy_insert(
        kind.token_model,
        [
            kind.token_model(invitation=invitation, digest=token.digest)
            for invitation, token in zip(invitations, tokens, strict=True)
        ],
    )
    email_kind = kind.reminder_kind if reminder else kind.invitation_kind
    email_queue_batch(
        network=wave.network,
        kind=email_kind,
        subject=(kind.reminder_subject if reminder else kind.invitation_subject)(wave),
        template=kind.template,
        context={"wave": wave, "reminder": reminder, **kind.email_context(wave)},
        stencil=True,
        emails=[
            BatchEmail(
                to=invitation.person.email,
                context={
                    "person": invitation.person,
                    "path": reverse(kind.link_route, kwargs={"token": token.plain}),
                },
                idempotency_key=(
                    f"{email_kind}:{invitation.pk}:"
                    f"{invitation.reminders_sent + 1 if reminder else 0}"
                ),
                language=language_for(invitation.person, wave.network),
            )
            for invitation, token in zip(invitations, tokens, strict=True)
        ],
    )
    now = timezone.now()
    sent = kind.invitation_model.objects.filter(pk__in=[i.pk for i in invitations])
    if reminder:
        sent.update(reminders_sent=F("reminders_sent") + 1, last_reminded_at=now)
    else:
        sent.update(sent_at=now)


def _pending(kind: WaveKind, wave: AbstractWave, recent: datetime) -> QuerySet[Any]:
    """Invitations to remind: not finished, not reminded since ``recent``, and their person
    still eligible (active, with an email)."""
    return (
        kind.invitation_model.objects.filter(wave=wave, completed_at__isnull=True)
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=recent))
        .filter(eligible("person__"))
    )


def reminders_remaining(*, kind: WaveKind, wave: AbstractWave) -> int:
    """How many invited people a reminder round would remind now (0 unless open)."""
    if not wave.is_open:
        return 0
    return _pending(kind, wave, timezone.now() - REMINDER_GAP).count()


def reminders_send(*, kind: WaveKind, wave: AbstractWave, batch_size: int = BATCH_SIZE) -> int:
    """Remind everyone invited who has not finished (not those reminded in the last hours).

    Only while the wave is open; through :func:`reminders_send_batch`, one committed batch
    at a time. Each reminder carries a fresh link; earlier links keep working until the wave
    closes.
    """
    total = 0
    while True:
        count = reminders_send_batch(kind=kind, wave=wave, limit=batch_size)
        total += count
        if count < batch_size:
            return total


def reminders_send_batch(*, kind: WaveKind, wave: AbstractWave, limit: int) -> int:
    """Remind up to ``limit`` of those still to remind, in one transaction.

    The invitations are locked while their reminders are queued, so two coordinators (or a
    coordinator and the scheduler) cannot remind someone twice: the second run waits, then
    finds them recently reminded; a stopped run resumes with those it had not reached. The
    wave records when reminders were last sent.
    """
    if not wave.is_open:
        return 0
    now = timezone.now()
    with transaction.atomic():
        pending = list(
            _pending(kind, wave, now - REMINDER_GAP)
            .select_related("person")
            .select_for_update(of=("self",))
            .order_by("pk")[:limit]
        )
        if pending:
            _send(kind, wave, pending, reminder=True)
        kind.wave_model.objects.filter(pk=wave.pk).update(last_reminders_at=now)
    wave.last_reminders_at = now
    return len(pending)


def reminders_send_due(*, kind: WaveKind, now: datetime | None = None) -> int:
    """Scheduled reminders: for each open wave whose reminder interval has passed since its
    last round (or its opening), remind those not finished. Returns how many were sent."""
    now = now or timezone.now()
    waves = kind.wave_model.objects.filter(
        opens_at__lte=now, closes_at__gt=now, reminder_every_days__gt=0
    ).select_related(*kind.wave_related)
    return sum(reminders_send(kind=kind, wave=wave) for wave in waves if wave.reminders_due(now))

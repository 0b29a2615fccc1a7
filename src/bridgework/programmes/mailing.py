"""A programme's emails to participants: introductions (with the ``.ics``), "no match this
round" notes, reminders and feedback requests. Every one carries the person's own link, from
which they can pause, change preferences or leave.

Sending is idempotent by construction: every email has an idempotency key naming its kind, its
match (or round) and its recipient — and, for a match's updates and cancellations, the
invitation's sequence — and a key already in the outbox is skipped before anything is
rendered. A worker killed half-way through a round's introductions simply sends the rest
when the job (or the scheduler's sweep) runs again; nobody is introduced twice and no match is
lost, because matches are stored when the round is drawn, not when emails go out.

An introduction carries a calendar meeting request (:mod:`bridgework.programmes.ics`) in the
recipient's own time zone; when a published match changes, :func:`match_changes_send` sends
the update or the cancellation with the match's next sequence to those already introduced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext

from bridgework.directory.models import language_for
from bridgework.mail.models import OutboxMessage
from bridgework.mail.services import Attachment, BatchEmail, email_queue_batch
from bridgework.programmes.exceptions import ProgrammeError
from bridgework.programmes.ics import (
    CALENDAR_FILENAME,
    Invitations,
    Method,
    calendar_mimetype,
    match_invitation,
)
from bridgework.programmes.models import (
    Enrolment,
    EnrolmentToken,
    Feedback,
    Match,
    Round,
    RoundPlace,
)
from bridgework.tokens import IssuedToken, issue_token
from bridgework.web.copy_insert import copy_insert

#: Keys are looked up this many at a time (SQLite's default limit on query parameters is 999).
_KEY_CHUNK = 500
#: Introductions written per transaction (and per insert) when a round is sent without a
#: limit (the scheduler's sweep); a publish job's batch is written in one.
SEND_BATCH = 500


def enrolment_link(enrolment: Enrolment) -> str:
    """A fresh personal link (path) to the enrolment's own page."""
    token = issue_token()
    EnrolmentToken.objects.create(enrolment=enrolment, digest=token.digest)
    return reverse("coffee:me", kwargs={"token": token.plain})


def person_zone(enrolment: Enrolment) -> str:
    """The time zone a person sees meeting times in: their own, else the programme's."""
    for name in (enrolment.time_zone, enrolment.person.time_zone, enrolment.programme.time_zone):
        if name:
            try:
                ZoneInfo(name)
            except (KeyError, ValueError):  # an old, since-removed zone name: try the next
                continue
            return name
    return "UTC"


#: The emails that carry a calendar file, and its method.
_CALENDAR_METHODS: dict[str, Method] = {"intro": "REQUEST", "update": "REQUEST", "cancel": "CANCEL"}


def _key(kind: str, place: RoundPlace, sequence: int | None = None) -> str:
    target = place.match_id if place.match_id else f"r{place.round_id}"
    if sequence is not None:  # one update or cancellation per version of the invitation
        target = f"{target}:s{sequence}"
    return f"programme-{kind}:{target}:{place.enrolment_id}"


def attending(places: Iterable[RoundPlace]) -> list[RoundPlace]:
    """The places of a match whose people are still in it: not those who left."""
    return [p for p in places if p.enrolment.status != Enrolment.Status.LEFT]


def _existing(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), _KEY_CHUNK):
        found.update(
            OutboxMessage.objects.filter(
                idempotency_key__in=keys[start : start + _KEY_CHUNK]
            ).values_list("idempotency_key", flat=True)
        )
    return found


_MEETING_MODES = dict(Enrolment.Mode.choices)


def _member_view(
    place: RoundPlace, views: dict[tuple[int, str], dict[str, str]] | None = None
) -> dict[str, str]:
    """What an email says about ``place``'s person, in the active language (kept in
    ``views`` by place and language, where a batch passes it: each person of a match is
    described to the others)."""
    if views is not None:
        key = (place.pk, translation.get_language())
        found = views.get(key)
        if found is None:
            found = views[key] = _member_view(place)
        return found
    enrolment, person = place.enrolment, place.enrolment.person
    return {
        "name": person.name,
        "email": person.email,
        "organisation": person.organisation.name if person.organisation else "",
        "job_title": person.job_title,
        "works_on": enrolment.works_on,
        "interests": enrolment.interests,
        # As ``get_meeting_mode_display()`` gives it, without building the choices each time.
        "meeting_mode": str(_MEETING_MODES.get(enrolment.meeting_mode, enrolment.meeting_mode)),
        "location": enrolment.location or person.location,
        "time_zone": enrolment.time_zone or person.time_zone,
    }


#: Each kind's subject, from the programme's name and the names of the others (``values``).
_SUBJECTS: dict[str, Callable[[dict[str, str], Round], str]] = {
    "intro": lambda values, round_: gettext("%(programme)s: meet %(names)s") % values,
    "unmatched": lambda values, round_: (
        gettext("%(programme)s: no match for you this round") % values
    ),
    "reminder": lambda values, round_: (
        gettext("%(programme)s: a reminder to meet before %(day)s")
        % {**values, "day": date_format(round_.ends_on, "j F")}
    ),
    "feedback": lambda values, round_: (
        gettext("%(programme)s: did you meet? (one minute)") % values
    ),
    "update": lambda values, round_: (
        gettext("%(programme)s: your coffee with %(names)s has changed") % values
    ),
    "cancel": lambda values, round_: (
        gettext("%(programme)s: your coffee with %(names)s is cancelled") % values
    ),
}

#: The values of an email's context its templates test or format (a round's dates, the
#: suggested time in the person's zone, the outcome, the guide): a batch rendered from
#: stencils keeps one per value of these; the others (the person, the people they meet,
#: their links) are filled in (:mod:`bridgework.mail.stencils`).
_STENCIL_FIXED = ("programme", "round", "outcome", "guide", "prompts", "zone", "suggested")


def _email_for(
    place: RoundPlace,
    kind: str,
    members: list[RoundPlace],
    *,
    path: str,
    invited: list[RoundPlace] | None = None,
    sequence: int | None = None,
    calendars: dict[tuple, str] | None = None,
    views: dict[tuple[int, str], dict[str, str]] | None = None,
    invitations: Invitations | None = None,
) -> BatchEmail:
    """The email of ``kind`` to ``place``'s person about the others in ``members``, with its
    subject in their language, its calendar file (``invited`` are its attendees, ``members``
    by default), their personal link ``path`` and its idempotency key. Reads nothing from the
    database beyond what its batch loaded (:func:`_unsent`, :func:`_partners`). A batch
    passes ``calendars`` to make each match's calendar file once per time zone, not once per
    person: everyone in a match is sent the same event, and only its zone differs from one to
    another; and ``views`` to describe each person once per language (:func:`_member_view`),
    and ``invitations`` to make the calendar files from its forms
    (:class:`~bridgework.programmes.ics.Invitations`)."""
    round_ = place.round
    programme = round_.programme
    enrolment = place.enrolment
    match = place.match
    language = language_for(enrolment.person, round_.network)
    with translation.override(language):  # subjects and the meeting modes, in their language
        others = [_member_view(p, views) for p in members if p.enrolment_id != enrolment.pk]
        values = {
            "programme": programme.name,
            "names": get_text_list([o["name"] for o in others], gettext("and")),
        }
        subject = _SUBJECTS[kind](values, round_)
    zone = person_zone(enrolment)
    attachments = []
    method = _CALENDAR_METHODS.get(kind)
    if method is not None:
        attendees = [_member_view(p, views) for p in (members if invited is None else invited)]
        cache_key = (
            match.pk,
            match.calendar_sequence,
            method,
            zone,
            tuple((a["name"], a["email"]) for a in attendees),
        )
        content = calendars.get(cache_key) if calendars is not None else None
        if content is None:
            make = invitations.make if invitations is not None else match_invitation
            content = make(
                match=match, programme=programme, members=attendees, method=method, zone=zone
            )
            if calendars is not None:
                calendars[cache_key] = content
        attachments = [
            Attachment(
                filename=CALENDAR_FILENAME,
                mimetype=calendar_mimetype(method),
                content=content,
                alternative=True,
            )
        ]
    guide = programme.guide
    return BatchEmail(
        to=enrolment.person.email,
        kind=f"programme-{kind}",
        subject=subject,
        template=f"programmes/emails/{kind}",
        context={
            "programme": programme,
            "round": round_,
            "match": match,
            "outcome": place.outcome,
            "person": enrolment.person,
            "others": others,
            "guide": guide,
            "prompts": guide.prompts() if guide else [],
            "path": path,
            "feedback_path": f"{path}feedback/{match.pk}/" if match else "",
            "zone": zone,
            "suggested": timezone.localtime(match.suggested_at, ZoneInfo(zone)) if match else None,
        },
        attachments=attachments,
        idempotency_key=_key(kind, place, sequence),
        language=language,
        stencil_fixed=_STENCIL_FIXED,
    )


def _links_for(enrolment_ids: list[int]) -> list[IssuedToken]:
    """One new personal link per enrolment (in order), written with one insert (a ``COPY``
    on PostgreSQL)."""
    tokens = [issue_token() for _ in enrolment_ids]
    copy_insert(
        EnrolmentToken,
        [
            EnrolmentToken(enrolment_id=enrolment_id, digest=token.digest)
            for enrolment_id, token in zip(enrolment_ids, tokens, strict=True)
        ],
        batch_size=_KEY_CHUNK,
    )
    return tokens


def _send_batch(
    places: list[RoundPlace], kinds: dict[int, str], groups: dict[int, list[RoundPlace]]
) -> int:
    """Queue the introductions and "no match" notes of ``places`` (none already in the outbox)
    with a fixed number of queries: one locks their matches (an introduction whose match was
    cancelled or changed since it was read waits for the next run: a change made at the same
    moment either waits for the lock and sees the introduction, and tells its recipient, or
    is seen here), one inserts their personal links, and the mail layer's
    :func:`~bridgework.mail.services.email_queue_batch` writes the emails with one insert and
    queues their delivery as one job. Call inside a transaction; returns how many were
    queued."""
    match_ids = sorted({p.match_id for p in places if p.match_id})
    current = {
        m.pk: m for m in Match.objects.select_for_update().filter(pk__in=match_ids).order_by("pk")
    }
    ready = [
        p
        for p in places
        if not p.match_id
        or (
            not current[p.match_id].is_cancelled
            and current[p.match_id].calendar_sequence == p.match.calendar_sequence
        )
    ]
    if not ready:
        return 0
    tokens = _links_for([p.enrolment_id for p in ready])
    calendars: dict[tuple, str] = {}
    views: dict[tuple[int, str], dict[str, str]] = {}
    invitations = Invitations()
    emails = [
        _email_for(
            place,
            kinds[place.pk],
            groups.get(place.match_id, []),
            path=reverse("coffee:me", kwargs={"token": token.plain}),
            calendars=calendars,
            views=views,
            invitations=invitations,
        )
        for place, token in zip(ready, tokens, strict=True)
    ]
    return len(email_queue_batch(network=ready[0].round.network, emails=emails, stencil=True))


def _groups(places: list[RoundPlace]) -> dict[int, list[RoundPlace]]:
    groups: dict[int, list[RoundPlace]] = {}
    for place in places:
        if place.match_id:
            groups.setdefault(place.match_id, []).append(place)
    return groups


def round_emails_remaining(*, round_: Round) -> int:
    """How many of the round's introductions and "no match" notes are not in the outbox yet
    (for a draft: how many publishing it would send); one query."""
    return _unsent_rows(round_).count()


def _unsent_rows(round_: Round, after: int = 0) -> QuerySet[RoundPlace]:
    """The places (after id ``after``) of a round owed an introduction or a "no match" note
    that is not in the outbox yet, found by the database: each place's key (as :func:`_key`
    writes it) is looked up in the outbox's unique index."""
    target = Case(
        When(match__isnull=False, then=Cast("match_id", CharField())),
        default=Concat(Value("r"), Cast("round_id", CharField())),
        output_field=CharField(),
    )
    kind = Case(
        When(match__isnull=False, then=Value("intro")),
        default=Value("unmatched"),
        output_field=CharField(),
    )
    key = Concat(
        Value("programme-"),
        kind,
        Value(":"),
        target,
        Value(":"),
        Cast("enrolment_id", CharField()),
        output_field=CharField(),
    )
    owed = Q(match__isnull=True) | (
        Q(match__cancelled_at__isnull=True) & ~Q(enrolment__status=Enrolment.Status.LEFT)
    )
    places = round_.places.filter(owed)
    if after:
        places = places.filter(pk__gt=after)
    return places.annotate(key=key).filter(
        ~Exists(OutboxMessage.objects.filter(idempotency_key=OuterRef("key")))
    )


def _with_round(places: list[RoundPlace], round_: Round) -> list[RoundPlace]:
    """``places`` (of ``round_``) reading their round and programme from ``round_``, loaded
    once, rather than a copy of each per row."""
    for place in places:
        place.round = round_
        place.enrolment.programme = round_.programme
    return places


def _unsent(round_: Round, limit: int, after: int = 0) -> list[RoundPlace]:
    """The next ``limit`` places (in id order, after id ``after``) of a published round owed
    an introduction or a "no match" note that is not in the outbox yet
    (:func:`_unsent_rows`), so a batch reads only its own places, however large the round;
    ``round_`` is their round, with its programme, guide and network."""
    return _with_round(
        list(
            _unsent_rows(round_, after)
            .select_related("enrolment__person__organisation", "match")
            .order_by("pk")[:limit]
        ),
        round_,
    )


def _partners(chunk: list[RoundPlace], round_: Round) -> list[RoundPlace]:
    """Everyone still attending the matches of ``chunk``'s places, in id order: the places
    of ``chunk`` as they are, and the others read with one query (most of a match's places
    are in the same chunk)."""
    match_ids = {p.match_id for p in chunk if p.match_id}
    if not match_ids:
        return []
    have = {p.pk: p for p in chunk if p.match_id}
    more = _with_round(
        list(
            RoundPlace.objects.filter(match_id__in=match_ids)
            .exclude(pk__in=list(have))
            .select_related("enrolment__person__organisation", "match")
        ),
        round_,
    )
    return attending(sorted([*have.values(), *more], key=lambda p: p.pk))


@dataclass
class SendCursor:
    """How far a run of :func:`round_send` has got: every place of the round up to id
    ``after`` was found sent (or not owed) by this run, so its next batch starts there
    instead of reading the round's sent places again."""

    after: int = 0


def round_send(*, round_: Round, limit: int | None = None, cursor: SendCursor | None = None) -> int:
    """Introduce every matched person and tell the others; returns how many emails were queued.

    A match cancelled before its introductions went out is not introduced, nor is anyone who
    has left the programme since the round was published; the others in their match are
    introduced to those still in it.

    Set-based: the next ``limit`` people owed an email (all of them without a limit, in
    transactions of :data:`SEND_BATCH`) are found by the database (:func:`_unsent`), their
    match partners read with two queries, and their links and emails written with one insert
    each, their delivery queued as one job (:func:`_send_batch`): the number of queries does
    not grow with ``limit``, nor the rows read with the round. Every email is keyed by kind,
    match (or round) and person, so a run cut short loses its batch whole and a second run
    sends only what is missing; the scheduler can call this on every running round at every
    tick. A caller sending a round in several calls (the publish job) passes the same
    ``cursor`` to each, so each call looks only past the places the previous ones sent.
    """
    if not round_.is_published:
        raise ProgrammeError("Publish the round before sending introductions.")
    round_ = Round.objects.select_related("programme__guide", "network").get(pk=round_.pk)
    cursor = cursor if cursor is not None else SendCursor()
    sent = 0
    skipped: set[int] = set()  # places whose match changed meanwhile: the next run sends them
    while limit is None or sent < limit:
        size = SEND_BATCH if limit is None else limit - sent
        with transaction.atomic():
            chunk = [
                p for p in _unsent(round_, size + len(skipped), cursor.after) if p.pk not in skipped
            ]
            chunk = chunk[:size]
            if not chunk:
                break
            kinds = {p.pk: "intro" if p.match_id else "unmatched" for p in chunk}
            written = _send_batch(chunk, kinds, _groups(_partners(chunk, round_)))
        unwritten: list[int] = []
        if written < len(chunk):
            keys = _existing(_key(kinds[p.pk], p) for p in chunk)
            unwritten = [p.pk for p in chunk if _key(kinds[p.pk], p) not in keys]
            skipped.update(unwritten)
        # Everything up to the chunk's end is sent but for those whose match changed, which
        # the next call (with a fresh read of their match) sends: the cursor stays before them.
        cursor.after = chunk[-1].pk
        if skipped:
            cursor.after = min(cursor.after, min(skipped) - 1)
        sent += written
    return sent


def _queue_followups(
    items: list[tuple[RoundPlace, str, list[RoundPlace], list[RoundPlace] | None, int | None]],
) -> int:
    """Queue one email per ``(place, kind, members, invited, sequence)`` not already in the
    outbox (see :func:`_email_for`) with a fixed number of queries: one finds the keys
    already queued, one inserts the personal links, and
    :func:`~bridgework.mail.services.email_queue_batch` writes the emails with one insert,
    their bodies filled in from stencils as the introductions' are. Call inside a
    transaction; returns how many were queued."""
    done = _existing(_key(kind, place, sequence) for place, kind, _, _, sequence in items)
    todo = [item for item in items if _key(item[1], item[0], item[4]) not in done]
    if not todo:
        return 0
    tokens = _links_for([item[0].enrolment_id for item in todo])
    calendars: dict[tuple, str] = {}
    views: dict[tuple[int, str], dict[str, str]] = {}
    invitations = Invitations()
    emails = [
        _email_for(
            place,
            kind,
            members,
            path=reverse("coffee:me", kwargs={"token": token.plain}),
            invited=invited,
            sequence=sequence,
            calendars=calendars,
            views=views,
            invitations=invitations,
        )
        for (place, kind, members, invited, sequence), token in zip(todo, tokens, strict=True)
    ]
    network = todo[0][0].round.network
    return len(email_queue_batch(network=network, emails=emails, stencil=True))


def round_follow_up(*, round_: Round, kind: str) -> int:
    """Reminders (``kind="reminder"``) or feedback requests (``"feedback"``) to matched people
    who have not given feedback yet and have not left, each naming those still in their
    match; idempotent like :func:`round_send`.

    Read and written a batch at a time like the introductions, so a national round is never
    held in memory whole: the next :data:`SEND_BATCH` matched places in id order, their
    partners (one query, :func:`_partners`), then one insert of links and one of emails in
    one transaction (:func:`_queue_followups`, which skips what is queued already)."""
    round_ = Round.objects.select_related("programme__guide", "network").get(pk=round_.pk)
    answered = set(
        Feedback.objects.filter(match__round=round_).values_list("enrolment_id", flat=True)
    )
    matched = (
        round_.places.filter(match__isnull=False, match__cancelled_at__isnull=True)
        .select_related("enrolment__person__organisation", "match")
        .order_by("pk")
    )
    sent, after = 0, 0
    while chunk := _with_round(list(matched.filter(pk__gt=after)[:SEND_BATCH]), round_):
        after = chunk[-1].pk
        groups = _groups(_partners(chunk, round_))
        owed = [
            (place, kind, groups[place.match_id], None, None)
            for place in attending(chunk)
            # Someone still to meet: a match left with one person is cancelled, never reminded.
            if place.enrolment_id not in answered and len(groups[place.match_id]) > 1
        ]
        if owed:
            with transaction.atomic():
                sent += _queue_followups(owed)
    return sent


def match_changes_send(
    *, match: Match, cancel_for: list[RoundPlace], update_for: list[RoundPlace]
) -> int:
    """Tell the people of a changed match, at its current ``calendar_sequence``: a
    cancellation (``METHOD:CANCEL``) to each of ``cancel_for``, an update (``METHOD:REQUEST``
    with those still attending) to each of ``update_for``. Returns how many were queued.

    Only people already sent their introduction are told: the others' introduction, not yet
    sent, will carry the match as it now is (or not come at all, for a cancelled match). Keys
    include the sequence, so a retry sends nothing twice and the next change sends again.
    All of them are written together, with one insert of links and one of emails.
    """
    sequence = match.calendar_sequence
    introduced = _existing(_key("intro", p) for p in [*cancel_for, *update_for])
    items: list[tuple[RoundPlace, str, list[RoundPlace], list[RoundPlace] | None, int | None]]
    items = [
        (place, "cancel", [*cancel_for, *update_for], cancel_for, sequence)
        for place in cancel_for
        if _key("intro", place) in introduced
    ]
    items += [
        (place, "update", update_for, None, sequence)
        for place in update_for
        if _key("intro", place) in introduced
    ]
    if not items:
        return 0
    with transaction.atomic():
        return _queue_followups(items)

"""Changing programmes: one function per state change. Views, the worker tick, the demo and
tests call these.

Sending is idempotent by construction: every email has an idempotency key naming its kind, its
match (or round) and its recipient, and a key already in the outbox is skipped before anything
is rendered. A worker killed half-way through a round's introductions simply sends the rest
when the job runs again; nobody is introduced twice and no match is lost, because matches are
stored when the round is drawn, not when emails go out.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import timezone

from bridgework.directory.models import Network, Organisation, Person
from bridgework.mail.models import OutboxMessage
from bridgework.mail.services import Attachment, email_queue
from bridgework.matching import Participant, PastMatch, pair
from bridgework.networks.models import NetworkWave, Nomination
from bridgework.programmes.guides import BUILTIN_GUIDES
from bridgework.programmes.ics import match_invitation
from bridgework.programmes.models import (
    Enrolment,
    EnrolmentToken,
    Feedback,
    Guide,
    Match,
    Programme,
    Round,
    RoundPlace,
    SignupRequest,
)
from bridgework.programmes.policy import programme_policy
from bridgework.tokens import issue_token, token_digest

#: Reminders go this many days before a round ends; feedback requests once it has ended, for
#: up to FEEDBACK_WINDOW afterwards (a worker that was down for a while still catches up).
REMINDER_DAYS_BEFORE_END = 2
FEEDBACK_WINDOW = timedelta(days=14)

PROFILE_FIELDS = ("works_on", "interests", "meeting_mode", "location", "time_zone")


class ProgrammeError(Exception):
    """An action that does not fit the programme's or round's state."""


def _save(instance: Model) -> Model:
    instance.full_clean()
    instance.save()
    return instance


# --- guides -------------------------------------------------------------------------------


def guides_ensure_builtin(*, network: Network) -> None:
    """Copy the built-in guides into ``network`` once (they may then be edited there)."""
    have = set(
        Guide.objects.filter(network=network)
        .exclude(builtin_key="")
        .values_list("builtin_key", flat=True)
    )
    for guide in BUILTIN_GUIDES:
        if (
            guide.key not in have
            and not Guide.objects.filter(network=network, title__iexact=guide.title).exists()
        ):
            Guide.objects.create(
                network=network,
                builtin_key=guide.key,
                title=guide.title,
                summary=guide.summary,
                body=guide.body,
            )


def guide_create(*, network: Network, title: str, summary: str = "", body: str) -> Guide:
    return _save(Guide(network=network, title=title, summary=summary, body=body))  # type: ignore[return-value]


def guide_update(*, guide: Guide, title: str, summary: str = "", body: str) -> Guide:
    guide.title, guide.summary, guide.body = title, summary, body
    return _save(guide)  # type: ignore[return-value]


# --- programmes -------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *, network: Network, name: str, organisations: Iterable[Organisation] = (), **fields: Any
) -> Programme:
    """A new programme; its guide defaults to the interdependence guide."""
    guides_ensure_builtin(network=network)
    if fields.get("guide") is None:
        fields["guide"] = Guide.objects.filter(
            network=network, builtin_key="interdependence"
        ).first()
    programme = Programme(
        network=network, name=name, signup_code=secrets.token_urlsafe(12), **fields
    )
    _check_programme(programme, list(organisations))
    _save(programme)
    programme.organisations.set(organisations)
    return programme


@transaction.atomic
def programme_update(
    *, programme: Programme, organisations: Iterable[Organisation] = (), **fields: Any
) -> Programme:
    for name, value in fields.items():
        setattr(programme, name, value)
    _check_programme(programme, list(organisations))
    _save(programme)
    programme.organisations.set(organisations)
    return programme


def _check_programme(programme: Programme, organisations: list[Organisation]) -> None:
    if any(o.network_id != programme.network_id for o in organisations):
        raise ValidationError({"organisations": "Choose organisations of this network."})
    if programme.audience == Programme.Audience.ORGANISATIONS and not organisations:
        raise ValidationError({"organisations": "Choose at least one organisation."})
    if programme.guide is not None and programme.guide.network_id != programme.network_id:
        raise ValidationError({"guide": "Choose a guide of this network."})
    try:
        ZoneInfo(programme.time_zone)
    except (KeyError, ValueError) as exc:
        raise ValidationError({"time_zone": "Enter a time zone such as Europe/London."}) from exc


# --- enrolment --------------------------------------------------------------------------


def _eligible(programme: Programme, person: Person | None) -> bool:
    if programme.audience == Programme.Audience.OPEN:
        return True
    if person is None or not person.active:
        return False
    if programme.audience == Programme.Audience.ORGANISATIONS:
        return programme.organisations.filter(pk=person.organisation_id).exists()
    return True


def enrolment_create(
    *, programme: Programme, person: Person, profile: Mapping[str, str] | None = None
) -> Enrolment:
    """Enrol a directory person (or return their enrolment, re-activated, with the profile)."""
    profile = {k: v for k, v in (profile or {}).items() if k in PROFILE_FIELDS}
    if person.network_id != programme.network_id:
        raise ValidationError("Choose a person of this network.")
    enrolment, created = Enrolment.objects.get_or_create(
        programme=programme,
        person=person,
        defaults={
            "network": programme.network,
            "location": person.location,
            "time_zone": person.time_zone,
            **profile,
        },
    )
    if not created:
        for key, value in profile.items():
            setattr(enrolment, key, value)
        enrolment.status, enrolment.paused_until = Enrolment.Status.ACTIVE, None
        enrolment.consented_at = timezone.now()
        _save(enrolment)
    return enrolment


def signup_request(
    *,
    programme: Programme,
    name: str,
    email: str,
    organisation_name: str,
    job_title: str = "",
    profile: Mapping[str, str] | None = None,
) -> SignupRequest | None:
    """Ask to join: email a confirmation link to the address. Nothing is added to the
    directory until it is confirmed. Returns ``None`` (and sends nothing) when the address may
    not join; the page says the same either way, so it does not reveal who is in the
    directory."""
    person = Person.objects.filter(network=programme.network, email__iexact=email).first()
    if not programme.active or not _eligible(programme, person):
        return None
    token = issue_token()
    request = SignupRequest.objects.create(
        network=programme.network,
        programme=programme,
        name=name.strip(),
        email=email.strip(),
        organisation_name=organisation_name.strip(),
        job_title=job_title.strip(),
        profile={k: v for k, v in (profile or {}).items() if k in PROFILE_FIELDS},
        digest=token.digest,
    )
    email_queue(
        network=programme.network,
        to=request.email,
        kind="programme-confirm",
        subject=f"Confirm you want to join {programme.name}",
        template="programmes/emails/confirm",
        context={
            "programme": programme,
            "name": request.name,
            "path": reverse("coffee:confirm", kwargs={"token": token.plain}),
        },
        idempotency_key=f"programme-confirm:{request.pk}",
    )
    return request


def signup_request_for(token: str) -> SignupRequest:
    return SignupRequest.objects.select_related("programme__network").get(
        digest=token_digest(token)
    )


@transaction.atomic
def signup_confirm(*, request: SignupRequest) -> Enrolment:
    """Confirm a sign-up: find the person by email, or add them (and their organisation) to
    the directory, then enrol them. Confirming twice gives the same enrolment."""
    network = request.network
    person = Person.objects.filter(network=network, email__iexact=request.email).first()
    if person is None:
        organisation = Organisation.objects.filter(
            network=network, name__iexact=request.organisation_name
        ).first() or _save(Organisation(network=network, name=request.organisation_name))
        person = _save(
            Person(
                network=network,
                name=request.name,
                email=request.email,
                organisation=organisation,
                job_title=request.job_title,
                location=request.profile.get("location", ""),
            )
        )
    enrolment = enrolment_create(
        programme=request.programme, person=person, profile=request.profile
    )
    if request.confirmed_at is None:
        request.confirmed_at = timezone.now()
        request.save(update_fields=["confirmed_at"])
    return enrolment


def enrolment_link(enrolment: Enrolment) -> str:
    """A fresh personal link (path) to the enrolment's own page."""
    token = issue_token()
    EnrolmentToken.objects.create(enrolment=enrolment, digest=token.digest)
    return reverse("coffee:me", kwargs={"token": token.plain})


def enrolment_for_token(token: str) -> Enrolment:
    return (
        EnrolmentToken.objects.select_related(
            "enrolment__programme__network", "enrolment__person__organisation"
        )
        .get(digest=token_digest(token))
        .enrolment
    )


def enrolment_pause(*, enrolment: Enrolment, until: date) -> Enrolment:
    if until <= timezone.localdate():
        raise ValidationError({"until": "Choose a date in the future."})
    enrolment.status, enrolment.paused_until = Enrolment.Status.PAUSED, until
    return _save(enrolment)  # type: ignore[return-value]


def enrolment_resume(*, enrolment: Enrolment) -> Enrolment:
    enrolment.status, enrolment.paused_until = Enrolment.Status.ACTIVE, None
    return _save(enrolment)  # type: ignore[return-value]


def enrolment_leave(*, enrolment: Enrolment) -> Enrolment:
    enrolment.status, enrolment.paused_until = Enrolment.Status.LEFT, None
    return _save(enrolment)  # type: ignore[return-value]


def enrolment_update_profile(*, enrolment: Enrolment, **profile: str) -> Enrolment:
    for key, value in profile.items():
        if key in PROFILE_FIELDS:
            setattr(enrolment, key, value)
    return _save(enrolment)  # type: ignore[return-value]


# --- rounds -----------------------------------------------------------------------------


def next_start(programme: Programme, today: date) -> date:
    """The first day on or after ``today`` that is the programme's weekday."""
    return today + timedelta(days=(programme.weekday - today.weekday()) % 7)


def round_is_due(programme: Programme, today: date) -> bool:
    """Due when the programme is active and no round is still running or waiting."""
    return programme.active and not programme.rounds.filter(ends_on__gt=today).exists()


def taking_part(programme: Programme, on: date):
    """Enrolments in a round starting ``on``: active, or paused until no later than ``on``."""
    return (
        programme.enrolments.filter(person__active=True)
        .filter(
            Q(status=Enrolment.Status.ACTIVE)
            | Q(status=Enrolment.Status.PAUSED, paused_until__lte=on)
        )
        .select_related("person__organisation", "person__team", "person__workgroup")
        .order_by("pk")
    )


def _participant(enrolment: Enrolment) -> Participant:
    person = enrolment.person
    mode = enrolment.meeting_mode
    location = enrolment.location or person.location
    if mode == "in_person" and not location:
        mode = "either"
    return Participant(
        id=str(enrolment.pk),
        organisation=person.organisation.name if person.organisation else "",
        team=person.team.name if person.team else "",
        workgroup=person.workgroup.name if person.workgroup else "",
        location=location,
        time_zone=enrolment.time_zone or person.time_zone,
        mode=mode,  # type: ignore[arg-type]
        interests=enrolment.interest_set(),
        priority=enrolment.priority,
    )


def _history(programme: Programme) -> list[PastMatch]:
    members: dict[int, list[tuple[int, date]]] = {}
    for match_id, enrolment_id, starts_on in RoundPlace.objects.filter(
        round__programme=programme, round__status=Round.Status.PUBLISHED, match__isnull=False
    ).values_list("match_id", "enrolment_id", "round__starts_on"):
        members.setdefault(match_id, []).append((enrolment_id, starts_on))
    past = []
    for group in members.values():
        for i, (a, when) in enumerate(group):
            for b, _ in group[i + 1 :]:
                past.append(PastMatch(str(a), str(b), when))
    return past


def weak_rc_ties(network: Network) -> list[tuple[str, str]]:
    """Workgroup pairs with weak RC in the network's latest closed RC wave (shown cells only)."""
    from bridgework.analysis.rc import analyze_rc
    from bridgework.surveys.models import Wave
    from bridgework.surveys.results import settings_for, wave_frame

    wave = Wave.objects.filter(network=network, closes_at__lte=timezone.now()).first()
    if wave is None:
        return []
    frame = wave_frame(wave)
    if frame.empty or frame["score"].notna().sum() == 0:
        return []
    analysis = analyze_rc(
        frame, instrument=wave.instrument(), settings=settings_for(wave, bootstrap=0)
    )
    return [(c.rater, c.target) for c in analysis.cells if c.band == "weak" and not c.suppressed]


def network_ties(
    network: Network, enrolments: Mapping[str, Enrolment]
) -> list[tuple[str, str, float]]:
    """Ties between enrolled people named in the network's latest closed network survey wave,
    as ``(enrolment id, enrolment id, strength)`` — the engine prefers people not yet tied."""
    wave = (
        NetworkWave.objects.filter(network=network, closes_at__lte=timezone.now())
        .order_by("-closes_at")
        .first()
    )
    if wave is None:
        return []
    by_person = {e.person_id: key for key, e in enrolments.items()}
    ties = []
    for ego, alter, weight in Nomination.objects.filter(
        wave=wave, ego_id__in=by_person, alter_id__in=by_person
    ).values_list("ego_id", "alter_id", "weight"):
        if ego != alter:
            ties.append((by_person[ego], by_person[alter], max(float(weight), 0.0) or 1.0))
    return ties


def _slot(programme: Programme, starts_on: date, index: int) -> datetime:
    """A suggested meeting time: the programme's time on one of the round's first weekdays."""
    day = starts_on + timedelta(days=index % 3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    local = datetime.combine(day, programme.meeting_time or time(10), ZoneInfo(programme.time_zone))
    return local.astimezone(ZoneInfo("UTC"))


@transaction.atomic
def round_create(
    *, programme: Programme, starts_on: date | None = None, seed: int | None = None
) -> Round:
    """Create the next round (a draft) and draw its matches."""
    starts_on = starts_on or next_start(programme, timezone.localdate())
    number = (
        programme.rounds.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    round_ = _save(
        Round(
            network=programme.network,
            programme=programme,
            number=number,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=programme.period_days),
            seed=secrets.randbits(31) if seed is None else seed,
        )
    )
    return round_draw(round_=round_)  # type: ignore[arg-type]


@transaction.atomic
def round_draw(*, round_: Round, seed: int | None = None) -> Round:
    """(Re)draw a draft round's matches with its stored seed (or a new one, if given).

    The same seed and the same people give the same matches: the engine is deterministic.
    """
    round_ = Round.objects.select_for_update().select_related("programme").get(pk=round_.pk)
    if round_.is_published:
        raise ProgrammeError("This round has been published; its matches are final.")
    if seed is not None:
        round_.seed = seed
    programme = round_.programme
    enrolments = {str(e.pk): e for e in taking_part(programme, round_.starts_on)}
    round_.matches.all().delete()
    round_.places.all().delete()
    result = pair(
        [_participant(e) for e in enrolments.values()],
        history=_history(programme),
        weak_ties=weak_rc_ties(programme.network) if programme.bridge_weak_rc else None,
        ties=network_ties(programme.network, enrolments) if programme.avoid_network_ties else None,
        policy=programme_policy(programme),
        round_date=round_.starts_on,
        seed=round_.seed,
    )
    places = []
    for index, found in enumerate(result.matches):
        match = Match.objects.create(
            network=round_.network,
            round=round_,
            score=found.score,
            reasons=list(found.reasons),
            suggested_at=_slot(programme, round_.starts_on, index),
        )
        places += [
            RoundPlace(round=round_, enrolment=enrolments[m], match=match, outcome="matched")
            for m in found.members
        ]
    reasons = dict(zip(result.sit_out, result.sit_out_reasons, strict=False))
    places += [
        RoundPlace(
            round=round_, enrolment=enrolments[m], outcome="sit_out", reason=reasons.get(m, "")
        )
        for m in result.sit_out
    ]
    places += [
        RoundPlace(
            round=round_,
            enrolment=enrolments[m],
            outcome="holdout",
            reason="Held out at random for the evaluation.",
        )
        for m in result.holdout
    ]
    RoundPlace.objects.bulk_create(places)
    stats = result.to_dict()["stats"]
    round_.stats, round_.solver = stats, result.solver
    round_.save(update_fields=["seed", "stats", "solver"])
    return round_


@transaction.atomic
def round_publish(*, round_: Round) -> Round:
    """Make the round's matches final and queue the introductions (sent by the worker).

    Sit-outs get priority next round; everyone matched loses it. Publishing twice is harmless.
    """
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.is_published:
        return round_
    round_.status, round_.published_at = Round.Status.PUBLISHED, timezone.now()
    round_.save(update_fields=["status", "published_at"])
    Enrolment.objects.filter(places__round=round_, places__outcome="sit_out").update(priority=True)
    Enrolment.objects.filter(places__round=round_, places__outcome="matched").update(priority=False)
    round_id = round_.pk
    transaction.on_commit(lambda: _enqueue_send(round_id))
    return round_


def _enqueue_send(round_id: int) -> None:
    from bridgework.programmes.tasks import send_round

    send_round.enqueue(round_id)


def _already(key: str) -> bool:
    return OutboxMessage.objects.filter(idempotency_key=key).exists()


def _member_view(place: RoundPlace) -> dict[str, str]:
    enrolment, person = place.enrolment, place.enrolment.person
    return {
        "name": person.name,
        "email": person.email,
        "organisation": person.organisation.name if person.organisation else "",
        "job_title": person.job_title,
        "works_on": enrolment.works_on,
        "interests": enrolment.interests,
        "meeting_mode": enrolment.get_meeting_mode_display(),
    }


def _send_place(place: RoundPlace, kind: str, members: list[RoundPlace]) -> bool:
    round_ = place.round
    programme = round_.programme
    enrolment = place.enrolment
    match = place.match
    key = f"programme-{kind}:{match.pk if match else f'r{round_.pk}'}:{enrolment.pk}"
    if _already(key):
        return False
    others = [_member_view(p) for p in members if p.enrolment_id != enrolment.pk]
    subjects = {
        "intro": f"{programme.name}: meet {' and '.join(o['name'] for o in others)}",
        "unmatched": f"{programme.name}: no match for you this round",
        "reminder": f"{programme.name}: a reminder to meet before {round_.ends_on:%-d %B}",
        "feedback": f"{programme.name}: did you meet? (one minute)",
    }
    attachments = []
    if kind == "intro":
        everyone = [_member_view(p) for p in members]
        attachments = [
            Attachment(
                filename="invite.ics",
                mimetype="text/calendar",
                content=match_invitation(match=match, programme=programme, members=everyone),
            )
        ]
    guide = programme.guide
    email_queue(
        network=programme.network,
        to=enrolment.person.email,
        kind=f"programme-{kind}",
        subject=subjects[kind],
        template=f"programmes/emails/{kind}",
        context={
            "programme": programme,
            "round": round_,
            "match": match,
            "person": enrolment.person,
            "others": others,
            "guide": guide,
            "prompts": guide.prompts() if guide else [],
            "path": enrolment_link(enrolment),
            "suggested": timezone.localtime(
                match.suggested_at, ZoneInfo(enrolment.time_zone or programme.time_zone)
            )
            if match
            else None,
        },
        attachments=attachments,
        idempotency_key=key,
    )
    return True


def _places(round_: Round):
    return list(
        round_.places.select_related(
            "enrolment__person__organisation", "round__programme__guide", "round__network", "match"
        ).order_by("pk")
    )


def round_send(*, round_: Round, limit: int | None = None) -> int:
    """Introduce every matched person and tell the others; returns how many emails were queued.

    Each email is its own transaction, keyed by kind, match (or round) and person, so a run
    cut short (``limit`` simulates a worker killed mid-round) loses nothing and a second run
    sends only what is missing.
    """
    if not round_.is_published:
        raise ProgrammeError("Publish the round before sending introductions.")
    places = _places(round_)
    groups: dict[int, list[RoundPlace]] = {}
    for place in places:
        if place.match_id:
            groups.setdefault(place.match_id, []).append(place)
    sent = 0
    for place in places:
        if limit is not None and sent >= limit:
            break
        kind = "intro" if place.match_id else "unmatched"
        with transaction.atomic():
            sent += _send_place(place, kind, groups.get(place.match_id, []))
    return sent


def round_follow_up(*, round_: Round, kind: str) -> int:
    """Reminders (``kind="reminder"``) or feedback requests (``"feedback"``) to matched people
    who have not given feedback yet; idempotent like :func:`round_send`."""
    answered = set(
        Feedback.objects.filter(match__round=round_).values_list("enrolment_id", flat=True)
    )
    places = [p for p in _places(round_) if p.match_id]
    groups: dict[int, list[RoundPlace]] = {}
    for place in places:
        groups.setdefault(place.match_id, []).append(place)
    sent = 0
    for place in places:
        if place.enrolment_id in answered or place.enrolment.status == Enrolment.Status.LEFT:
            continue
        with transaction.atomic():
            sent += _send_place(place, kind, groups[place.match_id])
    return sent


def feedback_save(
    *,
    enrolment: Enrolment,
    match: Match,
    met: bool,
    usefulness: int | None,
    will_work_together: bool,
    reflection: str = "",
) -> Feedback:
    """Store (or replace) one person's feedback on their match."""
    if not match.places.filter(enrolment=enrolment).exists():
        raise ValidationError("This is not your match.")
    if usefulness is not None and usefulness not in range(1, 6):
        raise ValidationError({"usefulness": "Choose 1 to 5."})
    feedback, _ = Feedback.objects.update_or_create(
        match=match,
        enrolment=enrolment,
        defaults={
            "met": met,
            "usefulness": usefulness if met else None,
            "will_work_together": will_work_together,
            "reflection": reflection.strip(),
        },
    )
    return feedback


def programmes_tick(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduler's work: create due rounds, auto-publish, remind and ask for feedback.

    Safe to run as often as wanted and from several workers: rounds are created under a row
    lock on the programme, and every email is keyed.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"created": 0, "published": 0, "reminders": 0, "feedback": 0}
    for programme in Programme.objects.filter(active=True).order_by("pk"):
        with transaction.atomic():
            locked = Programme.objects.select_for_update().get(pk=programme.pk)
            if round_is_due(locked, today):
                round_create(programme=locked, starts_on=next_start(locked, today))
                counts["created"] += 1
        if programme.auto_publish:
            for round_ in programme.rounds.filter(status=Round.Status.DRAFT, starts_on__lte=today):
                round_publish(round_=round_)
                counts["published"] += 1
    published = Round.objects.filter(status=Round.Status.PUBLISHED, programme__active=True)
    for round_ in published.filter(
        ends_on__gt=today, ends_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE_END)
    ):
        counts["reminders"] += round_follow_up(round_=round_, kind="reminder")
    for round_ in published.filter(ends_on__lte=today, ends_on__gte=today - FEEDBACK_WINDOW):
        counts["feedback"] += round_follow_up(round_=round_, kind="feedback")
    return counts


def enrol_audience(*, programme: Programme) -> int:
    """Enrol every active person of the programme's audience who is not enrolled yet (people
    who left stay out). For open programmes this enrols the whole directory."""
    people = Person.objects.filter(network=programme.network, active=True).exclude(email="")
    if programme.audience == Programme.Audience.ORGANISATIONS:
        people = people.filter(organisation__in=programme.organisations.all())
    people = list(people.exclude(pk__in=programme.enrolments.values("person_id")))
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                network=programme.network,
                programme=programme,
                person=p,
                location=p.location,
                time_zone=p.time_zone,
            )
            for p in people
        ]
    )
    return len(people)

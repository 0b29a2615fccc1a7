"""Changing programmes: one function per state change. Views, the worker tick, the demo and
tests call these.

Emails to participants are composed and sent by :mod:`bridgework.programmes.mailing`, which
makes every send idempotent; this module decides *when* (publishing a round, the scheduler's
tick). A round is written in one transaction when it is drawn, so a worker killed while
drawing leaves no half round, and one killed while sending loses no match.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import timezone

from bridgework.directory.models import Network, Organisation, Person
from bridgework.mail.services import email_queue
from bridgework.matching import pair
from bridgework.programmes.exceptions import ProgrammeError
from bridgework.programmes.guides import BUILTIN_GUIDES
from bridgework.programmes.mailing import round_follow_up, round_send
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
from bridgework.programmes.roster import (
    history_for,
    network_ties,
    participant_for,
    suggested_slot,
    taking_part,
    weak_rc_ties,
)
from bridgework.tokens import issue_token, token_digest

#: Reminders go this many days before a round ends; feedback requests once it has ended, for
#: up to FEEDBACK_WINDOW afterwards (a worker that was down for a while still catches up).
REMINDER_DAYS_BEFORE_END = 2
FEEDBACK_WINDOW = timedelta(days=14)
#: A sign-up confirmation link works for this long (a forwarded or old email stops working).
CONFIRM_WITHIN = timedelta(days=7)
#: At most one confirmation email per programme and address in this time, so the public
#: sign-up form cannot be used to flood someone's inbox.
CONFIRM_EMAIL_EVERY = timedelta(hours=24)
#: Once a programme is stopped, personal links keep working this long after its last round
#: ends (feedback is asked for up to FEEDBACK_WINDOW after it); then they stop working.
LINKS_WORK_AFTER_END = timedelta(days=30)

PROFILE_FIELDS = ("works_on", "interests", "meeting_mode", "location", "time_zone")


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
    directory.

    The form is public, so an address gets at most one confirmation per programme every
    :data:`CONFIRM_EMAIL_EVERY`: asking again returns the earlier request and sends nothing.
    The email greets no one by name: the name is whatever the form was given.
    """
    email = email.strip()
    with transaction.atomic():
        # Serialises sign-ups to this programme, so a double post cannot send two emails.
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        person = Person.objects.filter(network=programme.network, email__iexact=email).first()
        if not programme.active or not _eligible(programme, person):
            return None
        recent = (
            SignupRequest.objects.filter(
                programme=programme,
                email__iexact=email,
                created_at__gte=timezone.now() - CONFIRM_EMAIL_EVERY,
            )
            .order_by("-created_at")
            .first()
        )
        if recent is not None:
            return recent
        return _signup_request_create(
            programme=programme,
            name=name,
            email=email,
            organisation_name=organisation_name,
            job_title=job_title,
            profile=profile,
        )


def _signup_request_create(
    *,
    programme: Programme,
    name: str,
    email: str,
    organisation_name: str,
    job_title: str,
    profile: Mapping[str, str] | None,
) -> SignupRequest:
    token = issue_token()
    request = SignupRequest.objects.create(
        network=programme.network,
        programme=programme,
        name=name.strip(),
        email=email,
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
            "path": reverse("coffee:confirm", kwargs={"token": token.plain}),
        },
        idempotency_key=f"programme-confirm:{request.pk}",
    )
    return request


def signup_request_for(token: str) -> SignupRequest:
    """The sign-up waiting behind a confirmation link, if the link is still good: issued less
    than :data:`CONFIRM_WITHIN` ago, for a programme that is still running. Raises
    ``SignupRequest.DoesNotExist`` otherwise, so an expired link looks like a wrong one."""
    return SignupRequest.objects.select_related("programme__network").get(
        digest=token_digest(token),
        created_at__gte=timezone.now() - CONFIRM_WITHIN,
        programme__active=True,
    )


@transaction.atomic
def signup_confirm(*, request: SignupRequest) -> Enrolment:
    """Confirm a sign-up: find the person by email, or add them (and their organisation) to
    the directory, then enrol them.

    Confirming twice (a double click, two tabs) gives the same enrolment and changes nothing:
    the request's row is locked, so the second waits for the first and then finds it
    confirmed. Who may join is checked again here, not only when the link was sent: a
    programme narrowed to some organisations in the meantime does not let an earlier request
    through. Raises :class:`ProgrammeError` when it cannot be confirmed.
    """
    request = (
        SignupRequest.objects.select_for_update(of=("self",))
        .select_related("network", "programme")
        .get(pk=request.pk)
    )
    network, programme = request.network, request.programme
    person = _person_by_email(network, request.email)
    if request.confirmed_at is not None and person is not None:
        enrolment = Enrolment.objects.filter(programme=programme, person=person).first()
        if enrolment is not None:
            return enrolment
    if not programme.active or not _eligible(programme, person):
        raise ProgrammeError(f"{programme.name} is not open to this address.")
    if person is None:
        person = _person_add(request)
    enrolment = enrolment_create(programme=programme, person=person, profile=request.profile)
    if request.confirmed_at is None:
        request.confirmed_at = timezone.now()
        request.save(update_fields=["confirmed_at"])
    return enrolment


def _person_by_email(network: Network, email: str) -> Person | None:
    return (
        Person.objects.select_related("organisation")
        .filter(network=network, email__iexact=email)
        .first()
    )


def _person_add(request: SignupRequest) -> Person:
    """Add the person behind a sign-up to the directory. Someone with the address may have
    been added meanwhile (another programme's confirmation, committed first): use them."""
    network = request.network
    organisation = _organisation_named(network, request.organisation_name)
    try:
        with transaction.atomic():
            return _save(  # type: ignore[return-value]
                Person(
                    network=network,
                    name=request.name,
                    email=request.email,
                    organisation=organisation,
                    job_title=request.job_title,
                    location=request.profile.get("location", ""),
                    time_zone=request.profile.get("time_zone", ""),
                )
            )
    except (IntegrityError, ValidationError) as exc:
        person = _person_by_email(network, request.email)
        if person is None:
            raise ProgrammeError("This sign-up could not be added to the directory.") from exc
        return person


def _organisation_named(network: Network, name: str) -> Organisation:
    """The organisation called ``name`` (any case), added if new; two sign-ups adding the same
    one at once both end up with the one that was stored first."""
    found = Organisation.objects.filter(network=network, name__iexact=name).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return _save(Organisation(network=network, name=name))  # type: ignore[return-value]
    except (IntegrityError, ValidationError) as exc:
        found = Organisation.objects.filter(network=network, name__iexact=name).first()
        if found is None:
            raise ProgrammeError("This sign-up's organisation could not be added.") from exc
        return found


def enrolment_for_token(token: str) -> Enrolment:
    """The enrolment behind a personal link, if the link still works: while the programme
    runs, and once it is stopped until :data:`LINKS_WORK_AFTER_END` after its last published
    round ends. Raises ``EnrolmentToken.DoesNotExist`` otherwise, so an expired link looks
    like a wrong one."""
    enrolment = (
        EnrolmentToken.objects.select_related(
            "enrolment__programme__network",
            "enrolment__programme__guide",
            "enrolment__person__organisation",
        )
        .get(digest=token_digest(token))
        .enrolment
    )
    programme = enrolment.programme
    if not programme.active:
        last = (
            programme.rounds.filter(status=Round.Status.PUBLISHED)
            .order_by("-ends_on")
            .values_list("ends_on", flat=True)
            .first()
        )
        if last is None or programme_today(programme) > last + LINKS_WORK_AFTER_END:
            raise EnrolmentToken.DoesNotExist("The programme has ended.")
    return enrolment


def enrolment_pause(*, enrolment: Enrolment, until: date) -> Enrolment:
    """Pause until ``until`` (the scheduler resumes them that day). Someone who left rejoins
    first: a pause must not quietly bring them back later."""
    if enrolment.status == Enrolment.Status.LEFT:
        raise ValidationError({"until": "You have left the programme: rejoin it first."})
    if until <= programme_today(enrolment.programme):
        raise ValidationError({"until": "Choose a date in the future."})
    enrolment.status, enrolment.paused_until = Enrolment.Status.PAUSED, until
    return _save(enrolment)  # type: ignore[return-value]


def enrolments_resume_due(*, programme: Programme, today: date) -> int:
    """Resume everyone whose pause has ended, so counts and their own page say so."""
    return programme.enrolments.filter(
        status=Enrolment.Status.PAUSED, paused_until__lte=today
    ).update(status=Enrolment.Status.ACTIVE, paused_until=None)


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


def programme_today(programme: Programme, now: datetime | None = None) -> date:
    """Today's date where the programme runs (its time zone), which decides when rounds start,
    end, and when reminders go."""
    now = now or timezone.now()
    try:
        zone = ZoneInfo(programme.time_zone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def next_start(programme: Programme, today: date) -> date:
    """The first day on or after ``today`` that is the programme's weekday."""
    return today + timedelta(days=(programme.weekday - today.weekday()) % 7)


def round_is_due(programme: Programme, today: date) -> bool:
    """Due when the programme is active and no round is still running or waiting: a draft
    waits for its coordinator to publish it (or for the tick, with auto-publish)."""
    return (
        programme.active
        and not programme.rounds.filter(
            Q(ends_on__gt=today) | Q(status=Round.Status.DRAFT)
        ).exists()
    )


@transaction.atomic
def round_create(
    *, programme: Programme, starts_on: date | None = None, seed: int | None = None
) -> Round:
    """Create the next round (a draft) and draw its matches.

    Rounds never overlap: the next one starts on the programme's weekday once the latest has
    ended (or today, if later), and there is at most one draft to check at a time.
    """
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    latest = programme.rounds.order_by("-number").first()
    if latest is not None and not latest.is_published:
        raise ProgrammeError(
            f"Round {latest.number} is still a draft: publish it or draw it again first."
        )
    today = programme_today(programme)
    if starts_on is None:
        starts_on = next_start(programme, max(today, latest.ends_on if latest else today))
    elif latest is not None and starts_on < latest.ends_on:
        raise ProgrammeError(
            f"A round cannot start before round {latest.number} ends ({latest.ends_on:%-d %B %Y})."
        )
    round_ = _save(
        Round(
            network=programme.network,
            programme=programme,
            number=(latest.number if latest else 0) + 1,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=programme.period_days),
            seed=secrets.randbits(31) if seed is None else seed,
        )
    )
    return round_draw(round_=round_)  # type: ignore[arg-type]


@transaction.atomic
def round_draw(*, round_: Round, seed: int | None = None, redate: bool = False) -> Round:
    """(Re)draw a draft round's matches with its stored seed (or a new one, if given).

    The same seed and the same people give the same matches: the engine is deterministic.
    With ``redate``, a draft whose start has passed moves to the programme's next start, so a
    forgotten draft can still be published with sensible dates.
    """
    round_ = Round.objects.select_for_update().select_related("programme").get(pk=round_.pk)
    if round_.is_published:
        raise ProgrammeError("This round has been published; its matches are final.")
    if seed is not None:
        round_.seed = seed
    programme = round_.programme
    if redate:
        today = programme_today(programme)
        if round_.starts_on < today:
            round_.starts_on = next_start(programme, today)
            round_.ends_on = round_.starts_on + timedelta(days=programme.period_days)
    enrolments = {str(e.pk): e for e in taking_part(programme, round_.starts_on)}
    # Past rounds (the demo's) keep their own dates; a current one suggests times to come.
    now = timezone.now() if round_.ends_on > programme_today(programme) else None
    round_.matches.all().delete()
    round_.places.all().delete()
    result = pair(
        [participant_for(e) for e in enrolments.values()],
        history=history_for(programme),
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
            suggested_at=suggested_slot(programme, round_.starts_on, index, not_before=now),
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
    round_.save(update_fields=["seed", "starts_on", "ends_on", "stats", "solver"])
    return round_


def round_changed_since_draw(round_: Round) -> int:
    """How many people in a draft are no longer taking part (left, paused, or no longer in the
    directory) — publishing draws the round again without them."""
    still = taking_part(round_.programme, round_.starts_on).values("pk")
    return round_.places.exclude(enrolment__in=still).count()


@transaction.atomic
def round_publish(*, round_: Round) -> Round:
    """Make the round's matches final and queue the introductions (sent by the worker).

    People who left or paused since the draft was drawn are not introduced: the round is drawn
    again first, with the same seed; suggested times that have passed since the draw move on.
    A draft whose dates have passed is refused (draw it again to move it). Sit-outs get
    priority next round; everyone matched loses it. Publishing twice is harmless.
    """
    round_ = Round.objects.select_for_update().select_related("programme").get(pk=round_.pk)
    if round_.is_published:
        return round_
    if round_.ends_on <= programme_today(round_.programme):
        raise ProgrammeError(
            f"Round {round_.number} was due to end on {round_.ends_on:%-d %B %Y}: draw it "
            "again to move it to the next start, then publish."
        )
    if round_changed_since_draw(round_):
        round_ = round_draw(round_=round_)
    now = timezone.now()
    for index, match in enumerate(round_.matches.order_by("pk")):
        if match.suggested_at <= now:  # drawn a while ago: suggest a time still to come
            match.suggested_at = suggested_slot(
                round_.programme, round_.starts_on, index, not_before=now
            )
            match.save(update_fields=["suggested_at"])
    round_.status, round_.published_at = Round.Status.PUBLISHED, now
    round_.save(update_fields=["status", "published_at"])
    Enrolment.objects.filter(places__round=round_, places__outcome="sit_out").update(priority=True)
    Enrolment.objects.filter(places__round=round_, places__outcome="matched").update(priority=False)
    round_id = round_.pk
    transaction.on_commit(lambda: _enqueue_send(round_id))
    return round_


def _enqueue_send(round_id: int) -> None:
    from bridgework.programmes.tasks import send_round

    send_round.enqueue(round_id)


def feedback_save(
    *,
    enrolment: Enrolment,
    match: Match,
    met: bool,
    usefulness: int | None,
    will_work_together: bool,
    reflection: str = "",
) -> Feedback:
    """Store (or replace) one person's feedback on their match (of a published round: a
    draft's matches may still change)."""
    if not match.round.is_published or not match.places.filter(enrolment=enrolment).exists():
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
    """The scheduler's work, for each active programme on its own calendar (its time zone):
    resume ended pauses, create the round that is due, auto-publish, send whatever a published
    round still owes (a worker killed between publishing and sending, or mid-send, is caught up
    here), remind before the end and ask for feedback after it.

    Safe to run as often as wanted and from several workers: rounds are created under a row
    lock on the programme, and every email is keyed.
    """
    counts = dict.fromkeys(("resumed", "created", "published", "sent", "reminders", "feedback"), 0)
    for programme in Programme.objects.filter(active=True).order_by("pk"):
        today = programme_today(programme, now)
        counts["resumed"] += enrolments_resume_due(programme=programme, today=today)
        with transaction.atomic():
            locked = Programme.objects.select_for_update().get(pk=programme.pk)
            if round_is_due(locked, today):
                round_create(programme=locked, starts_on=next_start(locked, today))
                counts["created"] += 1
        if programme.auto_publish:
            for round_ in programme.rounds.filter(status=Round.Status.DRAFT, starts_on__lte=today):
                if round_.ends_on <= today:  # the worker was down for a whole round
                    round_ = round_draw(round_=round_, redate=True)
                    if round_.starts_on > today:
                        continue
                round_publish(round_=round_)
                counts["published"] += 1
        published = programme.rounds.filter(status=Round.Status.PUBLISHED)
        for round_ in published.filter(ends_on__gt=today):
            counts["sent"] += round_send(round_=round_)
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


# Erasure: deletes only this app's records; bridgework.governance decides when.


def person_data_erase(*, person: Person, dry_run: bool = False) -> dict[str, int]:
    """Delete every coffee-programme record about ``person``: enrolments, their links, their
    places in rounds, the feedback they gave, and sign-up requests from their address.

    Matches themselves stay: a trio's two other members keep their match, and a pair's other
    member keeps the match and their own place and feedback (their history), only the erased
    person's place is gone. Returns the counts by kind (what would be deleted with
    ``dry_run``).
    """
    network_id = person.network_id
    enrolments = Enrolment.objects.filter(network_id=network_id, person=person)
    signups = SignupRequest.objects.filter(network_id=network_id, email__iexact=person.email)
    counts = {
        "coffee enrolments": enrolments.count(),
        "coffee links": EnrolmentToken.objects.filter(enrolment__in=enrolments).count(),
        "coffee round places": RoundPlace.objects.filter(enrolment__in=enrolments).count(),
        "coffee feedback they gave": Feedback.objects.filter(enrolment__in=enrolments).count(),
        "coffee sign-up requests": signups.count(),
    }
    if not dry_run:
        Feedback.objects.filter(enrolment__in=enrolments).delete()
        RoundPlace.objects.filter(enrolment__in=enrolments).delete()
        enrolments.delete()
        signups.delete()
    return counts

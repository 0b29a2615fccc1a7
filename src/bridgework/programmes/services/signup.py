"""Sign-up and enrolment: asking to join by email, confirming, and each person's own choices
(pause, resume, leave, profile)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from bridgework.directory.models import Network, Organisation, Person, language_codes
from bridgework.mail.services import email_queue
from bridgework.programmes.dates import programme_today
from bridgework.programmes.exceptions import ProgrammeError
from bridgework.programmes.models import Enrolment, Programme, SignupRequest
from bridgework.programmes.selectors import PROFILE_FIELDS
from bridgework.programmes.services._common import _save
from bridgework.programmes.services.matches import matches_withdraw
from bridgework.tokens import issue_token

__all__ = [
    "CONFIRM_EMAIL_EVERY",
    "enrolment_create",
    "enrolment_leave",
    "enrolment_pause",
    "enrolment_resume",
    "enrolment_update_profile",
    "enrolments_resume_due",
    "signup_confirm",
    "signup_request",
]

#: At most one confirmation email per programme and address in this time, so the public
#: sign-up form cannot be used to flood someone's inbox.
CONFIRM_EMAIL_EVERY = timedelta(hours=24)


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
        # Nobody's record yet: the language the sign-up page was shown in.
        subject=gettext("Confirm you want to join %(programme)s") % {"programme": programme.name},
        template="programmes/emails/confirm",
        context={
            "programme": programme,
            "path": reverse("coffee:confirm", kwargs={"token": token.plain}),
        },
        idempotency_key=f"programme-confirm:{request.pk}",
        language=translation.get_language(),
    )
    return request


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
            return _save(
                Person(
                    network=network,
                    name=request.name,
                    email=request.email,
                    organisation=organisation,
                    job_title=request.job_title,
                    location=request.profile.get("location", ""),
                    time_zone=request.profile.get("time_zone", ""),
                    language=_signup_language(network),
                )
            )
    except (IntegrityError, ValidationError) as exc:
        person = _person_by_email(network, request.email)
        if person is None:
            raise ProgrammeError("This sign-up could not be added to the directory.") from exc
        return person


def _signup_language(network: Network) -> str:
    """The language the confirmation page is shown in, kept on the new directory record when
    it is not already the network's default (blank then, so it follows the network)."""
    language = translation.get_language() or ""
    if language == network.default_language or language not in language_codes():
        return ""
    return language


def _organisation_named(network: Network, name: str) -> Organisation:
    """The organisation called ``name`` (any case), added if new; two sign-ups adding the same
    one at once both end up with the one that was stored first."""
    found = Organisation.objects.filter(network=network, name__iexact=name).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return _save(Organisation(network=network, name=name))
    except (IntegrityError, ValidationError) as exc:
        found = Organisation.objects.filter(network=network, name__iexact=name).first()
        if found is None:
            raise ProgrammeError("This sign-up's organisation could not be added.") from exc
        return found


def enrolment_pause(*, enrolment: Enrolment, until: date) -> Enrolment:
    """Pause until ``until`` (the scheduler resumes them that day). Someone who left rejoins
    first: a pause must not quietly bring them back later."""
    if enrolment.status == Enrolment.Status.LEFT:
        raise ValidationError({"until": "You have left the programme: rejoin it first."})
    if until <= programme_today(enrolment.programme):
        raise ValidationError({"until": "Choose a date in the future."})
    enrolment.status, enrolment.paused_until = Enrolment.Status.PAUSED, until
    return _save(enrolment)


def enrolments_resume_due(*, programme: Programme, today: date) -> int:
    """Resume everyone whose pause has ended, so counts and their own page say so."""
    return programme.enrolments.filter(
        status=Enrolment.Status.PAUSED, paused_until__lte=today
    ).update(status=Enrolment.Status.ACTIVE, paused_until=None)


def enrolment_resume(*, enrolment: Enrolment) -> Enrolment:
    enrolment.status, enrolment.paused_until = Enrolment.Status.ACTIVE, None
    return _save(enrolment)


@transaction.atomic
def enrolment_leave(*, enrolment: Enrolment) -> Enrolment:
    """Leave the programme. A match of a round still running is cancelled (a trio goes on as
    a pair), and the calendars of those already introduced are told. A pause, by contrast,
    keeps the match already made: it only keeps the person out of the next draws."""
    enrolment.status, enrolment.paused_until = Enrolment.Status.LEFT, None
    enrolment = _save(enrolment)
    matches_withdraw(enrolment=enrolment)
    return enrolment


def enrolment_update_profile(
    *,
    enrolment: Enrolment,
    works_on: str,
    interests: str,
    meeting_mode: str,
    location: str,
    time_zone: str,
) -> Enrolment:
    """Replace what the person says about themselves (the fields of ``PROFILE_FIELDS``)."""
    enrolment.works_on, enrolment.interests = works_on, interests
    enrolment.meeting_mode, enrolment.location, enrolment.time_zone = (
        meeting_mode,
        location,
        time_zone,
    )
    return _save(enrolment)

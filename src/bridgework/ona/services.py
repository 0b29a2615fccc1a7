"""Changing network mapping: one function per state change (views, the demo and tests call them).

Links come from :mod:`bridgework.tokens` (digests only) and emails go through the outbox with
an idempotency key through the shared wave layer (:mod:`bridgework.waves`), exactly as for RC
waves; a closed wave refuses answers (and changes to its set-up) with its
:class:`~bridgework.waves.services.WaveClosedError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from bridgework.analysis.roles_assessment import ITEMS
from bridgework.directory.models import Network, Organisation, Person, language_for
from bridgework.mail.services import BatchEmail, email_queue_batch, lazy_text
from bridgework.ona import selectors
from bridgework.ona.models import (
    OUTSIDE_CONTACTS_MAX,
    NetworkInvitation,
    NetworkInvitationToken,
    NetworkWave,
    Nomination,
    NominationImport,
    OutsideContact,
    Relation,
    RolesInvitation,
)
from bridgework.tokens import issue_token
from bridgework.waves import services as waves
from bridgework.waves.selectors import eligible_people
from bridgework.waves.services import WaveClosedError, WaveKind, wave_check_open

__all__ = [
    "NETWORK_WAVES",
    "colleague_remove",
    "colleague_save",
    "invitation_complete",
    "network_invitations_create",
    "network_reminders_send",
    "network_reminders_send_due",
    "network_wave_close",
    "network_wave_create",
    "network_wave_update",
    "nominations_import",
    "nominations_import_check",
    "outside_contact_names",
    "outside_contacts_save",
    "roles_answers_save",
    "roles_invitations_create",
    "roles_invitations_create_batch",
    "roles_invitations_remaining",
]

#: The three 1–5 questions asked about every chosen colleague.
RATED_RELATIONS = (Relation.WORKS_WITH, Relation.TRUST, Relation.ENERGY)


def _check_organisations(network_id: int, organisations: list[Organisation]) -> None:
    if any(o.network_id != network_id for o in organisations):
        raise ValidationError({"organisations": "Choose organisations of this network."})


@transaction.atomic
def network_wave_create(
    *,
    network: Network,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    organisations: Iterable[Organisation] = (),
    min_group_size: int | None = None,
    reminder_every_days: int = 0,
) -> NetworkWave:
    """A new network wave; respondents are the active people of the chosen organisations
    (everyone in the directory when none is chosen). The minimum group size defaults to the
    network's."""
    organisations = list(organisations)
    _check_organisations(network.pk, organisations)
    wave = NetworkWave(
        network=network,
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
        reminder_every_days=reminder_every_days,
        min_group_size=network.min_group_size if min_group_size is None else min_group_size,
    )
    wave.full_clean()
    wave.save()
    wave.organisations.set(organisations)
    return wave


@transaction.atomic
def network_wave_update(
    *,
    wave: NetworkWave,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    organisations: Iterable[Organisation] = (),
    min_group_size: int,
    reminder_every_days: int = 0,
) -> NetworkWave:
    """Change a wave's name, dates, respondents and settings until it closes.

    A closed wave is a record of what was asked, so it refuses changes (``WaveClosedError``);
    reopening means a new wave. People already invited keep their links when the
    organisations change; the next "send invitations" reaches the newcomers.
    """
    locked = NetworkWave.objects.select_for_update().get(pk=wave.pk)
    if locked.is_closed:
        raise WaveClosedError("This survey has closed; its set-up can no longer change.")
    organisations = list(organisations)
    _check_organisations(wave.network_id, organisations)
    wave.name, wave.opens_at, wave.closes_at = name, opens_at, closes_at
    wave.min_group_size, wave.reminder_every_days = min_group_size, reminder_every_days
    wave.full_clean()
    # Only the set-up: a reminder round recorded meanwhile (last_reminders_at) is kept.
    wave.save(
        update_fields=["name", "opens_at", "closes_at", "min_group_size", "reminder_every_days"]
    )
    wave.organisations.set(organisations)
    return wave


@transaction.atomic
def network_wave_close(*, wave: NetworkWave) -> NetworkWave:
    """Close the wave now (links then say the survey has closed).

    A wave that has not opened yet is closed too: its opening moves to just before now, as
    closing must come after opening and keeping the future opening would leave it scheduled.
    """
    now = timezone.now()
    locked = NetworkWave.objects.select_for_update().get(pk=wave.pk)
    if locked.closes_at > now:
        wave.closes_at = now
        wave.opens_at = min(locked.opens_at, now - timedelta(seconds=1))
        wave.save(update_fields=["opens_at", "closes_at"])
    return wave


#: Network waves in the shared wave layer: whom they ask and their emails.
NETWORK_WAVES = WaveKind(
    wave_model=NetworkWave,
    invitation_model=NetworkInvitation,
    token_model=NetworkInvitationToken,
    respondents=selectors.wave_respondents,
    link_route="network_respond:start",
    email_prefix="network",
    template="ona/emails/invitation",
    # Subjects are read in each recipient's language (``email_queue(language=...)``).
    invitation_subject=lambda wave: gettext_lazy("Who do you work with? A 5-minute network survey"),
    reminder_subject=lambda wave: lazy_text(
        lambda: (
            gettext("Reminder: the network survey closes %(day)s")
            % {"day": date_format(timezone.localtime(wave.closes_at, wave.network.zone), "j F")}
        )
    ),
)


def network_invitations_create(*, wave: NetworkWave, send: bool = True) -> int:
    """Invite everyone in scope not yet invited and email each a personal link.

    Safe to repeat (:func:`bridgework.waves.services.invitations_create`). Raises
    :class:`~bridgework.waves.services.WaveClosedError` for a closed wave.
    """
    return waves.invitations_create(kind=NETWORK_WAVES, wave=wave, send=send)


def network_reminders_send(*, wave: NetworkWave) -> int:
    """Remind everyone invited who has not finished (not those reminded in the last hours),
    only while the wave is open (:func:`bridgework.waves.services.reminders_send`)."""
    return waves.reminders_send(kind=NETWORK_WAVES, wave=wave)


def network_reminders_send_due(*, now: datetime | None = None) -> int:
    """Scheduled reminders of every network wave that is due (see
    :meth:`~bridgework.waves.models.AbstractWave.reminders_due`)."""
    return waves.reminders_send_due(kind=NETWORK_WAVES, now=now)


def _check_open(invitation: NetworkInvitation) -> None:
    wave_check_open(invitation.wave)


def _mark_started(invitation: NetworkInvitation, now: datetime) -> None:
    if invitation.started_at is None:
        NetworkInvitation.objects.filter(pk=invitation.pk, started_at__isnull=True).update(
            started_at=now
        )


def colleague_save(
    *,
    invitation: NetworkInvitation,
    alter: Person,
    ratings: Mapping[str, int],
    ideas: bool = False,
) -> list[Nomination]:
    """Store the respondent's answers about one colleague as nominations (insert or replace).

    ``ratings`` holds 1–5 for each of ``works_with``, ``trust`` and ``energy``; ``ideas`` adds
    (or removes) a "go to for new ideas" nomination of weight 1. One upsert per relation on the
    unique (wave, ego, alter, relation), so double submits and retries leave one row each.
    """
    _check_open(invitation)
    if alter.network_id != invitation.network_id or alter.pk == invitation.person_id:
        raise ValidationError("Choose a colleague in this network other than yourself.")
    values = {str(key): ratings.get(str(key)) for key in RATED_RELATIONS}
    if any(v not in (1, 2, 3, 4, 5) for v in values.values()):
        raise ValidationError("Answers are 1 to 5.")
    if ideas:
        values[Relation.IDEAS] = 1
    now = timezone.now()
    common = {
        "network_id": invitation.network_id,
        "wave_id": invitation.wave_id,
        "ego_id": invitation.person_id,
        "alter_id": alter.pk,
        "updated_at": now,
    }
    rows = [Nomination(relation=str(k), weight=float(v), **common) for k, v in values.items()]
    with transaction.atomic():
        Nomination.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["wave", "ego", "alter", "relation"],
            update_fields=["weight", "updated_at", "imported"],
        )
        if not ideas:
            _nominations(invitation, alter).filter(relation=Relation.IDEAS).delete()
        _mark_started(invitation, now)
    return list(_nominations(invitation, alter))


def _nominations(invitation: NetworkInvitation, alter: Person):
    return Nomination.objects.filter(
        wave_id=invitation.wave_id, ego_id=invitation.person_id, alter_id=alter.pk
    )


def colleague_remove(*, invitation: NetworkInvitation, alter: Person) -> int:
    """Remove every answer the respondent gave about one colleague."""
    _check_open(invitation)
    deleted, _ = _nominations(invitation, alter).delete()
    return deleted


def outside_contact_names(lines: Iterable[str]) -> list[str]:
    """The distinct organisation names in ``lines`` as they will be stored: each cut to the
    column's length *before* comparing (ignoring capitals), since two long names that differ
    only after the cut are one name to the database."""
    limit = OutsideContact._meta.get_field("organisation").max_length
    names: dict[str, str] = {}
    for line in lines:
        name = line.strip()[:limit].strip()
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


@transaction.atomic
def outside_contacts_save(*, invitation: NetworkInvitation, organisations: Iterable[str]) -> int:
    """Replace the respondent's contacts outside the directory (organisation names only).

    At most :data:`~bridgework.ona.models.OUTSIDE_CONTACTS_MAX` names (more raises
    ``ValidationError``). Conflicts are ignored as well as avoided: the database's lower() and
    Python's casefold() can disagree on a few letters, and a duplicate must never be a 500.
    """
    _check_open(invitation)
    names = outside_contact_names(organisations)
    if len(names) > OUTSIDE_CONTACTS_MAX:
        raise ValidationError(
            {"organisations": f"List at most {OUTSIDE_CONTACTS_MAX} organisations."}
        )
    invitation.outside_contacts.all().delete()
    OutsideContact.objects.bulk_create(
        [OutsideContact(invitation=invitation, organisation=name) for name in names],
        ignore_conflicts=True,
    )
    _mark_started(invitation, timezone.now())
    return invitation.outside_contacts.count()


def invitation_complete(*, invitation: NetworkInvitation, consent_named: bool) -> None:
    """Record the consent answer and mark the invitation finished (idempotent)."""
    _check_open(invitation)
    now = timezone.now()
    NetworkInvitation.objects.filter(pk=invitation.pk).update(consent_named=consent_named)
    NetworkInvitation.objects.filter(pk=invitation.pk, completed_at__isnull=True).update(
        completed_at=now, started_at=invitation.started_at or now
    )
    invitation.refresh_from_db(fields=["completed_at", "consent_named", "started_at"])


def nominations_import_upload(
    *, wave: NetworkWave, filename: str, content: bytes
) -> NominationImport:
    """Keep an uploaded nominations file for preview (nothing is imported yet)."""
    return NominationImport.objects.create(
        network=wave.network, wave=wave, filename=filename, content=content
    )


@transaction.atomic
def nominations_import_check(*, upload: NominationImport) -> NominationImport:
    """Check a stored nominations file in the worker and keep its preview (or its problems)
    on the upload, so its page does not read the file again. A refused file is not kept."""
    from bridgework.ona.imports import nominations_preview

    upload = NominationImport.objects.select_for_update().get(pk=upload.pk)
    if upload.checked or upload.applied_at is not None:
        return upload
    upload.checked = nominations_preview(upload)
    if "problems" in upload.checked:
        upload.content = b""
    upload.save(update_fields=["checked", "content"])
    return upload


@transaction.atomic
def nominations_import(*, upload: NominationImport) -> int:
    """Import a previewed file: all rows or none (raises ``DatasetError`` listing every problem).

    Rows replace earlier answers for the same (ego, alter, relation).
    """
    from bridgework.ona.imports import parse_nominations

    if upload.applied_at is not None:
        return 0
    rows = parse_nominations(upload)
    now = timezone.now()
    Nomination.objects.bulk_create(
        [
            Nomination(
                network_id=upload.network_id,
                wave_id=upload.wave_id,
                ego_id=row.ego,
                alter_id=row.alter,
                relation=row.relation,
                weight=row.weight,
                imported=True,
                updated_at=now,
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["wave", "ego", "alter", "relation"],
        update_fields=["weight", "updated_at", "imported"],
    )
    upload.applied_at = now
    upload.save(update_fields=["applied_at"])
    return len(rows)


def _roles_unasked(network: Network) -> QuerySet[Person]:
    asked = RolesInvitation.objects.filter(network=network, person_id=OuterRef("pk"))
    return eligible_people(Person.objects.filter(network=network)).filter(~Exists(asked))


def roles_invitations_remaining(*, network: Network) -> int:
    """How many eligible people of the directory have no self-assessment link yet."""
    return _roles_unasked(network).count()


def roles_invitations_create(
    *, network: Network, send: bool = True, batch_size: int = waves.BATCH_SIZE
) -> int:
    """Give everyone eligible in the directory (active, with an email; not yet asked) a
    personal self-assessment link, and email it, one committed batch at a time
    (:func:`roles_invitations_create_batch`). Safe to stop and repeat: the database allows
    one self-assessment per person, and each email has an idempotency key."""
    total = 0
    while True:
        count = roles_invitations_create_batch(network=network, send=send, limit=batch_size)
        total += count
        if count < batch_size:
            return total


@transaction.atomic
def roles_invitations_create_batch(*, network: Network, limit: int, send: bool = True) -> int:
    """Ask up to ``limit`` of those not yet asked (in id order), in one transaction: their
    links and their emails are written together or not at all."""
    people = list(_roles_unasked(network).order_by("pk")[:limit])
    tokens = [issue_token() for _ in people]
    invitations = RolesInvitation.objects.bulk_create(
        [
            RolesInvitation(network=network, person=person, digest=token.digest)
            for person, token in zip(people, tokens, strict=True)
        ]
    )
    if send and invitations:
        email_queue_batch(
            network=network,
            kind="roles-invitation",
            subject=gettext_lazy("What role do you play in the network? A 3-minute reflection"),
            template="ona/emails/roles_invitation",
            stencil=True,
            emails=[
                BatchEmail(
                    to=invitation.person.email,
                    context={
                        "person": invitation.person,
                        "path": reverse("roles_respond:start", kwargs={"token": token.plain}),
                    },
                    idempotency_key=f"roles-invitation:{invitation.pk}",
                    language=language_for(invitation.person, network),
                )
                for invitation, token in zip(invitations, tokens, strict=True)
            ],
        )
    return len(invitations)


def roles_answers_save(
    *, invitation: RolesInvitation, answers: Mapping[str, Any], consent: bool
) -> RolesInvitation:
    """Store a self-assessment (answers are item id → 1–5; unknown ids are refused)."""
    known = {item.id for item in ITEMS}
    clean = {k: int(v) for k, v in answers.items() if v not in (None, "")}
    if set(clean) - known or any(v not in (1, 2, 3, 4, 5) for v in clean.values()):
        raise ValidationError("Answers are 1 to 5 for the listed statements.")
    invitation.answers, invitation.consent = clean, consent
    invitation.completed_at = invitation.completed_at or timezone.now()
    invitation.save(update_fields=["answers", "consent", "completed_at"])
    return invitation


# Erasure and retention: each deletes only this app's records; bridgework.governance decides
# when.


def _files_naming(files: Any, email: str) -> list[int]:
    """Ids of uploaded files whose content contains ``email`` (case-insensitive)."""
    needle = email.casefold().encode()
    return [
        pk for pk, content in files.values_list("pk", "content") if needle in bytes(content).lower()
    ]


def person_data_erase(*, person: Person, dry_run: bool = False) -> dict[str, int]:
    """Delete every network-survey record about ``person``: their invitations, links and
    outside contacts, the nominations they made AND those others made of them, their roles
    self-assessment, and uploaded nominations files that contain their address.

    Returns the counts by kind (what would be deleted with ``dry_run``).
    """
    network_id = person.network_id
    invitations = NetworkInvitation.objects.filter(network_id=network_id, person=person)
    nominations = Nomination.objects.filter(network_id=network_id).filter(
        Q(ego=person) | Q(alter=person)
    )
    roles = RolesInvitation.objects.filter(network_id=network_id, person=person)
    files = NominationImport.objects.filter(
        pk__in=_files_naming(NominationImport.objects.filter(network_id=network_id), person.email)
    )
    # Before the answers go: figures shown are frozen, then the copies lose this person.
    from bridgework.ona.freezing import person_releases_scrub

    counts = {
        "released results holding their answers": person_releases_scrub(
            person=person, dry_run=dry_run
        ),
        "network survey invitations": invitations.count(),
        "network survey links": NetworkInvitationToken.objects.filter(
            invitation__in=invitations
        ).count(),
        "nominations they made": nominations.filter(ego=person).count(),
        "nominations of them by others": nominations.filter(alter=person).count(),
        "outside contacts they named": OutsideContact.objects.filter(
            invitation__in=invitations
        ).count(),
        "roles self-assessments": roles.count(),
        "uploaded nominations files naming them": files.count(),
    }
    if not dry_run:
        nominations.delete()
        invitations.delete()
        roles.delete()
        files.delete()
    return counts


def network_wave_raw_answers_delete(*, wave: NetworkWave) -> dict[str, int]:
    """Delete a network wave's raw answers (nominations, outside contacts and uploaded
    nominations files), keeping the invitations, so who was invited and who finished still
    count. Returns the counts by kind."""
    nominations, _ = Nomination.objects.filter(wave=wave).delete()
    outside, _ = OutsideContact.objects.filter(invitation__wave=wave).delete()
    files, _ = NominationImport.objects.filter(wave=wave).delete()
    return {"nominations": nominations, "outside contacts": outside, "nominations files": files}


def roles_answers_delete(*, network: Network, completed_before: datetime) -> int:
    """Delete the roles self-assessments finished before ``completed_before`` (the answers
    live on the invitation, so the link goes too; a new one can be sent). Returns the count."""
    deleted, _ = RolesInvitation.objects.filter(
        network=network, completed_at__lt=completed_before
    ).delete()
    return deleted

"""Changing surveys: one function per state change. Views, tasks, the demo and tests call these.

Each validates with ``full_clean()``, writes in one transaction and queues its emails through
the outbox with an idempotency key, so a retried job or a double click sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import timezone

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.directory.models import Network, Organisation, Person, Workgroup
from bridgework.mail.services import email_queue
from bridgework.surveys.models import (
    ExternalTarget,
    Invitation,
    InvitationToken,
    Response,
    Wave,
    WorkProcess,
)
from bridgework.tokens import issue_token

#: Someone reminded less than this long ago is not reminded again (double clicks, overlaps).
REMINDER_GAP = timedelta(hours=12)


class SurveyClosedError(Exception):
    """An answer arrived for a wave that is not open."""


def _save(instance: Model) -> Model:
    instance.full_clean()
    instance.save()
    return instance


def _set_external_targets(process: WorkProcess, names: Iterable[str]) -> None:
    wanted = {n.strip().casefold(): n.strip() for n in names if n.strip()}
    workgroup_names = {w.name.casefold() for w in process.workgroups.all()}
    clash = sorted(v for k, v in wanted.items() if k in workgroup_names)
    if clash:
        raise ValidationError(
            {"external_targets": f"Already a workgroup of this process: {', '.join(clash)}."}
        )
    existing = {t.name.casefold(): t for t in process.external_targets.all()}
    for key, target in existing.items():
        if key not in wanted and not _target_answered(f"ext:{target.pk}"):
            target.delete()
    for key, name in wanted.items():
        if key not in existing:
            ExternalTarget.objects.create(network=process.network, work_process=process, name=name)


def _target_answered(key: str) -> bool:
    return Response.objects.filter(target=key).exists()


@transaction.atomic
def work_process_create(
    *,
    network: Network,
    name: str,
    description: str = "",
    workgroups: Iterable[Workgroup],
    external_targets: Iterable[str] = (),
) -> WorkProcess:
    """A work process with its workgroups and optional external targets."""
    workgroups = list(workgroups)
    if any(w.network_id != network.pk for w in workgroups):
        raise ValidationError({"workgroups": "Choose workgroups of this network."})
    process = _save(WorkProcess(network=network, name=name, description=description))
    process.workgroups.set(workgroups)
    _set_external_targets(process, external_targets)
    return process  # type: ignore[return-value]


@transaction.atomic
def work_process_update(
    *,
    process: WorkProcess,
    name: str,
    description: str = "",
    workgroups: Iterable[Workgroup],
    external_targets: Iterable[str] = (),
) -> WorkProcess:
    workgroups = list(workgroups)
    if any(w.network_id != process.network_id for w in workgroups):
        raise ValidationError({"workgroups": "Choose workgroups of this network."})
    process.name, process.description = name, description
    _save(process)
    process.workgroups.set(workgroups)
    _set_external_targets(process, external_targets)
    return process


def _check_scope(wave: Wave, workgroups: list[Workgroup], organisations: list[Organisation]):
    allowed = set(wave.work_process.workgroups.values_list("pk", flat=True))
    if any(w.pk not in allowed for w in workgroups):
        raise ValidationError(
            {"respondent_workgroups": "Choose workgroups taking part in the process."}
        )
    if any(o.network_id != wave.network_id for o in organisations):
        raise ValidationError({"respondent_organisations": "Choose organisations of this network."})


@transaction.atomic
def wave_create(
    *,
    process: WorkProcess,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    respondent_workgroups: Iterable[Workgroup],
    respondent_organisations: Iterable[Organisation] = (),
    **fields: Any,
) -> Wave:
    """A new wave of ``process``; respondents are the active people of the chosen workgroups
    (optionally only in the chosen organisations)."""
    wave = Wave(
        network=process.network,
        work_process=process,
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
        **fields,
    )
    workgroups, organisations = list(respondent_workgroups), list(respondent_organisations)
    _check_scope(wave, workgroups, organisations)
    _save(wave)
    wave.respondent_workgroups.set(workgroups)
    wave.respondent_organisations.set(organisations)
    return wave


@transaction.atomic
def wave_update(
    *,
    wave: Wave,
    respondent_workgroups: Iterable[Workgroup],
    respondent_organisations: Iterable[Organisation] = (),
    **fields: Any,
) -> Wave:
    workgroups, organisations = list(respondent_workgroups), list(respondent_organisations)
    _check_scope(wave, workgroups, organisations)
    for name, value in fields.items():
        setattr(wave, name, value)
    _save(wave)
    wave.respondent_workgroups.set(workgroups)
    wave.respondent_organisations.set(organisations)
    return wave


@transaction.atomic
def wave_copy(*, wave: Wave, name: str | None = None) -> Wave:
    """The next wave with the same set-up (respondents, wording, settings), dated from now for
    as long as the original ran. Invitations and answers are not copied."""
    duration = wave.closes_at - wave.opens_at
    base = name or f"{wave.name} (copy)"
    name, counter = base, 2
    while Wave.objects.filter(work_process=wave.work_process, name__iexact=name).exists():
        name, counter = f"{base} {counter}", counter + 1
    start = timezone.now()
    return wave_create(
        process=wave.work_process,
        name=name,
        opens_at=start,
        closes_at=start + duration,
        respondent_workgroups=wave.respondent_workgroups.all(),
        respondent_organisations=wave.respondent_organisations.all(),
        min_group_size=wave.min_group_size,
        frequency_scale=wave.frequency_scale,
        question_texts=dict(wave.question_texts),
        answer_labels=dict(wave.answer_labels),
        live_results=wave.live_results,
        reminder_every_days=wave.reminder_every_days,
    )


@transaction.atomic
def wave_set_wording(
    *,
    wave: Wave,
    frequency_scale: str,
    questions: Mapping[str, str],
    answer_labels: Mapping[str, Iterable[str]],
) -> Wave:
    """Replace the wording (question texts, answer labels) of the wave; keys and scale stay.

    Only texts that differ from the built-in wording are stored. Raises ``ValidationError``
    when a text is not acceptable to the instrument (e.g. a question without ``{target}``).
    """
    from bridgework.analysis.rc_instrument import BUILTIN_INSTRUMENT

    base = BUILTIN_INSTRUMENT.with_frequency_scale(frequency_scale)
    texts = {k: v.strip() for k, v in questions.items() if v.strip() != base.item(k).question}
    labels = {
        k: [s.strip() for s in v]
        for k, v in answer_labels.items()
        if tuple(s.strip() for s in v) != base.item(k).answer_labels
    }
    try:
        base.with_texts(questions=texts, answer_labels={k: tuple(v) for k, v in labels.items()})
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    wave.frequency_scale = frequency_scale
    wave.question_texts, wave.answer_labels = texts, labels
    return _save(wave)  # type: ignore[return-value]


@transaction.atomic
def wave_close(*, wave: Wave) -> Wave:
    """Close the wave now (links then say the survey has closed)."""
    now = timezone.now()
    if wave.closes_at > now:
        wave.closes_at = max(now, wave.opens_at + timedelta(seconds=1))
        wave.save(update_fields=["closes_at"])
    if wave.is_closed:
        wave_results_freeze(wave=wave)
    return wave


def wave_results_publish(*, wave: Wave):
    """Publish the wave's results snapshot when due (see ``surveys.results``)."""
    from bridgework.surveys import results

    return results.wave_results_publish(wave=wave)


def wave_results_freeze(*, wave: Wave):
    """The closed wave's final, frozen results snapshot (call before deleting raw answers)."""
    from bridgework.surveys import results

    return results.wave_results_freeze(wave=wave)


def wave_respondents(wave: Wave):
    """Active people with an email in the wave's workgroups (and organisations, if chosen)."""
    people = Person.objects.filter(
        network=wave.network,
        active=True,
        workgroup__in=wave.respondent_workgroups.all(),
    ).exclude(email="")
    organisations = list(wave.respondent_organisations.all())
    if organisations:
        people = people.filter(organisation__in=organisations)
    return people.order_by("pk")


def _link_path(token: str) -> str:
    return reverse("respond:start", kwargs={"token": token})


def _new_link(invitation: Invitation) -> str:
    token = issue_token()
    InvitationToken.objects.create(invitation=invitation, digest=token.digest)
    return _link_path(token.plain)


def invitations_create(*, wave: Wave, send: bool = True) -> int:
    """Invite everyone in the wave's scope not yet invited; email each a personal link.

    Returns how many were invited now. Safe to repeat: people already invited are skipped
    (the database refuses a second invitation for the same person and wave).
    """
    if wave.is_closed:
        raise SurveyClosedError("This wave has closed.")
    already = set(wave.invitations.values_list("person_id", flat=True))
    count = 0
    for person in wave_respondents(wave).exclude(pk__in=already):
        with transaction.atomic():
            invitation, created = Invitation.objects.get_or_create(
                wave=wave,
                person=person,
                defaults={
                    "network": wave.network,
                    "workgroup_id": person.workgroup_id,
                    "organisation_id": person.organisation_id,
                },
            )
            if not created:
                continue
            count += 1
            if send:
                _send(invitation, person, kind="survey-invitation")
    return count


def _send(invitation: Invitation, person: Person, *, kind: str) -> None:
    wave = invitation.wave
    path = _new_link(invitation)
    now = timezone.now()
    reminder = kind == "survey-reminder"
    number = invitation.reminders_sent + 1 if reminder else 0
    email_queue(
        network=wave.network,
        to=person.email,
        kind=kind,
        subject=(
            f"Reminder: {wave.work_process.name} survey closes "
            f"{timezone.localtime(wave.closes_at, wave.network.zone):%-d %B}"
            if reminder
            else f"How is {wave.work_process.name} working? A 10-minute survey"
        ),
        template="surveys/emails/invitation",
        context={
            "wave": wave,
            "person": person,
            "path": path,
            "reminder": reminder,
            "min_group_size": wave.min_group_size_in_force,
        },
        idempotency_key=f"{kind}:{invitation.pk}:{number}",
    )
    if reminder:
        invitation.reminders_sent = number
        invitation.last_reminded_at = now
        invitation.save(update_fields=["reminders_sent", "last_reminded_at"])
    else:
        invitation.sent_at = now
        invitation.save(update_fields=["sent_at"])


def reminders_send(*, wave: Wave) -> int:
    """Remind everyone invited who has not finished (not those reminded in the last hours).

    Each reminder carries a fresh link; earlier links keep working until the wave closes.
    """
    if not wave.is_open:
        return 0
    now = timezone.now()
    recent = now - REMINDER_GAP
    count = 0
    pending = (
        wave.invitations.filter(completed_at__isnull=True)
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=recent))
        .select_related("person", "wave__work_process", "wave__network")
    )
    for invitation in pending:
        with transaction.atomic():
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.completed_at or (
                locked.last_reminded_at and locked.last_reminded_at >= recent
            ):
                continue
            locked.wave = invitation.wave
            _send(locked, invitation.person, kind="survey-reminder")
            count += 1
    Wave.objects.filter(pk=wave.pk).update(last_reminders_at=now)
    wave.last_reminders_at = now
    return count


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Scheduled reminders: for each open wave with a reminder interval whose last round is
    at least that old (or never happened, counting from opening), remind those not finished."""
    now = now or timezone.now()
    total = 0
    for wave in Wave.objects.filter(
        opens_at__lte=now, closes_at__gt=now, reminder_every_days__gt=0
    ).select_related("work_process", "network"):
        last = wave.last_reminders_at or wave.opens_at
        if now - last >= timedelta(days=wave.reminder_every_days):
            total += reminders_send(wave=wave)
    return total


def response_save(
    *, invitation: Invitation, target: str, works_with: bool, scores: Mapping[str, int | None]
) -> Response:
    """Store one respondent's answers about one target: insert, or replace their earlier ones.

    One statement (``INSERT … ON CONFLICT (invitation, target) DO UPDATE``) on both SQLite and
    PostgreSQL, so a double submit, a retry or two racing requests leave exactly one row with
    the latest answers.
    """
    wave = invitation.wave
    if not wave.is_open:
        raise SurveyClosedError("This survey is not open.")
    clean = {key: (scores.get(key) if works_with else None) for key in DIMENSIONS}
    if any(v is not None and v not in (1, 2, 3, 4, 5) for v in clean.values()):
        raise ValidationError("Answers are positions 1 to 5.")
    now = timezone.now()
    row = Response(
        invitation=invitation,
        target=target,
        works_with=works_with,
        created_at=now,
        updated_at=now,
        **clean,
    )
    with transaction.atomic():
        Response.objects.bulk_create(
            [row],
            update_conflicts=True,
            unique_fields=["invitation", "target"],
            update_fields=["works_with", "updated_at", *DIMENSIONS],
        )
        if invitation.started_at is None:
            Invitation.objects.filter(pk=invitation.pk, started_at__isnull=True).update(
                started_at=now
            )
    return Response.objects.get(invitation=invitation, target=target)


def invitation_complete(*, invitation: Invitation) -> Invitation:
    """Mark the invitation finished (idempotent; answers may still change until close)."""
    if not invitation.wave.is_open:
        raise SurveyClosedError("This survey is not open.")
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk, completed_at__isnull=True).update(completed_at=now)
    invitation.refresh_from_db(fields=["completed_at"])
    return invitation

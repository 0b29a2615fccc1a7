"""Changing surveys: one function per state change. Views, tasks, the demo and tests call these.

Each validates with ``full_clean()``, writes in one transaction and queues its emails through
the outbox with an idempotency key, so a retried job or a double click sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from bridgework.analysis.privacy import DEFAULT_MIN_GROUP_SIZE
from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.directory.models import Network, Organisation, Person, Workgroup, language_codes
from bridgework.mail.services import lazy_text
from bridgework.surveys import selectors
from bridgework.surveys.models import (
    ExternalTarget,
    Invitation,
    InvitationToken,
    Response,
    ResultsSnapshot,
    Wave,
    WorkProcess,
)
from bridgework.waves import services as waves
from bridgework.waves.services import WaveKind, wave_check_open

__all__ = [
    "RC_WAVES",
    "invitation_complete",
    "invitations_create",
    "reminders_send",
    "reminders_send_due",
    "response_save",
    "wave_close",
    "wave_copy",
    "wave_create",
    "wave_set_wording",
    "wave_update",
    "work_process_create",
    "work_process_update",
]


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
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    reminder_every_days: int = 0,
    live_results: bool = False,
    frequency_scale: str = Wave.FrequencyScale.FREQUENCY,
    question_texts: Mapping[str, str] | None = None,
    answer_labels: Mapping[str, Sequence[str]] | None = None,
) -> Wave:
    """A new wave of ``process``; respondents are the active people of the chosen workgroups
    (optionally only in the chosen organisations). ``question_texts`` and ``answer_labels``
    are wording overrides by dimension key, as :func:`wave_set_wording` stores them."""
    wave = Wave(
        network=process.network,
        work_process=process,
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
        min_group_size=min_group_size,
        reminder_every_days=reminder_every_days,
        live_results=live_results,
        frequency_scale=frequency_scale,
        question_texts=dict(question_texts or {}),
        answer_labels={k: list(v) for k, v in (answer_labels or {}).items()},
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
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    respondent_workgroups: Iterable[Workgroup],
    respondent_organisations: Iterable[Organisation] = (),
    min_group_size: int,
    reminder_every_days: int,
    live_results: bool,
) -> Wave:
    """Change a wave's name, dates, respondents and settings (its wording changes through
    :func:`wave_set_wording`)."""
    workgroups, organisations = list(respondent_workgroups), list(respondent_organisations)
    _check_scope(wave, workgroups, organisations)
    wave.name, wave.opens_at, wave.closes_at = name, opens_at, closes_at
    wave.min_group_size, wave.reminder_every_days = min_group_size, reminder_every_days
    wave.live_results = live_results
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
        question_texts=wave.question_texts,
        answer_labels=wave.answer_labels,
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
    translations: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
) -> Wave:
    """Replace the wording (question texts, answer labels) of the wave; keys and scale stay.

    ``questions`` and ``answer_labels`` are in the network's default language;
    ``translations`` gives other languages' as ``{"es": {"questions": …, "answer_labels":
    …}}``. Only texts that differ from the built-in wording in that language are stored (the
    default language's flat, the others under their code). Raises ``ValidationError`` when a
    text is not acceptable to the instrument (e.g. a question without ``{target}``), naming
    the language.
    """
    default = wave.network.default_language
    texts, labels = _wording_diff(frequency_scale, default, questions, answer_labels)
    for language, wording in (translations or {}).items():
        if language == default:
            continue
        if language not in language_codes():
            raise ValidationError(f"“{language}” is not a language offered here.")
        more_texts, more_labels = _wording_diff(
            frequency_scale,
            language,
            wording.get("questions", {}),
            wording.get("answer_labels", {}),
        )
        if more_texts:
            texts[language] = more_texts
        if more_labels:
            labels[language] = more_labels
    wave.frequency_scale = frequency_scale
    wave.question_texts, wave.answer_labels = texts, labels
    return _save(wave)  # type: ignore[return-value]


def _wording_diff(
    frequency_scale: str,
    language: str,
    questions: Mapping[str, str],
    answer_labels: Mapping[str, Iterable[str]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The texts that differ from the built-in wording in ``language``, checked."""
    from bridgework.analysis.rc_instrument import BUILTIN_INSTRUMENT

    base = BUILTIN_INSTRUMENT.with_frequency_scale(frequency_scale).with_language(language)
    texts = {k: v.strip() for k, v in questions.items() if v.strip() != base.item(k).question}
    labels = {
        k: [s.strip() for s in v]
        for k, v in answer_labels.items()
        if tuple(s.strip() for s in v) != base.item(k).answer_labels
    }
    try:
        base.with_texts(questions=texts, answer_labels={k: tuple(v) for k, v in labels.items()})
    except ValueError as exc:
        name = dict(settings.LANGUAGES).get(language, language)
        raise ValidationError(f"{name}: {exc}") from exc
    return texts, labels


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


def wave_results_publish(*, wave: Wave) -> ResultsSnapshot | None:
    """Publish the wave's results snapshot when due (see ``surveys.results``)."""
    from bridgework.surveys import results

    return results.wave_results_publish(wave=wave)


def wave_results_freeze(*, wave: Wave) -> ResultsSnapshot:
    """The closed wave's final, frozen results snapshot (call before deleting raw answers)."""
    from bridgework.surveys import results

    return results.wave_results_freeze(wave=wave)


def _closing_day(wave: Wave) -> str:
    return date_format(timezone.localtime(wave.closes_at, wave.network.zone), "j F")


#: RC waves in the shared wave layer: whom they ask, what an invitation keeps, their emails.
RC_WAVES = WaveKind(
    wave_model=Wave,
    invitation_model=Invitation,
    token_model=InvitationToken,
    respondents=selectors.wave_respondents,
    snapshot=lambda person: {
        "workgroup_id": person.workgroup_id,
        "organisation_id": person.organisation_id,
    },
    link_route="respond:start",
    email_prefix="survey",
    template="surveys/emails/invitation",
    # Subjects are read in each recipient's language (``email_queue(language=...)``).
    invitation_subject=lambda wave: lazy_text(
        lambda: (
            gettext("How is %(process)s working? A 10-minute survey")
            % {"process": wave.work_process.name}
        )
    ),
    reminder_subject=lambda wave: lazy_text(
        lambda: (
            gettext("Reminder: %(process)s survey closes %(day)s")
            % {"process": wave.work_process.name, "day": _closing_day(wave)}
        )
    ),
    email_context=lambda wave: {"min_group_size": wave.min_group_size_in_force},
    wave_related=("network", "work_process"),
)


def invitations_create(*, wave: Wave, send: bool = True) -> int:
    """Invite everyone in the wave's scope not yet invited; email each a personal link.

    Returns how many were invited now; safe to repeat
    (:func:`bridgework.waves.services.invitations_create`). Raises ``WaveClosedError`` for a
    closed wave.
    """
    return waves.invitations_create(kind=RC_WAVES, wave=wave, send=send)


def reminders_send(*, wave: Wave) -> int:
    """Remind everyone invited who has not finished (not those reminded in the last hours).

    Each reminder carries a fresh link; earlier links keep working until the wave closes.
    """
    return waves.reminders_send(kind=RC_WAVES, wave=wave)


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Scheduled reminders of every RC wave that is due (see
    :meth:`~bridgework.waves.models.AbstractWave.reminders_due`)."""
    return waves.reminders_send_due(kind=RC_WAVES, now=now)


def response_save(
    *, invitation: Invitation, target: str, works_with: bool, scores: Mapping[str, int | None]
) -> Response:
    """Store one respondent's answers about one target: insert, or replace their earlier ones.

    One statement (``INSERT … ON CONFLICT (invitation, target) DO UPDATE``) on both SQLite and
    PostgreSQL, so a double submit, a retry or two racing requests leave exactly one row with
    the latest answers.
    """
    wave_check_open(invitation.wave)
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
    wave_check_open(invitation.wave)
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk, completed_at__isnull=True).update(completed_at=now)
    invitation.refresh_from_db(fields=["completed_at"])
    return invitation


# Erasure and retention: each deletes only this app's records; bridgework.governance decides
# when (and freezes published results of closed waves first).


def person_data_erase(*, person: Person, dry_run: bool = False) -> dict[str, int]:
    """Delete every RC record about ``person``: their invitations, links and answers.

    Returns the counts by kind (what would be deleted with ``dry_run``). Answers already
    inside published results of a closed wave must be frozen by the caller beforehand.
    """
    invitations = Invitation.objects.filter(network_id=person.network_id, person=person)
    counts = {
        "RC survey invitations": invitations.count(),
        "RC survey links": InvitationToken.objects.filter(invitation__in=invitations).count(),
        "RC survey answers": Response.objects.filter(invitation__in=invitations).count(),
    }
    if not dry_run:
        invitations.delete()
    return counts


def person_closed_waves(*, person: Person) -> list[Wave]:
    """The closed RC waves in which ``person`` gave answers (their results are published)."""
    return list(
        Wave.objects.filter(
            network_id=person.network_id,
            closes_at__lte=timezone.now(),
            invitations__person=person,
            invitations__responses__isnull=False,
        ).distinct()
    )


def wave_raw_answers_delete(*, wave: Wave) -> int:
    """Delete a wave's raw answers (its :class:`Response` rows), keeping the invitations, so
    who was invited and who finished still count. Returns how many answers were deleted."""
    deleted, _ = Response.objects.filter(invitation__wave=wave).delete()
    return deleted

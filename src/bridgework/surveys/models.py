"""Work processes, survey waves, invitations and answers.

An RC survey is about one focal **work process** and the workgroups taking part in it, plus
*external targets* that are rated but not surveyed (families, the court). A **wave** is one
administration with open and close dates; an **invitation** is one person's place in a wave,
reached through one or more unguessable links (:class:`InvitationToken`, digests only). Each
screen a respondent saves is one :class:`Response`: their seven answers about one target. The
database, not the code, guarantees one response per invitation and target, so a double submit
or two racing requests can never store an answer twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.analysis.rc_instrument import BUILTIN_INSTRUMENT, DIMENSIONS, Instrument
from bridgework.waves.models import (
    AbstractInvitation,
    AbstractInvitationToken,
    AbstractWave,
    wave_constraints,
)

#: Prefixes of a target key: a directory workgroup or an external target.
WORKGROUP_TARGET = "wg"
EXTERNAL_TARGET = "ext"


class WorkProcess(models.Model):
    """The focal process RC is measured around (e.g. "family reunification")."""

    network = models.ForeignKey(
        "directory.Network", on_delete=models.CASCADE, related_name="work_processes"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    workgroups = models.ManyToManyField("directory.Workgroup", related_name="work_processes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "network",
                Lower("name"),
                name="work_process_name_ci_unique",
                violation_error_message="A work process with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ExternalTarget(models.Model):
    """A group that is rated but not surveyed, such as "families" or "the court"."""

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE)
    work_process = models.ForeignKey(
        WorkProcess, on_delete=models.CASCADE, related_name="external_targets"
    )
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "work_process", Lower("name"), name="external_target_name_ci_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Wave(AbstractWave):
    """One administration of the RC survey for a work process."""

    class FrequencyScale(models.TextChoices):
        FREQUENCY = "frequency", _("Frequency (never … all the time)")
        ADEQUACY = "adequacy", _("Adequacy (not nearly enough … just right … much too often)")

    work_process = models.ForeignKey(WorkProcess, on_delete=models.CASCADE, related_name="waves")
    respondent_workgroups = models.ManyToManyField(
        "directory.Workgroup", related_name="+", blank=True
    )
    respondent_organisations = models.ManyToManyField(
        "directory.Organisation", related_name="+", blank=True
    )
    frequency_scale = models.CharField(
        max_length=20, choices=FrequencyScale.choices, default=FrequencyScale.FREQUENCY
    )
    # Wording overrides per dimension key: {"timely": "..."} and {"timely": ["…" × 5]} in the
    # network's default language, and under a language code for others:
    # {"timely": "...", "es": {"timely": "..."}} (see ``wording_for``).
    question_texts = models.JSONField(default=dict, blank=True)
    answer_labels = models.JSONField(default=dict, blank=True)
    live_results = models.BooleanField(
        default=False, help_text="Show results while the wave is still open."
    )

    class Meta(AbstractWave.Meta):
        constraints = [
            *wave_constraints("wave"),
            models.UniqueConstraint(
                "work_process",
                Lower("name"),
                name="wave_name_ci_unique",
                violation_error_message="This work process already has a wave with this name.",
            ),
        ]

    @property
    def results_available(self) -> bool:
        """Results show once closed, or while open if the coordinator allowed it."""
        return self.is_closed or self.live_results

    def instrument(self, language: str | None = None) -> Instrument:
        """The built-in instrument in ``language`` (default: the network's default language)
        with this wave's scale and its wording for that language."""
        default = self.network.default_language
        language = language or default
        questions = wording_for(self.question_texts, language, default)
        answers = wording_for(self.answer_labels, language, default)
        return (
            BUILTIN_INSTRUMENT.with_frequency_scale(self.frequency_scale)
            .with_language(language)
            .with_texts(
                questions=questions or None,
                answer_labels={k: tuple(v) for k, v in answers.items()} or None,
            )
        )


def wording_for(stored: Mapping[str, Any] | None, language: str, default: str) -> dict[str, Any]:
    """A wave's wording overrides for ``language``: those stored under its code, and for the
    network's ``default`` language also the flat dimension keys (the form stored before
    wording could be given per language).

    >>> stored = {"timely": "On time?", "es": {"timely": "¿A tiempo?"}}
    >>> wording_for(stored, "es", "en"), wording_for(stored, "en", "en")
    ({'timely': '¿A tiempo?'}, {'timely': 'On time?'})
    """
    stored = stored or {}
    texts = {k: v for k, v in stored.items() if k in DIMENSIONS} if language == default else {}
    nested = stored.get(language)
    if isinstance(nested, Mapping):
        texts.update({k: v for k, v in nested.items() if k in DIMENSIONS})
    return texts


class Invitation(AbstractInvitation):
    """One person's place in one wave. Workgroup and organisation are kept as they were when
    invited, so later directory edits do not move past answers between groups."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    workgroup = models.ForeignKey("directory.Workgroup", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta(AbstractInvitation.Meta):
        constraints = [
            models.UniqueConstraint(fields=["wave", "person"], name="invitation_unique_person")
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} to {self.wave}"


class InvitationToken(AbstractInvitationToken):
    """The digest of one link to an invitation (a reminder adds a link; all stay valid)."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")

    def __str__(self) -> str:
        return f"link to invitation {self.invitation_id}"


def _score_field() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(null=True, blank=True)


class Response(models.Model):
    """One respondent's answers about one target (answer positions 1–5, blank = no answer).

    ``target`` is ``"wg:<workgroup id>"`` or ``"ext:<external target id>"``.
    ``works_with`` false means "I don't work with this group": no scores, not rated.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="responses")
    target = models.CharField(max_length=30)
    works_with = models.BooleanField(default=True)
    frequent = _score_field()
    timely = _score_field()
    accurate = _score_field()
    problem_solving = _score_field()
    shared_goals = _score_field()
    shared_knowledge = _score_field()
    mutual_respect = _score_field()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "target"], name="response_one_per_invitation_target"
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{key}__isnull": True})
                    | models.Q(**{f"{key}__gte": 1, f"{key}__lte": 5}),
                    name=f"response_{key}_1_to_5",
                )
                for key in DIMENSIONS
            ],
        ]

    def __str__(self) -> str:
        return f"answers of invitation {self.invitation_id} about {self.target}"

    def scores(self) -> dict[str, int | None]:
        return {key: getattr(self, key) for key in DIMENSIONS}


class ResultsSnapshot(models.Model):
    """One publication of a wave's results: every figure as shown, already suppressed.

    Pages, the print page, the cell pages and every download read the latest snapshot, never
    the raw answers, so repeated looks (live results) cannot be subtracted from each other:
    a figure takes new values only under the rule of :mod:`bridgework.analysis.publication`.
    The snapshot made at close is ``final``: the wave's figures are frozen from then on, and
    later changes to raw answers (erasure, retention) do not move them.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="results_snapshots")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    final = models.BooleanField(default=False)
    # Marker of the raw answers the snapshot was computed from (count, last change).
    answers_seen = models.CharField(max_length=200, blank=True)
    # Figure key (JSON list as text) → {"count", "values", "reason", "as_of"}.
    figures = models.JSONField(default=dict)
    # Raters, targets, settings and the comparison's labels, to rebuild the result objects.
    structure = models.JSONField(default=dict)

    class Meta:
        ordering = ["wave", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "number"], name="results_snapshot_number"),
            models.UniqueConstraint(
                fields=["wave"],
                condition=models.Q(final=True),
                name="results_snapshot_one_final",
            ),
        ]

    def __str__(self) -> str:
        return f"results of {self.wave} #{self.number}{' (final)' if self.final else ''}"

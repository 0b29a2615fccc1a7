"""Network mapping: network survey waves, their invitations, nominations and self-assessments.

A **network wave** is one administration of the "who do you work with?" survey, with the same
life cycle as an RC wave (scheduled, open, closed; personal links stored as digests through
:mod:`bridgework.tokens`; emails through the outbox). Each answer about a colleague is stored
as :class:`Nomination` rows ``(ego, alter, relation, weight)`` — the same shape the CLI and
:func:`bridgework.analysis.network.analyze_network` read — and the database allows one row per
wave, ego, alter and relation, so a double submit cannot store an answer twice.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.waves.models import (
    AbstractInvitation,
    AbstractInvitationToken,
    AbstractWave,
    wave_constraints,
)


class Relation(models.TextChoices):
    """What a nomination records; the weight is the 1–5 answer (1 for "new ideas")."""

    WORKS_WITH = "works_with", _("How often you work together")
    TRUST = "trust", _("How much you trust them")
    ENERGY = "energy", _("Whether interactions leave you energised")
    IDEAS = "ideas", _("Go to for new ideas")


class NetworkWave(AbstractWave):
    """One administration of the network survey."""

    organisations = models.ManyToManyField("directory.Organisation", related_name="+", blank=True)

    class Meta(AbstractWave.Meta):
        constraints = [
            *wave_constraints("network_wave"),
            models.UniqueConstraint(
                "network",
                Lower("name"),
                name="network_wave_name_ci_unique",
                violation_error_message="A network survey with this name already exists.",
            ),
        ]


class NetworkInvitation(AbstractInvitation):
    """One person's place in one network wave, and whether they let coordinators see their
    name on the network map (``consent_named``; unanswered counts as no)."""

    wave = models.ForeignKey(NetworkWave, on_delete=models.CASCADE, related_name="invitations")
    consent_named = models.BooleanField(null=True, blank=True)

    class Meta(AbstractInvitation.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "person"], name="network_invitation_unique_person"
            )
        ]

    def __str__(self) -> str:
        return f"network invitation {self.pk} to {self.wave}"


class NetworkInvitationToken(AbstractInvitationToken):
    """The digest of one link to a network invitation (a reminder adds a link; all stay
    valid until the wave closes)."""

    invitation = models.ForeignKey(
        NetworkInvitation, on_delete=models.CASCADE, related_name="tokens"
    )

    def __str__(self) -> str:
        return f"link to network invitation {self.invitation_id}"


class Nomination(models.Model):
    """One tie: ``ego`` named ``alter`` for ``relation`` with ``weight`` (1–5)."""

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE)
    wave = models.ForeignKey(NetworkWave, on_delete=models.CASCADE, related_name="nominations")
    ego = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="+")
    alter = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="+")
    relation = models.CharField(max_length=40)
    weight = models.FloatField()
    imported = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "ego", "alter", "relation"], name="nomination_unique"
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="nomination_weight_gt_0"),
            models.CheckConstraint(
                condition=~models.Q(ego=models.F("alter")), name="nomination_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ego_id} → {self.alter_id} ({self.relation})"


#: Most outside organisations one respondent can list: plenty for real answers, and a bound on
#: what one form submission can write.
OUTSIDE_CONTACTS_MAX = 50


class OutsideContact(models.Model):
    """A contact outside the directory, recorded by organisation only (no name)."""

    invitation = models.ForeignKey(
        NetworkInvitation, on_delete=models.CASCADE, related_name="outside_contacts"
    )
    organisation = models.CharField(max_length=200)

    class Meta:
        ordering = ["organisation"]
        constraints = [
            models.UniqueConstraint(
                "invitation", Lower("organisation"), name="outside_contact_unique"
            )
        ]

    def __str__(self) -> str:
        return self.organisation


class NominationImport(models.Model):
    """An uploaded nominations file, kept between preview and confirmation."""

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE)
    wave = models.ForeignKey(NetworkWave, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    checked = models.JSONField(
        default=dict,
        blank=True,
        help_text="A file checked in the worker: its count and first rows, or its problems.",
    )

    def __str__(self) -> str:
        return self.filename


class RolesInvitation(models.Model):
    """One person's link to the network roles self-assessment, and their answers.

    ``answers`` maps item ids of :data:`bridgework.analysis.roles_assessment.ITEMS` to 1–5.
    ``consent`` lets coordinators see their self-view beside their network view.
    """

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE)
    person = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    answers = models.JSONField(default=dict, blank=True)
    consent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["network", "person"], name="roles_invitation_unique")
        ]

    def __str__(self) -> str:
        return f"roles self-assessment of person {self.person_id}"


class ResultsRelease(models.Model):
    """The answers behind the figures last shown for a network wave (``wave:<id>``) or for the
    roles self-assessment mix (``roles``), frozen when they were released.

    Pages compute their figures from these, not from the live answers, and a new release is
    made only when :func:`bridgework.analysis.privacy.stable_release` allows it, so no two
    views differ by one person's answers.

    ``figures`` is the frozen, aggregate-only form of what the pages show (no answer and no
    person id in it), stored by :func:`bridgework.ona.releases.release_freeze` before an
    erasure or the retention job takes answers out of ``answers``. Once it is there, the
    organisation-level pages and the roles mix are served from it: for good on a closed wave,
    and until the next release otherwise (a new release empties it).
    """

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE)
    wave = models.ForeignKey(
        NetworkWave, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    scope = models.CharField(max_length=40)
    respondents = models.JSONField(default=list)
    answers = models.JSONField(default=dict)
    figures = models.JSONField(default=dict, blank=True)
    released_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "scope"], name="results_release_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} released {self.released_at:%Y-%m-%d %H:%M}"


class AnalysisRequest(models.Model):
    """The figures one map page needs, asked for while they were not in the cache and the
    network was too large to compute them while a person waited: the ``network-analysis``
    job computes them into the shared cache (:mod:`bridgework.ona.analyses`).

    ``key`` is a digest of the cache keys the page reads (the same keys, from the same key
    functions), so it changes with every release and filter: two requests for the same
    figures find the same row, and the job system allows one active job per row.
    """

    class Page(models.TextChoices):
        ORGANISATIONS = "organisations"
        PEOPLE = "people"

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(NetworkWave, on_delete=models.CASCADE, related_name="+")
    page = models.CharField(max_length=20, choices=Page.choices)
    relation = models.CharField(max_length=40, blank=True)
    min_weight = models.PositiveSmallIntegerField(null=True, blank=True)
    key = models.CharField(max_length=64, help_text="Digest of the cache keys it fills.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "key"], name="analysis_request_unique"),
            models.CheckConstraint(
                condition=models.Q(page__in=["organisations", "people"]),
                name="analysis_request_page_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.page} analysis of wave {self.wave_id}"

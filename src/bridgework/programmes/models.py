"""Coffee programmes, their guides, enrolments, rounds, matches and feedback.

A **programme** runs **rounds** on a cadence; each round's pairs or trios are **matches** made by
the pairing engine from the programme's **enrolments**. Everyone in a round has one
:class:`RoundPlace` (matched, sat out or held out), so "who was held out" — the comparison
group of the evaluation — is a fact in the database, not something recomputed. The database
guarantees one feedback per person and match and one place per person and round.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.matching import MAX_HOLDOUT_SHARE

HOLDOUT_SHARE_MESSAGE = f"The holdout share must be between 0 and {MAX_HOLDOUT_SHARE:g}."


class Guide(models.Model):
    """A conversation guide sent with introductions. Built-in guides are copied into each
    network the first time it is used (``builtin_key`` set), so coordinators may edit them."""

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE, related_name="+")
    builtin_key = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="One prompt per line. Shown in introductions.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint("network", Lower("title"), name="guide_title_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def prompts(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]


class Programme(models.Model):
    """A recurring pairing programme with its cadence and matching policy in plain words."""

    class Audience(models.TextChoices):
        NETWORK = "network", _("Everyone in the network")
        ORGANISATIONS = "organisations", _("People in some organisations")
        OPEN = "open", _("Open sign-up across agencies")

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        FORTNIGHTLY = "fortnightly", _("Fortnightly")
        MONTHLY = "monthly", _("Monthly")

    class OddRule(models.TextChoices):
        TRIO = "trio", _("Make a trio")
        SIT_OUT = "sit_out", _("One person sits out (first in line next round)")

    network = models.ForeignKey(
        "directory.Network", on_delete=models.CASCADE, related_name="programmes"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.OPEN)
    organisations = models.ManyToManyField("directory.Organisation", related_name="+", blank=True)
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.FORTNIGHTLY)
    weekday = models.PositiveSmallIntegerField(
        default=0, help_text="Day rounds start: 0 Monday … 6 Sunday."
    )
    meeting_time = models.TimeField(default="10:00", help_text="Suggested time to meet.")
    time_zone = models.CharField(max_length=64, default="UTC")
    group_size = models.PositiveSmallIntegerField(default=2)
    odd_rule = models.CharField(max_length=10, choices=OddRule.choices, default=OddRule.TRIO)
    prefer_other_agencies = models.BooleanField(default=True)
    require_other_agencies = models.BooleanField(default=False)
    no_repeat_months = models.PositiveSmallIntegerField(default=6)
    bridge_weak_rc = models.BooleanField(default=True)
    match_interests = models.BooleanField(default=True)
    avoid_network_ties = models.BooleanField(default=True)
    holdout_share = models.FloatField(
        default=0.0,
        validators=[
            MinValueValidator(0.0, message=HOLDOUT_SHARE_MESSAGE),
            MaxValueValidator(MAX_HOLDOUT_SHARE, message=HOLDOUT_SHARE_MESSAGE),
        ],
        help_text="Share of each round held out at random for the evaluation (0 to 0.5).",
    )
    guide = models.ForeignKey(Guide, on_delete=models.SET_NULL, null=True, blank=True)
    auto_publish = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    # The sign-up link is public by design (it is shared on intranets and in newsletters); it
    # grants nothing but the right to ask to join, confirmed by email.
    signup_code = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("network", Lower("name"), name="programme_name_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(group_size__in=[2, 3]), name="programme_group_size_2_or_3"
            ),
            models.CheckConstraint(
                condition=models.Q(holdout_share__gte=0, holdout_share__lte=MAX_HOLDOUT_SHARE),
                name="programme_holdout_share_0_to_half",
                violation_error_message=HOLDOUT_SHARE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="programme_weekday_0_to_6"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def period_days(self) -> int:
        return {"weekly": 7, "fortnightly": 14, "monthly": 28}[self.cadence]


class Enrolment(models.Model):
    """One person's place in a programme, with their profile and preferences."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Taking part")
        PAUSED = "paused", _("Paused")
        LEFT = "left", _("Left")

    class Mode(models.TextChoices):
        EITHER = "either", _("In person or by video")
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("By video")

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    paused_until = models.DateField(null=True, blank=True)
    works_on = models.CharField(max_length=300, blank=True)
    interests = models.CharField(max_length=300, blank=True)
    meeting_mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.EITHER)
    location = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    priority = models.BooleanField(default=False)
    consented_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="enrolment_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.programme}"

    def interest_set(self) -> frozenset[str]:
        return frozenset(i.strip().casefold() for i in self.interests.split(",") if i.strip())


class EnrolmentToken(models.Model):
    """The digest of one personal link (pause, preferences, leave, match page, feedback)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"link to enrolment {self.enrolment_id}"


class SignupRequest(models.Model):
    """A request to join, waiting for its email confirmation. Confirmation creates (or finds)
    the directory person and the enrolment; nothing is added before the address is proven."""

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    organisation_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    profile = models.JSONField(default=dict, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-up of {self.email}"


class Round(models.Model):
    """One dated set of matches. ``seed`` is stored so a re-draw gives the same matches."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    seed = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    solver = models.CharField(max_length=20, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="round_number_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="round_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"round {self.number}"

    @property
    def is_drawn(self) -> bool:
        """Whether its matches have been drawn (a round created from a page is drawn by a
        job, a moment after it is recorded)."""
        return bool(self.solver)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Match(models.Model):
    """A pair or trio in a round, with the engine's score and reasons and a suggested slot."""

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField()
    reasons = models.JSONField(default=list, blank=True)
    suggested_at = models.DateTimeField()
    # The invitation's iCalendar SEQUENCE (RFC 5545 3.8.7.4): 0 when introduced, one more
    # with every update or cancellation sent after publishing, so calendars take the latest.
    calendar_sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"match {self.pk}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class RoundPlace(models.Model):
    """What happened to one enrolled person in a round: matched, sat out or held out."""

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("Matched")
        SIT_OUT = "sit_out", _("Sat out")
        HOLDOUT = "holdout", _("Held out")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="places")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="places")
    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, null=True, blank=True, related_name="places"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "enrolment"], name="round_place_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} in {self.round}: {self.outcome}"


class Feedback(models.Model):
    """One person's one-minute feedback on their match."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="feedback")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    met = models.BooleanField()
    usefulness = models.PositiveSmallIntegerField(null=True, blank=True)
    will_work_together = models.BooleanField(default=False)
    reflection = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match", "enrolment"], name="feedback_one_per_person"),
            models.CheckConstraint(
                condition=models.Q(usefulness__isnull=True)
                | models.Q(usefulness__gte=1, usefulness__lte=5),
                name="feedback_usefulness_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"feedback on match {self.match_id}"


class DashboardRelease(models.Model):
    """The answers behind a dashboard figure as last shown, frozen when released: one round's
    feedback (``round:<id>``) or the matched-versus-held-out comparison on one network wave
    (``ties:<wave id>``).

    The dashboard computes from these, and releases anew only when
    :func:`bridgework.analysis.privacy.stable_release` allows it, so no two views differ by one
    person's feedback or survey answer.

    ``figures`` is the frozen, aggregate-only form of the figure (counts, no answer and no
    person id), stored by :func:`bridgework.programmes.dashboard.dashboard_person_scrub` before
    an erasure takes a person's answers out of ``answers``; the dashboard reads it until the
    next release of that figure (a new release empties it).
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40)
    respondents = models.JSONField(default=list)
    answers = models.JSONField(default=dict)
    figures = models.JSONField(default=dict, blank=True)
    released_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "scope"], name="dashboard_release_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} of programme {self.programme_id}"

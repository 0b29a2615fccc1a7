"""Networks (tenants), memberships, and the directory of organisations, teams, workgroups and
people. Every directory record carries its network, so every query can start from it."""

from __future__ import annotations

import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.analysis.privacy import (
    ABSOLUTE_MAXIMUM,
    ABSOLUTE_MINIMUM,
    DEFAULT_MIN_GROUP_SIZE,
    MIN_GROUP_SIZE_MESSAGE,
)


class Role(models.TextChoices):
    """What a login may do in a network, from most to least."""

    OWNER = "owner", _("Owner")
    COORDINATOR = "coordinator", _("Coordinator")
    ANALYST = "analyst", _("Analyst (read-only)")


#: Rank used to check "at least this role".
ROLE_RANK = {Role.ANALYST: 1, Role.COORDINATOR: 2, Role.OWNER: 3}


def language_codes() -> list[str]:
    """The codes of the languages pages and emails are offered in (``settings.LANGUAGES``)."""
    return [code for code, _ in settings.LANGUAGES]


#: The validators of every minimum-group-size field (networks and waves): the core's one bound.
MIN_GROUP_SIZE_VALIDATORS = [
    MinValueValidator(ABSOLUTE_MINIMUM, message=MIN_GROUP_SIZE_MESSAGE),
    MaxValueValidator(ABSOLUTE_MAXIMUM, message=MIN_GROUP_SIZE_MESSAGE),
]


def min_group_size_constraint(prefix: str) -> models.CheckConstraint:
    """The database's copy of the same bound, named ``<prefix>_min_group_size_in_bounds``."""
    return models.CheckConstraint(
        condition=models.Q(
            min_group_size__gte=ABSOLUTE_MINIMUM, min_group_size__lte=ABSOLUTE_MAXIMUM
        ),
        name=f"{prefix}_min_group_size_in_bounds",
        violation_error_message=MIN_GROUP_SIZE_MESSAGE,
    )


def validate_language(value: str) -> None:
    """Accept one of ``settings.LANGUAGES``'s codes, or blank (kept out of the field's choices
    so that adding a language needs a catalogue, not a migration)."""
    if value and value not in language_codes():
        raise ValidationError(
            f"“{value}” is not a language offered here; use one of: {', '.join(language_codes())}."
        )


class Network(models.Model):
    """A tenant: one system of care or improvement community."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    min_group_size = models.PositiveSmallIntegerField(
        default=DEFAULT_MIN_GROUP_SIZE,
        validators=MIN_GROUP_SIZE_VALIDATORS,
        help_text=(
            f"Smallest number of respondents behind any figure shown ({ABSOLUTE_MINIMUM} to "
            f"{ABSOLUTE_MAXIMUM})."
        ),
    )
    retention_days = models.PositiveIntegerField(
        "Keep raw answers for (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=(
            "Raw survey answers are deleted this many days after a survey closes; published "
            "results stay. Leave blank to keep them."
        ),
    )
    default_language = models.CharField(
        "Default language",
        max_length=10,
        default="en",
        validators=[validate_language],
        help_text=(
            "Emails and personal-link pages use it for people without a language of their own."
        ),
    )
    password_sign_in = models.BooleanField(
        "local passwords",
        default=True,
        help_text="Off: the network's logins sign in through single sign-on only.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            min_group_size_constraint("network"),
            models.CheckConstraint(
                condition=models.Q(retention_days__isnull=True) | models.Q(retention_days__gte=1),
                name="network_retention_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The network's time zone: pages and emails show dates and times in it, and dates
        typed into forms mean this zone. An unknown name falls back to UTC."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class Membership(models.Model):
    """A login's role in one network."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["network__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "network"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.network} · {self.role}"

    def has_role(self, minimum: str) -> bool:
        """Whether this membership is at least ``minimum`` (owner > coordinator > analyst)."""
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(minimum)]


class Organisation(models.Model):
    """An agency or provider in a network."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=100, blank=True, help_text="For example: child welfare.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "network",
                Lower("name"),
                name="organisation_name_ci_unique",
                violation_error_message="An organisation with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A unit inside an organisation."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="teams")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                name="team_name_ci_unique",
                violation_error_message="This organisation already has a team with this name.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"

    def clean(self) -> None:
        if self.organisation_id and self.organisation.network_id != self.network_id:
            raise ValidationError({"organisation": "Choose an organisation in this network."})


class Workgroup(models.Model):
    """A role in a focal work process (Relational Coordination's unit of analysis)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="workgroups")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "network",
                Lower("name"),
                name="workgroup_name_ci_unique",
                violation_error_message="A workgroup with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name


@functools.cache
def _zone_names() -> frozenset[str]:
    # Reading the zone database walks the file system: once per process, not once per row.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """Accept an IANA time zone name such as ``Europe/London``, or blank."""
    if value and value not in _zone_names():
        raise ValidationError(f"“{value}” is not a time zone name such as Europe/London.")


class Person(models.Model):
    """A member of staff in the directory. Not a login."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    workgroup = models.ForeignKey(
        Workgroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    job_title = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    language = models.CharField(
        max_length=10,
        blank=True,
        validators=[validate_language],
        help_text="Emails and personal-link pages in this language; blank means the network's.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                "network",
                Lower("email"),
                name="person_email_ci_unique",
                violation_error_message="Someone in the directory already has this email address.",
            )
        ]
        indexes = [models.Index(fields=["network", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def language_in_force(self) -> str:
        """The language this person's emails and personal-link pages are in."""
        return language_for(self, self.network)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for field in ("organisation", "team", "workgroup", "manager"):
            related = getattr(self, field)
            if related is not None and related.network_id != self.network_id:
                errors[field] = "Choose one from this network."
        if self.team is not None and self.team.organisation_id != self.organisation_id:
            errors["team"] = "This team belongs to another organisation."
        if self.manager_id is not None and self.manager_id == self.pk:
            errors["manager"] = "A person cannot be their own manager."
        if errors:
            raise ValidationError(errors)


def language_for(person: Person | None, network: Network | None) -> str:
    """The language to write to ``person`` in: their own, else their network's default
    (given separately so a batch of emails needs no query per person)."""
    return (
        (person.language if person is not None else "")
        or (network.default_language if network is not None else "")
        or settings.LANGUAGE_CODE
    )


class PeopleImport(models.Model):
    """An uploaded people file, kept between preview and confirmation, then as history."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        PREVIEW = "preview", _("Waiting for confirmation")
        REFUSED = "refused", _("Refused: the file has problems")
        APPLIED = "applied", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEW)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    checked = models.JSONField(
        default=dict,
        blank=True,
        help_text="A file checked in the worker: its preview (the plan) or its problems.",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

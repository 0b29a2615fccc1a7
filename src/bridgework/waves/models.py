"""What every survey wave and invitation has, whatever the instrument.

A **wave** is one administration of a survey (RC, network mapping) with open and close times,
a minimum group size and a reminder rhythm; an **invitation** is one person's place in a wave,
reached through one or more unguessable links whose digests are kept in an
:class:`AbstractInvitationToken` (a reminder adds a link; all stay valid until the wave
closes). The models here are abstract: each instrument's concrete models keep their own
tables, their own link to their wave and whatever else is theirs (an RC invitation's
workgroup, a network invitation's consent to be named).

Database constraints keep the names they had when each instrument defined them, so
:func:`wave_constraints` takes the name prefix.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from bridgework.analysis.privacy import (
    ABSOLUTE_MAXIMUM,
    ABSOLUTE_MINIMUM,
    DEFAULT_MIN_GROUP_SIZE,
    min_group_size_in_force,
)
from bridgework.directory.models import MIN_GROUP_SIZE_VALIDATORS, min_group_size_constraint

__all__ = [
    "MAX_REMINDER_EVERY_DAYS",
    "AbstractInvitation",
    "AbstractInvitationToken",
    "AbstractWave",
    "wave_constraints",
]


#: The longest reminder rhythm a wave may have, in days: the one bound of the setting, kept by
#: the field's validator (forms, services' ``full_clean``) and by the database.
MAX_REMINDER_EVERY_DAYS = 60
REMINDER_EVERY_DAYS_MESSAGE = (
    f"Reminders can be sent every 0 to {MAX_REMINDER_EVERY_DAYS} days (0: only by hand)."
)


def wave_constraints(prefix: str) -> list[models.BaseConstraint]:
    """The checks every wave table carries, named ``<prefix>_min_group_size_in_bounds``,
    ``<prefix>_closes_after_opening`` and ``<prefix>_reminder_every_days_lte_60``."""
    return [
        min_group_size_constraint(prefix),
        models.CheckConstraint(
            condition=models.Q(closes_at__gt=models.F("opens_at")),
            name=f"{prefix}_closes_after_opening",
            violation_error_message="The wave must close after it opens.",
        ),
        models.CheckConstraint(
            condition=models.Q(reminder_every_days__lte=MAX_REMINDER_EVERY_DAYS),
            name=f"{prefix}_reminder_every_days_lte_{MAX_REMINDER_EVERY_DAYS}",
            violation_error_message=REMINDER_EVERY_DAYS_MESSAGE,
        ),
    ]


class AbstractWave(models.Model):
    """One administration of a survey: scheduled, then open, then closed.

    Concrete waves add their Meta constraints with :func:`wave_constraints` (abstract
    constraints would need one name for every table).
    """

    network = models.ForeignKey(
        "directory.Network", on_delete=models.CASCADE, related_name="%(class)ss"
    )
    name = models.CharField(max_length=200)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    min_group_size = models.PositiveSmallIntegerField(
        default=DEFAULT_MIN_GROUP_SIZE,
        validators=MIN_GROUP_SIZE_VALIDATORS,
        help_text=(
            f"Smallest number of respondents behind any figure shown ({ABSOLUTE_MINIMUM} to "
            f"{ABSOLUTE_MAXIMUM}; 5 is usual)."
        ),
    )
    reminder_every_days = models.PositiveSmallIntegerField(
        default=0,
        validators=[
            MaxValueValidator(MAX_REMINDER_EVERY_DAYS, message=REMINDER_EVERY_DAYS_MESSAGE)
        ],
        help_text="Remind those who have not finished every so many days (0: never).",
    )
    last_reminders_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-opens_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.opens_at <= timezone.now() < self.closes_at

    @property
    def is_closed(self) -> bool:
        return timezone.now() >= self.closes_at

    @property
    def status(self) -> str:
        if self.is_closed:
            return "closed"
        return "open" if self.is_open else "scheduled"

    @property
    def min_group_size_in_force(self) -> int:
        """The minimum group size every figure of this wave obeys (the network's own applies
        when it is larger: a wave can ask for more privacy than its network, never less)."""
        return min_group_size_in_force(self.network.min_group_size, self.min_group_size)

    def reminders_due(self, now: datetime) -> bool:
        """Whether a scheduled reminder round is due at ``now``: the wave is open, has a
        reminder interval, and its last round (or, without one, its opening) is at least that
        long ago."""
        if not self.reminder_every_days or not self.opens_at <= now < self.closes_at:
            return False
        last = self.last_reminders_at or self.opens_at
        return now - last >= timedelta(days=self.reminder_every_days)


class AbstractInvitation(models.Model):
    """One person's place in one wave. Concrete invitations add the ``wave`` foreign key
    (``related_name="invitations"``) and a unique ``(wave, person)`` constraint."""

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE)
    person = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["pk"]


class AbstractInvitationToken(models.Model):
    """The digest of one link to an invitation (see :mod:`bridgework.tokens`). Concrete
    tokens add the ``invitation`` foreign key (``related_name="tokens"``)."""

    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

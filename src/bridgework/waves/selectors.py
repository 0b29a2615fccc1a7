"""How far a wave has got, once for every instrument.

:func:`wave_progress` counts a wave's invitations overall and by each grouping the instrument
asks for (RC: workgroup and organisation; network surveys: organisation), in one aggregate
and one grouped query per grouping. Names of who has or has not answered are never part of
it.

Who may see which count is decided here, for every instrument and every row alike: readers
who run the survey (coordinators, who chase answers) get every count; others (analysts) do
not get the answered and finished counts of a group where fewer than the minimum group size
have answered, nor of the groups that must also go so that such a count cannot be worked out
from the total (:func:`bridgework.analysis.privacy.counts_to_hide`), nor the overall counts
when fewer than the minimum have answered in all. With a handful invited, those counts say
who answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from django.db.models import Count, Q, QuerySet

from bridgework.analysis.privacy import counts_to_hide

if TYPE_CHECKING:
    from bridgework.directory.models import Person
    from bridgework.waves.models import AbstractWave

__all__ = [
    "Progress",
    "ProgressRow",
    "eligible",
    "eligible_people",
    "invitations_pending",
    "wave_progress",
]

#: The name of a group whose invitations have no value for the grouping field.
NO_GROUP = "No organisation"

_COUNTS = {
    "invited": Count("pk"),
    "answered": Count("pk", filter=Q(started_at__isnull=False)),
    "completed": Count("pk", filter=Q(completed_at__isnull=False)),
}


@dataclass(frozen=True)
class ProgressRow:
    """Response counts of one group of invited people.

    ``answered`` counts people who gave at least one answer (the results count them as
    respondents); ``completed`` those who also pressed "finish". Both are ``None`` when the
    reader may not see them. ``rate`` is the share of those invited counted by the
    instrument's measure (answered or finished), ``None`` when hidden.
    """

    name: str
    invited: int
    answered: int | None
    completed: int | None
    rate: float | None
    below_minimum: bool
    low_rate: bool

    @property
    def hidden(self) -> bool:
        return self.answered is None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


@dataclass(frozen=True)
class Progress:
    """A wave's progress: ``overall`` and one tuple of rows per grouping, by its key."""

    overall: ProgressRow
    groupings: Mapping[str, tuple[ProgressRow, ...]]
    min_group_size: int
    threshold_percent: int

    @property
    def by_organisation(self) -> tuple[ProgressRow, ...]:
        return self.groupings.get("organisation", ())

    @property
    def by_workgroup(self) -> tuple[ProgressRow, ...]:
        return self.groupings.get("workgroup", ())


def _row(
    name: str,
    counts: Mapping[str, int],
    *,
    k: int,
    measure: str,
    low_rate: float,
    hidden: bool,
) -> ProgressRow:
    invited, measured = counts["invited"], counts[measure]
    rate = measured / invited if invited else 0.0
    return ProgressRow(
        name=name,
        invited=invited,
        answered=None if hidden else counts["answered"],
        completed=None if hidden else counts["completed"],
        rate=None if hidden else rate,
        # Not said of a hidden count: "hidden, and not for being small" would say it is not.
        below_minimum=not hidden and measured < k,
        low_rate=not hidden and bool(invited) and rate < low_rate,
    )


def wave_progress(
    invitations: QuerySet,
    *,
    min_group_size: int,
    groupings: Mapping[str, str],
    small_counts: bool,
    measure: Literal["answered", "completed"],
    low_rate: float,
    overall_name: str,
) -> Progress:
    """Counts of a wave's ``invitations`` overall and by each grouping.

    Parameters
    ----------
    invitations
        The wave's invitations (any concrete invitation model).
    min_group_size
        The wave's minimum group size in force.
    groupings
        Grouping key → the field path of the group's name, e.g.
        ``{"organisation": "organisation__name"}``.
    small_counts
        Whether the reader sees every count (coordinators) or not (analysts).
    measure
        Which count the response rate and the "under the minimum" warning are of.
    low_rate
        Response rate under which a group is flagged.
    overall_name
        The overall row's name.
    """
    k = min_group_size
    common = {"k": k, "measure": measure, "low_rate": low_rate}
    totals = invitations.aggregate(**_COUNTS)
    hide_overall = not small_counts and bool(
        counts_to_hide({overall_name: totals["answered"]}, min_group_size=k)
    )
    rows: dict[str, tuple[ProgressRow, ...]] = {}
    for key, path in groupings.items():
        grouped = [
            dict(g, name=g[path] or NO_GROUP)
            for g in invitations.values(path).annotate(**_COUNTS).order_by(path)
        ]
        hidden = (
            set()
            if small_counts
            else counts_to_hide(
                {g["name"]: g["answered"] for g in grouped},
                min_group_size=k,
                sizes={g["name"]: g["invited"] for g in grouped},
            )
        )
        rows[key] = tuple(_row(g["name"], g, hidden=g["name"] in hidden, **common) for g in grouped)
    return Progress(
        overall=_row(overall_name, totals, hidden=hide_overall, **common),
        groupings=MappingProxyType(rows),
        min_group_size=k,
        threshold_percent=round(100 * low_rate),
    )


def invitations_pending(wave: AbstractWave) -> int:
    """How many of the wave's invitations are not finished (those a reminder would reach,
    before the gap between reminders is applied)."""
    return wave.invitations.filter(completed_at__isnull=True).count()


def eligible(prefix: str = "") -> Q:
    """Who can be asked, as a condition on a person (``prefix`` reaches the person from
    another model, e.g. ``"person__"``): active, with an email address that is not blank."""
    return Q(**{f"{prefix}active": True}) & ~Q(**{f"{prefix}email__regex": r"^\s*$"})


def eligible_people(people: QuerySet[Person]) -> QuerySet[Person]:
    """The people of ``people`` who can be asked (:func:`eligible`). Every instrument, and
    the roles self-assessment, invites through this filter."""
    return people.filter(eligible())

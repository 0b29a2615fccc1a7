"""Releases: the answers behind a network wave's figures (and the roles self-assessment
mix) as last shown, frozen when they were released.

Live figures that follow every answer give it away: the page after it minus the page before
it is that answer. So the pages compute from a :class:`Release`, and a new one is made only
when :func:`bridgework.analysis.privacy.stable_release` allows it — once at least the
minimum group size of new people have answered since the last — with everything the
figures read frozen together (ties, outside organisations, respondents, consents to be
named, the directory rows of the people asked), so neither filters nor directory edits can
be played against a change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from bridgework.analysis.privacy import stable_release
from bridgework.directory.models import Person
from bridgework.ona.models import (
    NetworkWave,
    Nomination,
    OutsideContact,
    ResultsRelease,
    RolesInvitation,
)

__all__ = [
    "Release",
    "consenting_ids",
    "people_by_id",
    "released",
    "released_assessments",
    "released_roles",
]


@dataclass(frozen=True)
class Release:
    """The answers of a wave as last released (:class:`~bridgework.ona.models.ResultsRelease`):
    every figure of the wave's pages is computed from these, never from the live answers."""

    key: str
    rows: list[dict]
    nominations: list[dict]
    respondents: set[str]
    outside: list[tuple[str, str]]
    consent: set[str]
    #: The frozen, aggregate-only figures (empty until an erasure or retention froze them).
    figures: dict

    def nominations_at(self, min_weight: int | None) -> list[dict]:
        """The released ties answered at least ``min_weight`` strongly (all when ``None``)."""
        if not min_weight:
            return list(self.nominations)
        return [n for n in self.nominations if n["weight"] >= min_weight]


def people_by_id(wave: NetworkWave) -> dict[str, Person]:
    """The network's directory people by id (as text, the analysis's ids)."""
    return {
        str(p.pk): p
        for p in Person.objects.filter(network_id=wave.network_id).select_related(
            "organisation", "team", "workgroup"
        )
    }


def consenting_ids(wave: NetworkWave) -> set[str]:
    """People who agreed to be named on the map to coordinators."""
    return {
        str(pk)
        for pk in wave.invitations.filter(consent_named=True).values_list("person_id", flat=True)
    }


def _respondent_ids(wave: NetworkWave) -> set[str]:
    """Who counts as a respondent: anyone who gave an answer, and everyone present as a
    respondent in an imported file."""
    respondents = {
        str(pk)
        for pk in wave.invitations.filter(started_at__isnull=False).values_list(
            "person_id", flat=True
        )
    }
    respondents |= {
        str(pk)
        for pk in Nomination.objects.filter(wave=wave, imported=True).values_list(
            "ego_id", flat=True
        )
    }
    return respondents


def _live_answers(wave: NetworkWave, respondents: set[str]) -> dict[str, Any]:
    """The analysis inputs as they stand now: the directory rows of the people asked (so a
    later move between organisations cannot be differenced either), every tie and the
    outside organisations named."""
    people = people_by_id(wave)
    rows = [
        {
            "id": pid,
            "organisation": p.organisation.name if p.organisation else "",
            "team": p.team.name if p.team else "",
            "workgroup": p.workgroup.name if p.workgroup else "",
        }
        for pid, p in people.items()
    ]
    noms = [
        {"ego": str(e), "alter": str(a), "relation": r, "weight": w}
        for e, a, r, w in Nomination.objects.filter(wave=wave)
        .order_by("pk")
        .values_list("ego_id", "alter_id", "relation", "weight")
    ]
    invited = {str(pk) for pk in wave.invitations.values_list("person_id", flat=True)}
    if invited or respondents:
        # Only the people asked (or present in an imported file) count towards the response rate.
        asked = invited | respondents | {n[k] for n in noms for k in ("ego", "alter")}
        rows = [r for r in rows if r["id"] in asked]
    outside = [
        [str(pid), name]
        for pid, name in OutsideContact.objects.filter(invitation__wave=wave)
        .order_by("pk")
        .values_list("invitation__person_id", "organisation")
    ]
    return {
        "rows": rows,
        "nominations": noms,
        "outside": outside,
        "consent": sorted(consenting_ids(wave)),
    }


def _release_row(
    network_id: int,
    scope: str,
    current: set[str],
    build: Callable[[], Any],
    *,
    min_group_size: int,
    wave: NetworkWave | None = None,
    renew: bool = True,
) -> ResultsRelease:
    """The release of ``scope``, renewed with ``build()`` when
    :func:`~bridgework.analysis.privacy.stable_release` allows it, else as last shown."""
    try:
        with transaction.atomic():
            row = (
                ResultsRelease.objects.select_for_update()
                .filter(network_id=network_id, scope=scope)
                .first()
            )
            previous = None if row is None else row.respondents
            if (row is None or renew) and stable_release(
                previous, current, min_group_size=min_group_size
            ):
                row, _ = ResultsRelease.objects.update_or_create(
                    network_id=network_id,
                    scope=scope,
                    defaults={
                        "wave": wave,
                        "respondents": sorted(current),
                        "answers": build(),
                        "figures": {},
                        "released_at": timezone.now(),
                    },
                )
    except IntegrityError:  # another request made the first release at the same moment
        row = ResultsRelease.objects.get(network_id=network_id, scope=scope)
    return row


def released(wave: NetworkWave) -> Release:
    """The wave's answers as last released, releasing the current ones first when
    :func:`~bridgework.analysis.privacy.stable_release` allows it (at least the minimum group
    size of new respondents since the last release, or nothing shown before).

    A closed wave whose figures were frozen (:func:`bridgework.ona.freezing.wave_freeze`)
    is never released again: its published figures are its record."""
    current = _respondent_ids(wave)
    row = _release_row(
        wave.network_id,
        f"wave:{wave.pk}",
        current,
        lambda: _live_answers(wave, current),
        min_group_size=wave.min_group_size_in_force,
        wave=wave,
        renew=not (wave.is_closed and _frozen(wave.network_id, f"wave:{wave.pk}")),
    )
    answers = row.answers
    return Release(
        # The sizes too: an erasure takes a person out of a release without a new one.
        key=(
            f"{wave.pk}:{wave.created_at.timestamp()}:{row.pk}:{row.released_at.timestamp()}"
            f":{len(row.respondents)}:{len(answers['rows'])}:{len(answers['nominations'])}"
        ),
        rows=answers["rows"],
        nominations=answers["nominations"],
        respondents=set(row.respondents),
        outside=[tuple(o) for o in answers["outside"]],
        consent=set(answers["consent"]),
        figures=row.figures,
    )


def _frozen(network_id: int, scope: str) -> bool:
    return (
        ResultsRelease.objects.filter(network_id=network_id, scope=scope)
        .exclude(figures={})
        .exists()
    )


def released_assessments(network_id: int, *, min_group_size: int) -> dict[str, dict]:
    """The finished self-assessments (answers by person id) as last released for the mix:
    a new release only when :func:`~bridgework.analysis.privacy.stable_release` allows it,
    so the mix before and after one more self-assessment is the same."""
    return released_roles(network_id, min_group_size=min_group_size).answers


def released_roles(network_id: int, *, min_group_size: int) -> ResultsRelease:
    """The release row of the self-assessment mix (see :func:`released_assessments`); its
    ``figures`` hold the frozen mix when an erasure or retention froze it."""
    current = {
        str(pk): answers
        for pk, answers in RolesInvitation.objects.filter(
            network_id=network_id, completed_at__isnull=False
        ).values_list("person_id", "answers")
    }
    return _release_row(
        network_id, "roles", set(current), lambda: current, min_group_size=min_group_size
    )

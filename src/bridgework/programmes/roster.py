"""What the pairing engine is told about a round: who takes part, their past matches, weak
RC ties between workgroups and existing network ties, and the suggested meeting slots.

These are reads (no state changes); :func:`bridgework.programmes.services.round_draw` calls
them inside its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from bridgework.directory.models import Network
from bridgework.matching import Participant, PastMatch
from bridgework.ona.models import Nomination
from bridgework.ona.selectors import latest_closed_network_wave
from bridgework.programmes.models import Enrolment, Programme, Round, RoundPlace


def taking_part(programme: Programme, on: date) -> QuerySet[Enrolment]:
    """Enrolments in a round starting ``on``: active, or paused until no later than ``on``."""
    return (
        programme.enrolments.filter(person__active=True)
        .filter(
            Q(status=Enrolment.Status.ACTIVE)
            | Q(status=Enrolment.Status.PAUSED, paused_until__lte=on)
        )
        .select_related("person__organisation", "person__team", "person__workgroup")
        .order_by("pk")
    )


def participant_for(enrolment: Enrolment) -> Participant:
    person = enrolment.person
    mode = enrolment.meeting_mode
    location = enrolment.location or person.location
    if mode == "in_person" and not location:
        mode = "either"
    return Participant(
        id=str(enrolment.pk),
        organisation=person.organisation.name if person.organisation else "",
        team=person.team.name if person.team else "",
        workgroup=person.workgroup.name if person.workgroup else "",
        location=location,
        time_zone=enrolment.time_zone or person.time_zone,
        mode=mode,  # type: ignore[arg-type]
        interests=enrolment.interest_set(),
        priority=enrolment.priority,
    )


def history_for(programme: Programme) -> list[PastMatch]:
    members: dict[int, list[tuple[int, date]]] = {}
    for match_id, enrolment_id, starts_on in RoundPlace.objects.filter(
        round__programme=programme, round__status=Round.Status.PUBLISHED, match__isnull=False
    ).values_list("match_id", "enrolment_id", "round__starts_on"):
        members.setdefault(match_id, []).append((enrolment_id, starts_on))
    past = []
    for group in members.values():
        for i, (a, when) in enumerate(group):
            for b, _ in group[i + 1 :]:
                past.append(PastMatch(str(a), str(b), when))
    return past


def weak_rc_ties(network: Network) -> list[tuple[str, str]]:
    """Workgroup pairs with weak RC in the network's latest closed RC wave, as published
    (shown cells only)."""
    from bridgework.surveys.results import published_analysis
    from bridgework.surveys.selectors import latest_closed_wave

    wave = latest_closed_wave(network)
    analysis = published_analysis(wave) if wave is not None else None
    if analysis is None:
        return []
    return [(c.rater, c.target) for c in analysis.cells if c.band == "weak" and not c.suppressed]


def network_ties(
    network: Network, enrolments: Mapping[str, Enrolment]
) -> list[tuple[str, str, float]]:
    """Ties between enrolled people named in the network's latest closed network survey wave,
    as ``(enrolment id, enrolment id, strength)`` — the engine prefers people not yet tied."""
    wave = latest_closed_network_wave(network)
    if wave is None:
        return []
    by_person = {e.person_id: key for key, e in enrolments.items()}
    ties = []
    for ego, alter, weight in Nomination.objects.filter(
        wave=wave, ego_id__in=by_person, alter_id__in=by_person
    ).values_list("ego_id", "alter_id", "weight"):
        if ego != alter:
            ties.append((by_person[ego], by_person[alter], max(float(weight), 0.0) or 1.0))
    return ties


def suggested_slot(
    programme: Programme, starts_on: date, index: int, *, not_before: datetime | None = None
) -> datetime:
    """A suggested meeting time: the programme's time on one of the round's first weekdays
    (matches are spread over three days), never a weekend and never before ``not_before`` — a
    round published on the afternoon it starts does not suggest that morning."""
    zone = ZoneInfo(programme.time_zone)
    at = programme.meeting_time or time(10)
    day = starts_on + timedelta(days=index % 3)
    while day.weekday() >= 5 or (
        not_before is not None and datetime.combine(day, at, zone) <= not_before
    ):
        day += timedelta(days=1)
    return datetime.combine(day, at, zone).astimezone(ZoneInfo("UTC"))

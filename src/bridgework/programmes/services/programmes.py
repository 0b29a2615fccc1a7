"""Programmes: creating and editing one, and enrolling its whole audience."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef

from bridgework.directory.models import Network, Organisation, Person
from bridgework.programmes.models import Enrolment, Guide, Programme
from bridgework.programmes.services._common import _save
from bridgework.programmes.services.guides import guides_ensure_builtin

__all__ = ["DEFAULT_MEETING_TIME", "enrol_audience", "programme_create", "programme_update"]

#: Suggested meeting time of a new programme (the model's default).
DEFAULT_MEETING_TIME = time(10, 0)


@transaction.atomic
def programme_create(
    *,
    network: Network,
    name: str,
    organisations: Iterable[Organisation] = (),
    description: str = "",
    audience: str = Programme.Audience.OPEN,
    cadence: str = Programme.Cadence.FORTNIGHTLY,
    weekday: int = 0,
    meeting_time: time = DEFAULT_MEETING_TIME,
    time_zone: str = "UTC",
    group_size: int = 2,
    odd_rule: str = Programme.OddRule.TRIO,
    prefer_other_agencies: bool = True,
    require_other_agencies: bool = False,
    no_repeat_months: int = 6,
    bridge_weak_rc: bool = True,
    match_interests: bool = True,
    avoid_network_ties: bool = True,
    holdout_share: float = 0.0,
    guide: Guide | None = None,
    auto_publish: bool = False,
    active: bool = True,
) -> Programme:
    """A new programme; its guide defaults to the interdependence guide. Raises
    ``ValidationError`` (naming the field) for settings out of range."""
    guides_ensure_builtin(network=network)
    if guide is None:
        guide = Guide.objects.filter(network=network, builtin_key="interdependence").first()
    return programme_update(
        programme=Programme(network=network, signup_code=secrets.token_urlsafe(12)),
        name=name,
        organisations=organisations,
        description=description,
        audience=audience,
        cadence=cadence,
        weekday=weekday,
        meeting_time=meeting_time,
        time_zone=time_zone,
        group_size=group_size,
        odd_rule=odd_rule,
        prefer_other_agencies=prefer_other_agencies,
        require_other_agencies=require_other_agencies,
        no_repeat_months=no_repeat_months,
        bridge_weak_rc=bridge_weak_rc,
        match_interests=match_interests,
        avoid_network_ties=avoid_network_ties,
        holdout_share=holdout_share,
        guide=guide,
        auto_publish=auto_publish,
        active=active,
    )


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    name: str,
    organisations: Iterable[Organisation] = (),
    description: str,
    audience: str,
    cadence: str,
    weekday: int,
    meeting_time: time,
    time_zone: str,
    group_size: int,
    odd_rule: str,
    prefer_other_agencies: bool,
    require_other_agencies: bool,
    no_repeat_months: int,
    bridge_weak_rc: bool,
    match_interests: bool,
    avoid_network_ties: bool,
    holdout_share: float,
    guide: Guide | None,
    auto_publish: bool,
    active: bool,
) -> Programme:
    """Change every setting of a programme at once (the edit form's fields); also writes a
    new, unsaved programme for :func:`programme_create`."""
    programme.name = name
    _apply(
        programme,
        {
            "description": description,
            "audience": audience,
            "cadence": cadence,
            "weekday": weekday,
            "meeting_time": meeting_time,
            "time_zone": time_zone,
            "group_size": group_size,
            "odd_rule": odd_rule,
            "prefer_other_agencies": prefer_other_agencies,
            "require_other_agencies": require_other_agencies,
            "no_repeat_months": no_repeat_months,
            "bridge_weak_rc": bridge_weak_rc,
            "match_interests": match_interests,
            "avoid_network_ties": avoid_network_ties,
            "holdout_share": holdout_share,
            "guide": guide,
            "auto_publish": auto_publish,
            "active": active,
        },
    )
    _check_programme(programme, list(organisations))
    _save(programme)
    programme.organisations.set(organisations)
    return programme


def _apply(programme: Programme, settings: dict[str, object]) -> None:
    for field, value in settings.items():
        setattr(programme, field, value)


def _check_programme(programme: Programme, organisations: list[Organisation]) -> None:
    if any(o.network_id != programme.network_id for o in organisations):
        raise ValidationError({"organisations": "Choose organisations of this network."})
    if programme.audience == Programme.Audience.ORGANISATIONS and not organisations:
        raise ValidationError({"organisations": "Choose at least one organisation."})
    if programme.guide is not None and programme.guide.network_id != programme.network_id:
        raise ValidationError({"guide": "Choose a guide of this network."})
    try:
        ZoneInfo(programme.time_zone)
    except (KeyError, ValueError) as exc:
        raise ValidationError({"time_zone": "Enter a time zone such as Europe/London."}) from exc


def enrol_audience(*, programme: Programme) -> int:
    """Enrol every active person of the programme's audience who is not enrolled yet (people
    who left stay out). For open programmes this enrols the whole directory."""
    people = Person.objects.filter(network=programme.network, active=True).exclude(email="")
    if programme.audience == Programme.Audience.ORGANISATIONS:
        people = people.filter(organisation__in=programme.organisations.all())
    enrolled = programme.enrolments.filter(person_id=OuterRef("pk"))
    people = list(people.filter(~Exists(enrolled)))
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                network=programme.network,
                programme=programme,
                person=p,
                location=p.location,
                time_zone=p.time_zone,
            )
            for p in people
        ]
    )
    return len(people)

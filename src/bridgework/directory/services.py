"""Changing the directory. One function per state change; views, the CLI and tests call these.

Each validates with ``full_clean()`` and writes in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.text import slugify

from bridgework.directory.models import (
    Membership,
    Network,
    Organisation,
    PeopleImport,
    Person,
    Role,
    Team,
    Workgroup,
)


def _save(instance: Model) -> Model:
    instance.full_clean()
    instance.save()
    return instance


def _apply(instance: Model, fields: dict[str, Any]) -> Model:
    for name, value in fields.items():
        setattr(instance, name, value)
    return _save(instance)


def unique_network_slug(name: str) -> str:
    """A free slug for a new network, derived from its name."""
    base = slugify(name)[:50] or "network"
    slug, counter = base, 2
    while Network.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@transaction.atomic
def network_create(*, name: str, owner: Any, slug: str = "", **fields: Any) -> Network:
    """Create a network and make ``owner`` its owner."""
    network = Network(name=name, slug=slug or unique_network_slug(name), **fields)
    _save(network)
    Membership.objects.create(user=owner, network=network, role=Role.OWNER)
    return network


@transaction.atomic
def network_settings_update(
    *, network: Network, min_group_size: int, retention_days: int | None
) -> dict[str, tuple[Any, Any]]:
    """Change a network's privacy settings; returns ``{field: (before, after)}`` of what
    changed, so the caller can record each change in the audit log."""
    wanted = {"min_group_size": min_group_size, "retention_days": retention_days}
    changes = {
        name: (getattr(network, name), value)
        for name, value in wanted.items()
        if getattr(network, name) != value
    }
    if changes:
        _apply(network, wanted)
    return changes


@transaction.atomic
def organisation_create(*, network: Network, **fields: Any) -> Organisation:
    return _save(Organisation(network=network, **fields))  # type: ignore[return-value]


@transaction.atomic
def organisation_update(*, organisation: Organisation, **fields: Any) -> Organisation:
    return _apply(organisation, fields)  # type: ignore[return-value]


@transaction.atomic
def team_create(*, network: Network, **fields: Any) -> Team:
    return _save(Team(network=network, **fields))  # type: ignore[return-value]


@transaction.atomic
def team_update(*, team: Team, **fields: Any) -> Team:
    if "organisation" in fields and fields["organisation"] != team.organisation:
        # People in the team move with it, so their organisation stays consistent.
        Person.objects.filter(team=team).update(organisation=fields["organisation"])
    return _apply(team, fields)  # type: ignore[return-value]


@transaction.atomic
def workgroup_create(*, network: Network, **fields: Any) -> Workgroup:
    return _save(Workgroup(network=network, **fields))  # type: ignore[return-value]


@transaction.atomic
def workgroup_update(*, workgroup: Workgroup, **fields: Any) -> Workgroup:
    return _apply(workgroup, fields)  # type: ignore[return-value]


@transaction.atomic
def person_create(*, network: Network, **fields: Any) -> Person:
    fields["email"] = fields["email"].strip()
    return _save(Person(network=network, **fields))  # type: ignore[return-value]


@transaction.atomic
def person_update(*, person: Person, **fields: Any) -> Person:
    if "email" in fields:
        fields["email"] = fields["email"].strip()
    return _apply(person, fields)  # type: ignore[return-value]


@transaction.atomic
def person_set_active(*, person: Person, active: bool) -> Person:
    """Deactivate (someone has left) or reactivate a person. Records are never deleted, so
    past survey waves and pairings keep their meaning."""
    person.active = active
    person.save(update_fields=["active", "updated_at"])
    return person


def people_deactivate(*, network: Network, person_ids: Iterable[int]) -> int:
    """Deactivate several people of the network at once; returns how many changed."""
    return Person.objects.filter(network=network, pk__in=list(person_ids), active=True).update(
        active=False
    )


def person_data_erase(*, person: Person, dry_run: bool = False) -> dict[str, int]:
    """Delete the directory record of ``person`` and uploaded people files containing their
    address. Call it last, once every feature app has erased its own records about them
    (``bridgework.governance.erasure``). Returns the counts by kind."""
    needle = person.email.casefold().encode()
    files = [
        pk
        for pk, content in PeopleImport.objects.filter(network_id=person.network_id).values_list(
            "pk", "content"
        )
        if needle in bytes(content).lower()
    ]
    counts = {"directory records": 1, "uploaded people files naming them": len(files)}
    if not dry_run:
        PeopleImport.objects.filter(pk__in=files).delete()
        person.delete()
    return counts

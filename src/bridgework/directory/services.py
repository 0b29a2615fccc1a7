"""Changing the directory. One function per state change; views, the CLI and tests call these.

Each validates with ``full_clean()`` and writes in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils.text import slugify

from bridgework.analysis.privacy import DEFAULT_MIN_GROUP_SIZE
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

if TYPE_CHECKING:
    from bridgework.accounts.models import User

M = TypeVar("M", bound=Model)


def _save(instance: M) -> M:
    instance.full_clean()
    instance.save()
    return instance


def unique_network_slug(name: str) -> str:
    """A free slug for a new network, derived from its name."""
    base = slugify(name)[:50] or "network"
    slug, counter = base, 2
    while Network.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@transaction.atomic
def network_create(
    *,
    name: str,
    owner: User,
    slug: str = "",
    description: str = "",
    time_zone: str = "UTC",
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> Network:
    """Create a network and make ``owner`` its owner."""
    network = Network(
        name=name,
        slug=slug or unique_network_slug(name),
        description=description,
        time_zone=time_zone,
        min_group_size=min_group_size,
    )
    _save(network)
    Membership.objects.create(user=owner, network=network, role=Role.OWNER)
    return network


def network_settings_update(
    *, network: Network, min_group_size: int, retention_days: int | None
) -> dict[str, tuple[Any, Any]]:
    """Change a network's privacy settings; returns ``{field: (before, after)}`` of what
    changed, so the caller can record each change in the audit log."""
    changes = {
        name: (getattr(network, name), value)
        for name, value in (("min_group_size", min_group_size), ("retention_days", retention_days))
        if getattr(network, name) != value
    }
    if changes:
        network.min_group_size, network.retention_days = min_group_size, retention_days
        _save(network)
    return changes


def network_language_set(*, network: Network, default_language: str) -> bool:
    """Set the language of the network's emails and pages for people without their own (a
    code of ``settings.LANGUAGES``); returns whether it changed."""
    if network.default_language == default_language:
        return False
    network.default_language = default_language
    _save(network)
    return True


@transaction.atomic
def organisation_create(
    *, network: Network, name: str, short_name: str = "", kind: str = "", description: str = ""
) -> Organisation:
    return _save(
        Organisation(
            network=network, name=name, short_name=short_name, kind=kind, description=description
        )
    )


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, name: str, short_name: str, kind: str, description: str
) -> Organisation:
    organisation.name, organisation.short_name = name, short_name
    organisation.kind, organisation.description = kind, description
    return _save(organisation)


@transaction.atomic
def team_create(*, network: Network, organisation: Organisation, name: str) -> Team:
    return _save(Team(network=network, organisation=organisation, name=name))


@transaction.atomic
def team_update(*, team: Team, organisation: Organisation, name: str) -> Team:
    if organisation != team.organisation:
        # People in the team move with it, so their organisation stays consistent.
        Person.objects.filter(team=team).update(organisation=organisation)
    team.organisation, team.name = organisation, name
    return _save(team)


@transaction.atomic
def workgroup_create(*, network: Network, name: str, description: str = "") -> Workgroup:
    return _save(Workgroup(network=network, name=name, description=description))


@transaction.atomic
def workgroup_update(*, workgroup: Workgroup, name: str, description: str) -> Workgroup:
    workgroup.name, workgroup.description = name, description
    return _save(workgroup)


@transaction.atomic
def person_create(
    *,
    network: Network,
    name: str,
    email: str,
    organisation: Organisation | None = None,
    team: Team | None = None,
    workgroup: Workgroup | None = None,
    job_title: str = "",
    location: str = "",
    time_zone: str = "",
    manager: Person | None = None,
    language: str = "",
) -> Person:
    person = Person(network=network, language=language)
    _person_set(
        person,
        name=name,
        email=email,
        organisation=organisation,
        team=team,
        workgroup=workgroup,
        job_title=job_title,
        location=location,
        time_zone=time_zone,
        manager=manager,
    )
    return _save(person)


@transaction.atomic
def person_update(
    *,
    person: Person,
    name: str,
    email: str,
    organisation: Organisation | None,
    team: Team | None,
    workgroup: Workgroup | None,
    job_title: str,
    location: str,
    time_zone: str,
    manager: Person | None,
    language: str | None = None,
) -> Person:
    """Change every field of the person's record at once (the edit form's fields);
    ``language`` ``None`` leaves it as it is."""
    if language is not None:
        person.language = language
    _person_set(
        person,
        name=name,
        email=email,
        organisation=organisation,
        team=team,
        workgroup=workgroup,
        job_title=job_title,
        location=location,
        time_zone=time_zone,
        manager=manager,
    )
    return _save(person)


def _person_set(
    person: Person,
    *,
    name: str,
    email: str,
    organisation: Organisation | None,
    team: Team | None,
    workgroup: Workgroup | None,
    job_title: str,
    location: str,
    time_zone: str,
    manager: Person | None,
) -> None:
    person.name, person.email = name, email.strip()
    person.organisation, person.team, person.workgroup = organisation, team, workgroup
    person.job_title, person.location, person.time_zone = job_title, location, time_zone
    person.manager = manager


@transaction.atomic
def person_language_set(*, person: Person, language: str) -> Person:
    """Record the language a person reads their emails and personal-link pages in (one of
    ``settings.LANGUAGES``' codes, or blank for the network's default)."""
    person.language = language
    person.full_clean(validate_unique=False)
    Person.objects.filter(pk=person.pk).update(language=language)
    return person


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


def organisation_named(*, network: Network, name: str) -> Organisation:
    """The network's organisation with this name (any case), made if there is none."""
    found = Organisation.objects.filter(network=network, name__iexact=name).first()
    return found or _save(Organisation(network=network, name=name))


def team_named(*, network: Network, organisation: Organisation, name: str) -> Team:
    """The organisation's team with this name (any case), made if there is none."""
    found = Team.objects.filter(organisation=organisation, name__iexact=name).first()
    return found or _save(Team(network=network, organisation=organisation, name=name))


@transaction.atomic
def person_provision(
    *,
    network: Network,
    person: Person | None,
    name: str,
    email: str,
    organisation_name: str,
    team_name: str,
    job_title: str,
    time_zone: str,
    manager: Person | None,
    active: bool,
) -> Person:
    """Create (``person=None``) or overwrite a person from an identity provider's record.

    Organisations and teams are named, as in a people file, and made when new; a blank name
    clears the field. The workgroup and location are the directory's own and are kept. The
    caller validates the values first (``bridgework.datasets.people`` rules); ``full_clean``
    still refuses what the database would (a second person with the same email).
    """
    organisation = (
        organisation_named(network=network, name=organisation_name) if organisation_name else None
    )
    team = (
        team_named(network=network, organisation=organisation, name=team_name)
        if team_name and organisation is not None
        else None
    )
    if person is None:
        person = Person(network=network)
    person.name, person.email = name, email.strip()
    person.organisation, person.team = organisation, team
    person.job_title, person.time_zone = job_title, time_zone
    person.manager, person.active = manager, active
    return _save(person)


@transaction.atomic
def person_set_organisation(*, person: Person, organisation: Organisation | None) -> Person:
    """Move a person into an organisation (or out of every one); a team of another
    organisation is left behind."""
    person.organisation = organisation
    if person.team is not None and person.team.organisation_id != getattr(organisation, "pk", None):
        person.team = None
    return _save(person)

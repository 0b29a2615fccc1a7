"""Reading the directory. Every selector starts from the network, so no page can reach
another network's records: a miss raises ``DoesNotExist``, which views turn into a 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet

from bridgework.directory.models import (
    Membership,
    Network,
    Organisation,
    PeopleImport,
    Person,
    Team,
    Workgroup,
)


@dataclass(frozen=True)
class PeopleFilter:
    """Search and filters of the people list (all optional)."""

    query: str = ""
    organisation_id: int | None = None
    team_id: int | None = None
    workgroup_id: int | None = None
    status: str = "active"  # "active", "inactive" or "all"


def networks_for_user(user: AbstractBaseUser) -> QuerySet[Membership]:
    """The login's memberships, with their networks, by network name."""
    return Membership.objects.filter(user=user).select_related("network")


def people_for(network: Network, people_filter: PeopleFilter | None = None) -> QuerySet[Person]:
    """People of the network matching the filter, with everything a list row shows."""
    people_filter = people_filter or PeopleFilter()
    people = Person.objects.filter(network=network).select_related(
        "organisation", "team", "workgroup", "manager"
    )
    if people_filter.query:
        for word in people_filter.query.split():
            people = people.filter(
                Q(name__icontains=word)
                | Q(email__icontains=word)
                | Q(job_title__icontains=word)
                | Q(location__icontains=word)
            )
    if people_filter.organisation_id:
        people = people.filter(organisation_id=people_filter.organisation_id)
    if people_filter.team_id:
        people = people.filter(team_id=people_filter.team_id)
    if people_filter.workgroup_id:
        people = people.filter(workgroup_id=people_filter.workgroup_id)
    if people_filter.status == "active":
        people = people.filter(active=True)
    elif people_filter.status == "inactive":
        people = people.filter(active=False)
    return people.order_by("name", "pk")


def person_for(network: Network, person_id: int) -> Person:
    """One person of the network."""
    return Person.objects.select_related("organisation", "team", "workgroup", "manager").get(
        network=network, pk=person_id
    )


def organisations_for(network: Network) -> QuerySet[Organisation]:
    """Organisations with their team and active-people counts."""
    return (
        Organisation.objects.filter(network=network)
        .annotate(
            team_count=Count("teams", distinct=True),
            people_count=Count("people", filter=Q(people__active=True), distinct=True),
        )
        .order_by("name", "pk")
    )


def organisation_for(network: Network, organisation_id: int) -> Organisation:
    return Organisation.objects.get(network=network, pk=organisation_id)


def teams_for(network: Network) -> QuerySet[Team]:
    """Teams with their organisation and active-people count."""
    return (
        Team.objects.filter(network=network)
        .select_related("organisation")
        .annotate(people_count=Count("people", filter=Q(people__active=True)))
        .order_by("organisation__name", "name", "pk")
    )


def team_for(network: Network, team_id: int) -> Team:
    return Team.objects.select_related("organisation").get(network=network, pk=team_id)


def workgroups_for(network: Network) -> QuerySet[Workgroup]:
    """Workgroups with their active-people count."""
    return (
        Workgroup.objects.filter(network=network)
        .annotate(people_count=Count("people", filter=Q(people__active=True)))
        .order_by("name", "pk")
    )


def workgroup_for(network: Network, workgroup_id: int) -> Workgroup:
    return Workgroup.objects.get(network=network, pk=workgroup_id)


def people_import_for(network: Network, import_id: int) -> PeopleImport:
    return PeopleImport.objects.get(network=network, pk=import_id)


def members_for(network: Network) -> QuerySet[Membership]:
    return Membership.objects.filter(network=network).select_related("user").order_by("user__email")


def membership_in(network: Network, membership_id: int) -> Membership:
    return Membership.objects.select_related("user").get(network=network, pk=membership_id)


def directory_counts(network: Network) -> dict[str, int]:
    """Headline counts for the network's home page, in one query per table."""
    return {
        "organisations": Organisation.objects.filter(network=network).count(),
        "teams": Team.objects.filter(network=network).count(),
        "workgroups": Workgroup.objects.filter(network=network).count(),
        "people": Person.objects.filter(network=network, active=True).count(),
    }

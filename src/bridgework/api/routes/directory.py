"""The token's network and its directory: organisations, teams, workgroups (``read:network``)
and people (``read:directory``, which only an owner can grant). Never a survey answer."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from bridgework.api.auth import token_auth
from bridgework.api.models import Scope
from bridgework.api.pagination import Page
from bridgework.api.routes.common import ERRORS, RecordId
from bridgework.directory import selectors
from bridgework.directory.selectors import PeopleFilter

router = Router(tags=["directory"])


class NetworkOut(Schema):
    id: int
    name: str
    slug: str
    time_zone: str
    min_group_size: int
    scopes: list[str]


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    team_count: int
    people_count: int


class TeamOut(Schema):
    id: int
    name: str
    organisation_id: int
    organisation: str
    people_count: int

    @staticmethod
    def resolve_organisation(team) -> str:
        return team.organisation.name


class WorkgroupOut(Schema):
    id: int
    name: str
    people_count: int


class PersonOut(Schema):
    id: int
    name: str
    email: str
    job_title: str
    location: str
    active: bool
    organisation_id: int | None
    team_id: int | None
    workgroup_id: int | None
    manager_id: int | None
    updated_at: datetime


@router.get("/network", response={200: NetworkOut, **ERRORS}, auth=token_auth())
def network(request: HttpRequest):
    """The network this token belongs to, and the token's own scopes. Any token may read it."""
    network = request.auth.network
    return {
        "id": network.pk,
        "name": network.name,
        "slug": network.slug,
        "time_zone": network.time_zone,
        "min_group_size": network.min_group_size,
        "scopes": list(request.auth.scopes),
    }


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **ERRORS},
    auth=token_auth(Scope.NETWORK),
)
@paginate(Page)
def organisations(request: HttpRequest):
    return selectors.organisations_for(request.auth.network).order_by("name", "pk")


@router.get("/teams", response={200: list[TeamOut], **ERRORS}, auth=token_auth(Scope.NETWORK))
@paginate(Page)
def teams(request: HttpRequest):
    return selectors.teams_for(request.auth.network).order_by("name", "pk")


@router.get(
    "/workgroups", response={200: list[WorkgroupOut], **ERRORS}, auth=token_auth(Scope.NETWORK)
)
@paginate(Page)
def workgroups(request: HttpRequest):
    return selectors.workgroups_for(request.auth.network).order_by("name", "pk")


@router.get("/people", response={200: list[PersonOut], **ERRORS}, auth=token_auth(Scope.DIRECTORY))
@paginate(Page)
def people(request: HttpRequest):
    """Everyone in the directory, active or not, ordered by id."""
    return selectors.people_for(request.auth.network, PeopleFilter(status="all")).order_by("pk")


@router.get(
    "/people/{person_id}",
    response={200: PersonOut, **ERRORS},
    auth=token_auth(Scope.DIRECTORY),
)
def person(request: HttpRequest, person_id: RecordId):
    return selectors.person_for(request.auth.network, person_id)

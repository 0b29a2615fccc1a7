"""SCIM Groups (the network's organisations): list, search, create, read, replace, PATCH
and delete."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from bridgework.directory.models import Person
from bridgework.scim import selectors
from bridgework.scim.errors import ScimError, scim_response
from bridgework.scim.filters import FilterField, parse_filter
from bridgework.scim.groups import GroupValues, group_apply_patch, group_from_resource
from bridgework.scim.resources import group_resource, list_response
from bridgework.scim.services import Operation, scim_group_delete, scim_group_write
from bridgework.scim.views.api import (
    body_of,
    excluded,
    not_allowed,
    paging,
    params_of,
    scim_api,
    trimmed,
)

GROUP_FILTERS = {
    "id": FilterField("pk", kind="integer"),
    "displayname": FilterField("name"),
    "externalid": FilterField("provisioned__external_id", case_exact=True),
    "members.value": FilterField("people__pk", kind="integer"),
}


def _members(request: HttpRequest, ids: list[str] | None) -> list[Person] | None:
    if ids is None:
        return None
    found = {
        str(p.pk): p
        for p in selectors.users_for(request.network).filter(
            pk__in=[int(i) for i in ids if i.isdigit()]
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise ScimError(
            400, f"members: no user with id {', '.join(missing)} in this directory", "invalidValue"
        )
    return [found[i] for i in dict.fromkeys(ids)]


def _group_answer(request: HttpRequest, organisation, status: int = 200) -> HttpResponse:
    organisation = selectors.groups_for(request.network).get(pk=organisation.pk)
    members = (
        None
        if "members" in excluded(request)
        else list(selectors.users_for(request.network).filter(organisation=organisation))
    )
    resource = group_resource(organisation, request, members=members)
    response = scim_response(trimmed(resource, request), status=status)
    if status == 201:
        response["Location"] = resource["meta"]["location"]
    return response


def _write_group(request: HttpRequest, organisation, values: GroupValues, operation: Operation):
    return scim_group_write(
        network=request.network,
        organisation=organisation,
        display_name=values.display_name,
        external_id=values.external_id,
        members=_members(request, values.member_ids),
        token=request.scim_token,
        operation=operation,
        request=request,
    )


@scim_api
def groups_search(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        raise not_allowed(request)
    return _group_list(request)


@scim_api
def groups(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _group_list(request)
    if request.method == "POST":
        organisation = _write_group(request, None, group_from_resource(body_of(request)), "create")
        return _group_answer(request, organisation, status=201)
    raise not_allowed(request)


def _group_list(request: HttpRequest) -> HttpResponse:
    network = request.network
    found = selectors.groups_for(network)
    expression = params_of(request).get("filter")
    if expression:
        found = found.filter(parse_filter(expression, GROUP_FILTERS)).distinct()
    start, count = paging(request)
    total = found.count()
    page = list(found[start - 1 : start - 1 + count]) if count else []
    leave_out = "members" in excluded(request)
    people = selectors.users_for(network).filter(organisation__in=page) if not leave_out else []
    by_group: dict[int, list[Person]] = {}
    for person in people:
        by_group.setdefault(person.organisation_id, []).append(person)
    resources = [
        trimmed(
            group_resource(o, request, members=None if leave_out else by_group.get(o.pk, [])),
            request,
        )
        for o in page
    ]
    return scim_response(list_response(resources, total=total, start=start))


@scim_api
def group(request: HttpRequest, resource_id: str) -> HttpResponse:
    organisation = selectors.group_for(request.network, resource_id)
    if organisation is None:
        raise ScimError(404, f"No Group with id {resource_id}.")
    if request.method == "GET":
        return _group_answer(request, organisation)
    if request.method == "PUT":
        values = group_from_resource(body_of(request))
        if values.member_ids is None:
            values.member_ids = []  # PUT replaces: no members listed means none
        return _group_answer(request, _write_group(request, organisation, values, "replace"))
    if request.method == "PATCH":
        current = GroupValues(
            display_name=organisation.name,
            external_id=getattr(getattr(organisation, "provisioned", None), "external_id", ""),
            member_ids=[
                str(pk)
                for pk in selectors.users_for(request.network)
                .filter(organisation=organisation)
                .values_list("pk", flat=True)
            ],
        )
        values = group_apply_patch(current, body_of(request))
        return _group_answer(request, _write_group(request, organisation, values, "patch"))
    if request.method == "DELETE":
        scim_group_delete(organisation=organisation, token=request.scim_token, request=request)
        return scim_response(None, status=204)
    raise not_allowed(request)

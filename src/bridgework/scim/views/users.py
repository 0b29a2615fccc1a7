"""SCIM Users: list, search, create, read, replace, PATCH and delete (deactivate)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from bridgework.directory.models import Person
from bridgework.scim import selectors
from bridgework.scim.errors import ScimError, scim_response
from bridgework.scim.filters import FilterField, parse_filter
from bridgework.scim.resources import list_response, user_resource
from bridgework.scim.services import Operation, scim_user_delete, scim_user_write
from bridgework.scim.users import ENTERPRISE_SCHEMA, apply_patch, from_resource, validate_user
from bridgework.scim.views.api import (
    body_of,
    not_allowed,
    paging,
    params_of,
    scim_api,
    trimmed,
)

_ENTERPRISE = ENTERPRISE_SCHEMA.lower()
USER_FILTERS = {
    "id": FilterField("pk", kind="integer"),
    "username": FilterField("provisioned__user_name", also=("email",)),
    "externalid": FilterField("provisioned__external_id", case_exact=True),
    "emails": FilterField("email"),
    "emails.value": FilterField("email"),
    "displayname": FilterField("name"),
    "name.formatted": FilterField("name"),
    "name.givenname": FilterField("provisioned__given_name"),
    "name.familyname": FilterField("provisioned__family_name"),
    "title": FilterField("job_title"),
    "timezone": FilterField("time_zone"),
    "active": FilterField("active", kind="boolean"),
    "meta.created": FilterField("created_at", kind="dateTime"),
    "meta.lastmodified": FilterField("updated_at", kind="dateTime"),
    f"{_ENTERPRISE}:organization": FilterField("organisation__name"),
    f"{_ENTERPRISE}:department": FilterField("team__name"),
    f"{_ENTERPRISE}:manager.value": FilterField("manager_id", kind="integer"),
}


def _manager(request: HttpRequest, manager_id: str) -> Person | None:
    if not manager_id:
        return None
    manager = selectors.user_for(request.network, manager_id)
    if manager is None:
        raise ScimError(
            400, f"manager: no user with id {manager_id} in this directory", "invalidValue"
        )
    return manager


def _write_user(
    request: HttpRequest, person: Person | None, flat: dict[str, Any], operation: Operation
) -> Person:
    manager = _manager(request, str(flat.get("manager") or ""))
    values = validate_user(flat, manager_email=manager.email if manager else "")
    return scim_user_write(
        network=request.network,
        person=person,
        values=values,
        manager=manager,
        token=request.scim_token,
        operation=operation,
        request=request,
    )


def _user_answer(request: HttpRequest, person: Person, status: int = 200) -> HttpResponse:
    person = selectors.users_for(request.network).get(pk=person.pk)
    resource = user_resource(person, request)
    response = scim_response(trimmed(resource, request), status=status)
    if status == 201:
        response["Location"] = resource["meta"]["location"]
    return response


def _user_list(request: HttpRequest) -> HttpResponse:
    people = selectors.users_for(request.network)
    expression = params_of(request).get("filter")
    if expression:
        people = people.filter(parse_filter(expression, USER_FILTERS)).distinct()
    start, count = paging(request)
    total = people.count()
    page = list(people[start - 1 : start - 1 + count]) if count else []
    resources = [trimmed(user_resource(p, request), request) for p in page]
    return scim_response(list_response(resources, total=total, start=start))


@scim_api
def users_search(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        raise not_allowed(request)
    return _user_list(request)


@scim_api
def users(request: HttpRequest) -> HttpResponse:
    network = request.network
    if request.method == "GET":
        return _user_list(request)
    if request.method == "POST":
        flat = from_resource(body_of(request))
        email = str(flat.get("email") or flat.get("username") or "")
        revived = selectors.deleted_user_with_email(network, email) if email else None
        person = _write_user(request, revived, flat, "create")
        return _user_answer(request, person, status=201)
    raise not_allowed(request)


@scim_api
def user(request: HttpRequest, resource_id: str) -> HttpResponse:
    person = selectors.user_for(request.network, resource_id)
    if person is None:
        raise ScimError(404, f"No User with id {resource_id}.")
    if request.method == "GET":
        return _user_answer(request, person)
    if request.method == "PUT":
        flat = from_resource(body_of(request))
        return _user_answer(request, _write_user(request, person, flat, "replace"))
    if request.method == "PATCH":
        current = from_resource(user_resource(person, request))
        flat = apply_patch(current, body_of(request))
        return _user_answer(request, _write_user(request, person, flat, "patch"))
    if request.method == "DELETE":
        scim_user_delete(person=person, token=request.scim_token, request=request)
        return scim_response(None, status=204)
    raise not_allowed(request)

"""The SCIM 2.0 endpoints under /scim/v2/ (RFC 7644), for one network per bearer token.

The token decides the network: every read and write starts from it, so a token of one
network can never reach another's people (an id from elsewhere is simply not found).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from bridgework.directory.models import Person
from bridgework.scim import selectors
from bridgework.scim.discovery import (
    MAX_RESULTS,
    resource_types,
    schemas,
    service_provider_config,
)
from bridgework.scim.errors import ScimError, scim_response
from bridgework.scim.filters import FilterField, parse_filter
from bridgework.scim.groups import GroupValues, group_apply_patch, group_from_resource
from bridgework.scim.resources import group_resource, list_response, user_resource
from bridgework.scim.services import (
    scim_group_delete,
    scim_group_write,
    scim_token_used,
    scim_user_delete,
    scim_user_write,
)
from bridgework.scim.users import ENTERPRISE_SCHEMA, apply_patch, from_resource, validate_user

View = Callable[..., HttpResponse]

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
GROUP_FILTERS = {
    "id": FilterField("pk", kind="integer"),
    "displayname": FilterField("name"),
    "externalid": FilterField("provisioned__external_id", case_exact=True),
    "members.value": FilterField("people__pk", kind="integer"),
}


def scim_api(view: View) -> View:
    """Bearer-token authentication, the network, SCIM errors for everything that goes wrong.

    The view receives ``request.network``. Any error is a SCIM error response; an unexpected
    one is logged by Django and answered with a plain SCIM 500, never a traceback."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, plain = header.partition(" ")
        token = selectors.token_for_bearer(plain.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            return ScimError(401, "A valid bearer token is required.").response()
        scim_token_used(token=token)
        request.network = token.network  # type: ignore[attr-defined]
        try:
            return view(request, *args, **kwargs)
        except ScimError as error:
            return error.response()

    wrapper.scim = True  # type: ignore[attr-defined]
    return wrapper


def _body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError) as exc:
        raise ScimError(400, f"the body is not JSON: {exc}", "invalidSyntax") from exc


def _not_allowed(request: HttpRequest) -> ScimError:
    return ScimError(405, f"{request.method} is not supported here.")


def _params(request: HttpRequest) -> dict[str, str]:
    """The query parameters: the URL's, or a POST ``/.search`` body's (RFC 7644 3.4.3)."""
    if request.method == "POST" and request.path.endswith("/.search"):
        body = _body(request)
        if not isinstance(body, dict):
            raise ScimError(400, "the body must be a JSON object", "invalidSyntax")
        params = {}
        for key, value in body.items():
            if key == "schemas":
                continue
            params[key] = ",".join(value) if isinstance(value, list) else str(value)
        return params
    return request.GET.dict()


def _paging(request: HttpRequest) -> tuple[int, int]:
    """``startIndex`` (1-based; below 1 means 1) and ``count`` (0 or more, at most
    :data:`MAX_RESULTS`), RFC 7644 section 3.4.2.4."""
    try:
        start = int(_params(request).get("startIndex", "1"))
        count = int(_params(request).get("count", str(MAX_RESULTS)))
    except ValueError:
        raise ScimError(400, "startIndex and count must be whole numbers", "invalidValue") from None
    return max(start, 1), min(max(count, 0), MAX_RESULTS)


def _excluded(request: HttpRequest) -> set[str]:
    return {
        name.strip().lower()
        for name in _params(request).get("excludedAttributes", "").split(",")
        if name.strip()
    }


def _trim(resource: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    """``attributes`` / ``excludedAttributes`` on top-level attributes (id and schemas are
    always returned, RFC 7644 section 3.9)."""
    given = _params(request).get("attributes", "")
    wanted = {n.strip().lower() for n in given.split(",") if n.strip()}
    excluded = _excluded(request)
    keep = {"id", "schemas", "meta"}
    return {
        key: value
        for key, value in resource.items()
        if key.lower() in keep
        or (
            (not wanted or key.lower() in {w.split(".")[0] for w in wanted})
            and key.lower() not in excluded
        )
    }


# --- Users -------------------------------------------------------------------------------


def _manager(request: HttpRequest, manager_id: str) -> Person | None:
    if not manager_id:
        return None
    manager = selectors.user_for(request.network, manager_id)
    if manager is None:
        raise ScimError(
            400, f"manager: no user with id {manager_id} in this directory", "invalidValue"
        )
    return manager


def _write_user(request: HttpRequest, person: Person | None, flat: dict[str, Any]) -> Person:
    manager = _manager(request, str(flat.get("manager") or ""))
    values = validate_user(flat, manager_email=manager.email if manager else "")
    return scim_user_write(network=request.network, person=person, values=values, manager=manager)


def _user_answer(request: HttpRequest, person: Person, status: int = 200) -> HttpResponse:
    person = selectors.users_for(request.network).get(pk=person.pk)
    resource = user_resource(person, request)
    response = scim_response(_trim(resource, request), status=status)
    if status == 201:
        response["Location"] = resource["meta"]["location"]
    return response


def _user_list(request: HttpRequest) -> HttpResponse:
    people = selectors.users_for(request.network)
    expression = _params(request).get("filter")
    if expression:
        people = people.filter(parse_filter(expression, USER_FILTERS)).distinct()
    start, count = _paging(request)
    total = people.count()
    page = list(people[start - 1 : start - 1 + count]) if count else []
    resources = [_trim(user_resource(p, request), request) for p in page]
    return scim_response(list_response(resources, total=total, start=start))


@scim_api
def users_search(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        raise _not_allowed(request)
    return _user_list(request)


@scim_api
def users(request: HttpRequest) -> HttpResponse:
    network = request.network
    if request.method == "GET":
        return _user_list(request)
    if request.method == "POST":
        flat = from_resource(_body(request))
        email = str(flat.get("email") or flat.get("username") or "")
        revived = selectors.deleted_user_with_email(network, email) if email else None
        person = _write_user(request, revived, flat)
        return _user_answer(request, person, status=201)
    raise _not_allowed(request)


@scim_api
def user(request: HttpRequest, resource_id: str) -> HttpResponse:
    person = selectors.user_for(request.network, resource_id)
    if person is None:
        raise ScimError(404, f"No User with id {resource_id}.")
    if request.method == "GET":
        return _user_answer(request, person)
    if request.method == "PUT":
        return _user_answer(request, _write_user(request, person, from_resource(_body(request))))
    if request.method == "PATCH":
        current = from_resource(user_resource(person, request))
        flat = apply_patch(current, _body(request))
        return _user_answer(request, _write_user(request, person, flat))
    if request.method == "DELETE":
        scim_user_delete(person=person)
        return scim_response(None, status=204)
    raise _not_allowed(request)


# --- Groups ------------------------------------------------------------------------------


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
        if "members" in _excluded(request)
        else list(selectors.users_for(request.network).filter(organisation=organisation))
    )
    resource = group_resource(organisation, request, members=members)
    response = scim_response(_trim(resource, request), status=status)
    if status == 201:
        response["Location"] = resource["meta"]["location"]
    return response


def _write_group(request: HttpRequest, organisation, values: GroupValues):
    return scim_group_write(
        network=request.network,
        organisation=organisation,
        display_name=values.display_name,
        external_id=values.external_id,
        members=_members(request, values.member_ids),
    )


@scim_api
def groups_search(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        raise _not_allowed(request)
    return _group_list(request)


@scim_api
def groups(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _group_list(request)
    if request.method == "POST":
        organisation = _write_group(request, None, group_from_resource(_body(request)))
        return _group_answer(request, organisation, status=201)
    raise _not_allowed(request)


def _group_list(request: HttpRequest) -> HttpResponse:
    network = request.network
    found = selectors.groups_for(network)
    expression = _params(request).get("filter")
    if expression:
        found = found.filter(parse_filter(expression, GROUP_FILTERS)).distinct()
    start, count = _paging(request)
    total = found.count()
    page = list(found[start - 1 : start - 1 + count]) if count else []
    leave_out = "members" in _excluded(request)
    people = selectors.users_for(network).filter(organisation__in=page) if not leave_out else []
    by_group: dict[int, list[Person]] = {}
    for person in people:
        by_group.setdefault(person.organisation_id, []).append(person)
    resources = [
        _trim(
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
        values = group_from_resource(_body(request))
        if values.member_ids is None:
            values.member_ids = []  # PUT replaces: no members listed means none
        return _group_answer(request, _write_group(request, organisation, values))
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
        values = group_apply_patch(current, _body(request))
        return _group_answer(request, _write_group(request, organisation, values))
    if request.method == "DELETE":
        scim_group_delete(organisation=organisation)
        return scim_response(None, status=204)
    raise _not_allowed(request)


@scim_api
def root_search(request: HttpRequest) -> HttpResponse:
    """POST /.search: Users and Groups at once (RFC 7644 section 3.4.3). A filter applies to
    the resource types that have its attributes."""
    if request.method != "POST":
        raise _not_allowed(request)
    expression = _params(request).get("filter", "")
    found: list[tuple[str, Any]] = []
    errors: list[ScimError] = []
    for kind, queryset, fields in (
        ("User", selectors.users_for(request.network), USER_FILTERS),
        ("Group", selectors.groups_for(request.network), GROUP_FILTERS),
    ):
        try:
            matched = queryset.filter(parse_filter(expression, fields)) if expression else queryset
        except ScimError as error:
            errors.append(error)
            continue
        found.extend((kind, item) for item in matched.distinct())
    if len(errors) == 2:
        raise errors[0]
    start, count = _paging(request)
    page = found[start - 1 : start - 1 + count] if count else []
    resources = [
        _trim(
            user_resource(item, request)
            if kind == "User"
            else group_resource(
                item,
                request,
                members=list(selectors.users_for(request.network).filter(organisation=item)),
            ),
            request,
        )
        for kind, item in page
    ]
    return scim_response(list_response(resources, total=len(found), start=start))


# --- Discovery ---------------------------------------------------------------------------


def _listed(items: list[dict[str, Any]]) -> HttpResponse:
    return scim_response(list_response(items, total=len(items), start=1))


def _find(items: list[dict[str, Any]], resource_id: str, kind: str) -> HttpResponse:
    for item in items:
        if item["id"].lower() == resource_id.lower():
            return scim_response(item)
    raise ScimError(404, f"No {kind} {resource_id}.")


@scim_api
def service_provider(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        raise _not_allowed(request)
    return scim_response(service_provider_config(request))


@scim_api
def resource_type_list(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        raise _not_allowed(request)
    return _listed(resource_types(request))


@scim_api
def resource_type(request: HttpRequest, resource_id: str) -> HttpResponse:
    if request.method != "GET":
        raise _not_allowed(request)
    return _find(resource_types(request), resource_id, "ResourceType")


@scim_api
def schema_list(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        raise _not_allowed(request)
    return _listed(schemas(request))


@scim_api
def schema(request: HttpRequest, resource_id: str) -> HttpResponse:
    if request.method != "GET":
        raise _not_allowed(request)
    return _find(schemas(request), resource_id, "Schema")


@scim_api
def unknown(request: HttpRequest) -> HttpResponse:
    raise ScimError(404, f"There is no SCIM endpoint at {request.path}.")

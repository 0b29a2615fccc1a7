"""SCIM discovery (ServiceProviderConfig, ResourceTypes, Schemas), the search of every
resource type at once, and the SCIM 404 for anything else under /scim/v2/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from bridgework.scim import selectors
from bridgework.scim.discovery import resource_types, schemas, service_provider_config
from bridgework.scim.errors import ScimError, scim_response
from bridgework.scim.filters import parse_filter
from bridgework.scim.resources import group_resource, list_response, user_resource
from bridgework.scim.views.api import not_allowed, paging, params_of, scim_api, trimmed
from bridgework.scim.views.groups import GROUP_FILTERS
from bridgework.scim.views.users import USER_FILTERS


@scim_api
def root_search(request: HttpRequest) -> HttpResponse:
    """POST /.search: Users and Groups at once (RFC 7644 section 3.4.3). A filter applies to
    the resource types that have its attributes."""
    if request.method != "POST":
        raise not_allowed(request)
    expression = params_of(request).get("filter", "")
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
    start, count = paging(request)
    page = found[start - 1 : start - 1 + count] if count else []
    resources = [
        trimmed(
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
        raise not_allowed(request)
    return scim_response(service_provider_config(request))


@scim_api
def resource_type_list(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        raise not_allowed(request)
    return _listed(resource_types(request))


@scim_api
def resource_type(request: HttpRequest, resource_id: str) -> HttpResponse:
    if request.method != "GET":
        raise not_allowed(request)
    return _find(resource_types(request), resource_id, "ResourceType")


@scim_api
def schema_list(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        raise not_allowed(request)
    return _listed(schemas(request))


@scim_api
def schema(request: HttpRequest, resource_id: str) -> HttpResponse:
    if request.method != "GET":
        raise not_allowed(request)
    return _find(schemas(request), resource_id, "Schema")


@scim_api
def unknown(request: HttpRequest) -> HttpResponse:
    raise ScimError(404, f"There is no SCIM endpoint at {request.path}.")

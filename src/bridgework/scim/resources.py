"""The JSON a SCIM client reads: Users and Groups (RFC 7643 sections 4.1-4.3)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from bridgework.directory.models import Organisation, Person
from bridgework.scim.users import ENTERPRISE_SCHEMA, USER_SCHEMA

__all__ = ["GROUP_SCHEMA", "LIST_SCHEMA", "group_resource", "list_response", "user_resource"]

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def _location(request: HttpRequest, name: str, pk: int) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"resource_id": str(pk)}))


def _stamp(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def user_resource(person: Person, request: HttpRequest) -> dict[str, Any]:
    link = getattr(person, "provisioned", None)
    # The name parts the provider gave; someone from a people file has their full name only.
    if link is None:
        name = {"formatted": person.name}
    else:
        parts = {
            "formatted": link.formatted_name,
            "givenName": link.given_name,
            "familyName": link.family_name,
        }
        name = {key: value for key, value in parts.items() if value}
    enterprise: dict[str, Any] = {}
    if person.organisation is not None:
        enterprise["organization"] = person.organisation.name
    if person.team is not None:
        enterprise["department"] = person.team.name
    if person.manager is not None:
        enterprise["manager"] = {
            "value": str(person.manager.pk),
            "$ref": _location(request, "scim:user", person.manager.pk),
        }
    resource: dict[str, Any] = {
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA] if enterprise else [USER_SCHEMA],
        "id": str(person.pk),
        "userName": (link.user_name if link is not None and link.user_name else person.email),
        "displayName": (link.display_name if link is not None and link.display_name else "")
        or person.name,
        "active": person.active,
        "emails": [
            {
                "value": person.email,
                "type": (link.email_type if link is not None else "") or "work",
                "primary": link.email_primary if link is not None else True,
            }
        ],
        "meta": {
            "resourceType": "User",
            "created": _stamp(person.created_at),
            "lastModified": _stamp(person.updated_at),
            "location": _location(request, "scim:user", person.pk),
        },
    }
    if link is not None and link.external_id:
        resource["externalId"] = link.external_id
    if name:
        resource["name"] = name
    if enterprise:
        resource[ENTERPRISE_SCHEMA] = enterprise
    if person.job_title:
        resource["title"] = person.job_title
    if person.time_zone:
        resource["timezone"] = person.time_zone
    if person.organisation is not None:
        resource["groups"] = [
            {
                "value": str(person.organisation.pk),
                "$ref": _location(request, "scim:group", person.organisation.pk),
                "display": person.organisation.name,
                "type": "direct",
            }
        ]
    return resource


def group_resource(
    organisation: Organisation, request: HttpRequest, *, members: list[Person] | None
) -> dict[str, Any]:
    """``members=None``: the client asked to leave them out (``excludedAttributes``)."""
    link = getattr(organisation, "provisioned", None)
    resource: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "id": str(organisation.pk),
        "displayName": organisation.name,
        "meta": {
            "resourceType": "Group",
            "location": _location(request, "scim:group", organisation.pk),
        },
    }
    if link is not None and link.external_id:
        resource["externalId"] = link.external_id
    if members is not None:
        resource["members"] = [
            {
                "value": str(person.pk),
                "$ref": _location(request, "scim:user", person.pk),
                "type": "User",
            }
            for person in members
        ]
    return resource


def list_response(resources: list[dict[str, Any]], *, total: int, start: int) -> dict[str, Any]:
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }

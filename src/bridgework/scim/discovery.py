"""What the service provider supports (RFC 7644 section 4; RFC 7643 sections 5-7)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from bridgework.scim.resources import GROUP_SCHEMA
from bridgework.scim.users import ENTERPRISE_SCHEMA, USER_SCHEMA

__all__ = ["MAX_RESULTS", "resource_types", "schemas", "service_provider_config"]

#: Largest page a list answers (``count`` above it is lowered to it).
MAX_RESULTS = 200
_SPC = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
_RT = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def _url(request: HttpRequest, name: str, **kwargs: str) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs or None))


def service_provider_config(request: HttpRequest) -> dict[str, Any]:
    return {
        "schemas": [_SPC],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A token the network's owner creates under Sign-in and sync.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": _url(request, "scim:service_provider_config"),
        },
    }


def resource_types(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [_RT],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A person in the network's directory",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": False}],
            "meta": {
                "resourceType": "ResourceType",
                "location": _url(request, "scim:resource_type", resource_id="User"),
            },
        },
        {
            "schemas": [_RT],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "An organisation in the network; its members are its people",
            "schema": GROUP_SCHEMA,
            "schemaExtensions": [],
            "meta": {
                "resourceType": "ResourceType",
                "location": _url(request, "scim:resource_type", resource_id="Group"),
            },
        },
    ]


#: Suggested values (RFC 7643 ``canonicalValues``: suggestions, not a closed list). Any IANA
#: time zone name is accepted.
TIME_ZONE_EXAMPLES = ["Europe/London", "America/New_York", "America/Los_Angeles", "UTC"]


def _attr(
    name: str,
    *,
    kind: str = "string",
    required: bool = False,
    multi: bool = False,
    mutability: str = "readWrite",
    case_exact: bool = False,
    uniqueness: str = "none",
    sub: list[dict[str, Any]] | None = None,
    returned: str = "default",
    canonical: list[str] | None = None,
) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": name,
        "required": required,
        "mutability": mutability,
        "returned": returned,
        "uniqueness": uniqueness,
    }
    if kind in ("string", "reference"):
        attribute["caseExact"] = case_exact
    if kind == "reference":
        attribute["referenceTypes"] = ["User", "Group"]
    if sub is not None:
        attribute["subAttributes"] = sub
    if canonical is not None:
        attribute["canonicalValues"] = canonical
    return attribute


def _definitions() -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    member = [
        _attr("value", mutability="immutable"),
        _attr("$ref", kind="reference", mutability="immutable"),
        _attr("type", mutability="immutable", canonical=["User"]),
    ]
    return [
        (
            USER_SCHEMA,
            "User",
            "A person in the directory",
            [
                _attr("userName", required=True, uniqueness="server"),
                _attr(
                    "name",
                    kind="complex",
                    sub=[
                        _attr("formatted"),
                        _attr("givenName"),
                        _attr("familyName"),
                    ],
                ),
                # Required here: the directory needs a name and an address. A User with
                # name.givenName/familyName, or with userName as its address, is accepted too.
                _attr("displayName", required=True),
                _attr("title"),
                _attr("timezone", canonical=TIME_ZONE_EXAMPLES),
                _attr("active", kind="boolean"),
                _attr(
                    "emails",
                    kind="complex",
                    multi=True,
                    required=True,
                    sub=[
                        _attr("value", required=True),
                        _attr("type", canonical=["work", "home", "other"]),
                        _attr("primary", kind="boolean"),
                    ],
                ),
                _attr(
                    "groups",
                    kind="complex",
                    multi=True,
                    mutability="readOnly",
                    sub=[
                        _attr("value", mutability="readOnly"),
                        _attr("$ref", kind="reference", mutability="readOnly"),
                        _attr("display", mutability="readOnly"),
                        _attr("type", mutability="readOnly"),
                    ],
                ),
            ],
        ),
        (
            ENTERPRISE_SCHEMA,
            "EnterpriseUser",
            "Organisation, team and manager",
            [
                _attr("organization"),
                _attr("department"),
                _attr(
                    "manager",
                    kind="complex",
                    sub=[
                        _attr("value"),
                        _attr("$ref", kind="reference"),
                        _attr("displayName", mutability="readOnly"),
                    ],
                ),
            ],
        ),
        (
            GROUP_SCHEMA,
            "Group",
            "An organisation in the network",
            [
                _attr("displayName", required=True, uniqueness="server"),
                _attr("members", kind="complex", multi=True, sub=member),
            ],
        ),
    ]


def schemas(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [_SCHEMA],
            "id": urn,
            "name": name,
            "description": description,
            "attributes": attributes,
            "meta": {
                "resourceType": "Schema",
                "location": _url(request, "scim:schema", resource_id=urn),
            },
        }
        for urn, name, description, attributes in _definitions()
    ]

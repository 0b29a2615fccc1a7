"""SCIM Users (RFC 7643 section 4.1) ⇄ the directory's people.

A User is read into a flat set of the attributes Bridgework keeps (:data:`ATTRIBUTES`),
changed there by PATCH operations, validated with the people file's own rules
(:func:`bridgework.datasets.people.parse_people`) and written by
:func:`bridgework.directory.services.person_provision`. Attribute names ignore case
(RFC 7643 section 2.1); attributes Bridgework does not keep (phone numbers, addresses…) are
accepted and ignored, so a provider's default mapping never fails on them.

Mapping: ``userName`` → the provider's name for the person (and their email when no work
email is given); ``emails`` (the primary, else the first, else the work one) → email;
``name.givenName`` + ``name.familyName``, else ``displayName``, else ``name.formatted`` →
name; ``title`` → job title; ``timezone`` → time zone; ``active`` → active; the enterprise
extension's ``organization`` / ``department`` / ``manager`` → organisation / team /
manager; ``externalId`` is kept as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bridgework.datasets.people import parse_people
from bridgework.datasets.tabular import DatasetError, Table
from bridgework.scim.errors import ScimError

__all__ = [
    "ATTRIBUTES",
    "ENTERPRISE_SCHEMA",
    "PATCH_SCHEMA",
    "USER_SCHEMA",
    "UserValues",
    "apply_patch",
    "from_resource",
    "validate_user",
]

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

#: The flat attributes kept, by lower-case path, with their defaults.
ATTRIBUTES: dict[str, Any] = {
    "username": "",
    "externalid": "",
    "name.givenname": "",
    "name.familyname": "",
    "name.formatted": "",
    "displayname": "",
    "title": "",
    "timezone": "",
    "active": True,
    "email": "",
    "emailtype": "",
    "emailprimary": True,
    "organization": "",
    "department": "",
    "manager": "",
}
_TOP = ("username", "externalid", "displayname", "title", "timezone", "active")
_NAME = ("givenname", "familyname", "formatted")
_ENTERPRISE = ("organization", "department", "manager")
_ENTERPRISE_KEY = ENTERPRISE_SCHEMA.lower()
_CORE_PREFIX = USER_SCHEMA.lower() + ":"
_FILTERED = re.compile(r"^(?P<attr>[a-z]+)\[(?P<filter>[^\]]*)\](?:\.(?P<sub>[a-z]+))?$")

#: How a validation problem's column is named back to the client.
_LABELS = {
    "name": "name.givenName/name.familyName or displayName",
    "email": "userName",
    "organisation": f"{ENTERPRISE_SCHEMA}:organization",
    "team": f"{ENTERPRISE_SCHEMA}:department",
    "job_title": "title",
    "time_zone": "timezone",
    "manager_email": f"{ENTERPRISE_SCHEMA}:manager",
}


def _lower_keys(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {str(key).lower(): item for key, item in value.items()}


def _email_of(emails: Any) -> tuple[str, str, bool]:
    """The primary address, else the work one, else the first (RFC 7643 section 4.1.2), and
    its type and whether the provider marked it primary."""
    if not isinstance(emails, list):
        raise ScimError(400, "emails: must be a list of {value, type, primary}", "invalidValue")
    entries = [_lower_keys(entry) for entry in emails if isinstance(entry, dict)]
    for test in (
        lambda e: e.get("primary") in (True, "true", "True"),
        lambda e: str(e.get("type", "")).lower() == "work",
        lambda e: True,
    ):
        for entry in entries:
            if test(entry) and entry.get("value"):
                if "primary" in entry:
                    primary = entry["primary"] in (True, "true", "True")
                else:  # not said: a lone address is the primary one
                    primary = len(entries) == 1
                return str(entry["value"]), str(entry.get("type") or ""), primary
    return "", "", True


def _manager_id(value: Any) -> str:
    """Entra sends the manager as an id string; RFC 7643 as ``{"value": id}``."""
    if isinstance(value, dict):
        value = _lower_keys(value).get("value", "")
    return "" if value is None else str(value)


def from_resource(body: Any) -> dict[str, Any]:
    """A User resource (POST or PUT body) as the flat attributes; absent ones get defaults."""
    if not isinstance(body, dict):
        raise ScimError(400, "the body must be a JSON object", "invalidSyntax")
    flat = dict(ATTRIBUTES)
    data = _lower_keys(body)
    for key in _TOP:
        if key in data:
            flat[key] = data[key]
    name = _lower_keys(data.get("name"))
    for sub in _NAME:
        if sub in name:
            flat[f"name.{sub}"] = name[sub]
    if "emails" in data:
        flat["email"], flat["emailtype"], flat["emailprimary"] = _email_of(data["emails"])
    enterprise = _lower_keys(data.get(_ENTERPRISE_KEY))
    for key in _ENTERPRISE:
        if key in enterprise:
            flat[key] = enterprise[key]
    flat["manager"] = _manager_id(flat["manager"])
    return flat


def _target(path: str) -> tuple[str, str | None]:
    """A PATCH path as (flat key or container, sub-attribute); raises invalidPath."""
    path = path.strip().lower()
    if path.startswith(_CORE_PREFIX):
        path = path[len(_CORE_PREFIX) :]
    if path == _ENTERPRISE_KEY:
        return "enterprise", None
    if path.startswith(_ENTERPRISE_KEY + ":"):
        attr = path[len(_ENTERPRISE_KEY) + 1 :]
        if attr in ("manager", "manager.value"):
            return "manager", None
        return (attr, None) if attr in _ENTERPRISE else ("ignored", None)
    filtered = _FILTERED.match(path)
    if filtered:
        if filtered["attr"] == "emails":
            return "email", filtered["sub"]
        return "ignored", None
    if path in ("emails", "name"):
        return path, None
    if path.startswith("name."):
        sub = path[5:]
        return (f"name.{sub}", None) if sub in _NAME else ("ignored", None)
    if path in _TOP:
        return path, None
    if not re.fullmatch(r"[a-z][a-z0-9_$-]*(\.[a-z][a-z0-9_$-]*)?", path):
        raise ScimError(400, f"path: {path!r} is not an attribute path", "invalidPath")
    if path in ("id", "meta", "groups") or path.startswith(("meta.", "groups")):
        raise ScimError(400, f"{path} cannot be changed", "mutability")
    return "ignored", None


def _set(flat: dict[str, Any], key: str, value: Any, *, remove: bool) -> None:
    if key == "ignored":
        return
    if remove and key in ("enterprise", "name"):
        names = _ENTERPRISE if key == "enterprise" else [f"name.{sub}" for sub in _NAME]
        for name in names:
            flat[name] = ATTRIBUTES[name]
        return
    if key == "enterprise":
        for sub, item in _lower_keys(value).items():
            if sub in _ENTERPRISE:
                _set(flat, sub, item, remove=remove)
        return
    if key == "name":
        for sub, item in _lower_keys(value).items():
            if sub in _NAME:
                _set(flat, f"name.{sub}", item, remove=remove)
        return
    if remove and key == "emails":
        flat["email"], flat["emailtype"], flat["emailprimary"] = "", "", True
    elif remove:
        flat[key] = ATTRIBUTES[key]
    elif key == "emails":
        emails = value if isinstance(value, list) else [value]
        flat["email"], flat["emailtype"], flat["emailprimary"] = _email_of(emails)
    elif key == "email":
        flat["email"] = _lower_keys(value).get("value", "") if isinstance(value, dict) else value
    elif key == "manager":
        flat["manager"] = _manager_id(value)
    else:
        flat[key] = value


def apply_patch(flat: dict[str, Any], body: Any) -> dict[str, Any]:
    """The flat attributes after a PatchOp's operations (RFC 7644 section 3.5.2), in order.

    ``op`` ignores case (Entra ID sends ``Replace``); an operation without ``path`` takes an
    object of attributes; ``remove`` needs a path.
    """
    data = _lower_keys(body)
    if PATCH_SCHEMA not in (data.get("schemas") or []):
        raise ScimError(400, f"schemas: a PATCH body must list {PATCH_SCHEMA}", "invalidSyntax")
    operations = data.get("operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "Operations: a list of operations is required", "invalidSyntax")
    flat = dict(flat)
    for raw in operations:
        operation = _lower_keys(raw)
        op = str(operation.get("op", "")).lower()
        path = operation.get("path")
        value = operation.get("value")
        if op not in ("add", "replace", "remove"):
            raise ScimError(
                400, f"op: {operation.get('op')!r} is not add, replace or remove", "invalidSyntax"
            )
        if op == "remove" and not path:
            raise ScimError(400, "path: remove needs a path", "noTarget")
        if path:
            key, _sub = _target(str(path))
            _set(flat, key, value, remove=op == "remove")
        elif isinstance(value, dict):
            for name, item in value.items():
                key, _sub = _target(str(name))
                _set(flat, key, item, remove=False)
        else:
            raise ScimError(
                400, "value: without a path the value must be an object", "invalidValue"
            )
    return flat


@dataclass(frozen=True)
class UserValues:
    """A User's attributes, checked, ready for the directory."""

    user_name: str
    external_id: str
    given_name: str
    family_name: str
    display_name: str
    formatted_name: str
    name: str
    email: str
    email_type: str
    email_primary: bool
    title: str
    time_zone: str
    active: bool
    organisation: str
    department: str
    manager_id: str


def _text(flat: dict[str, Any], key: str, label: str) -> str:
    value = flat[key]
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScimError(400, f"{label}: must be a string, not {value!r}", "invalidValue")
    return value.strip()


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"  # Entra ID sends "False"
    raise ScimError(400, f"active: must be true or false, not {value!r}", "invalidValue")


def validate_user(flat: dict[str, Any], *, manager_email: str = "") -> UserValues:
    """Check the flat attributes with the people file's rules; raise a :class:`ScimError`
    (400 ``invalidValue``) naming the attribute and the reason.

    ``manager_email`` is the manager's address (the caller looks the id up in the network),
    so the file's own-manager rule applies too.
    """
    labels = {
        "username": "userName",
        "externalid": "externalId",
        "name.givenname": "name.givenName",
        "name.familyname": "name.familyName",
        "name.formatted": "name.formatted",
        "displayname": "displayName",
        "title": "title",
        "timezone": "timezone",
        "email": "emails",
        "emailtype": "emails.type",
        "organization": "organization",
        "department": "department",
    }
    text = {key: _text(flat, key, label) for key, label in labels.items()}
    active = _boolean(flat["active"])
    if not text["username"]:
        raise ScimError(400, "userName: is required", "invalidValue")
    given_family = " ".join(p for p in (text["name.givenname"], text["name.familyname"]) if p)
    name = given_family or text["displayname"] or text["name.formatted"]
    email = text["email"] or text["username"]
    columns = ("name", "email", "organisation", "team", "job_title", "time_zone", "manager_email")
    cells = (
        name,
        email,
        text["organization"],
        text["department"],
        text["title"],
        text["timezone"],
        manager_email,
    )
    try:
        parse_people(Table(header=columns, rows=(cells,)))
    except DatasetError as error:
        email_label = "emails" if text["email"] else "userName"
        details = []
        for problem in error.problems:
            label = (
                email_label
                if problem.column == "email"
                else _LABELS.get(problem.column or "", "userName")
            )
            details.append(f"{label}: {problem.reason}")
        raise ScimError(400, "; ".join(details), "invalidValue") from error
    return UserValues(
        user_name=text["username"],
        external_id=text["externalid"],
        given_name=text["name.givenname"],
        family_name=text["name.familyname"],
        display_name=text["displayname"],
        formatted_name=text["name.formatted"],
        name=" ".join(name.split()),
        email=email,
        email_type=text["emailtype"] if text["email"] else "",
        email_primary=bool(flat["emailprimary"]) if text["email"] else True,
        title=" ".join(text["title"].split()),
        time_zone=text["timezone"],
        active=active,
        organisation=" ".join(text["organization"].split()),
        department=" ".join(text["department"].split()),
        manager_id=str(flat["manager"] or ""),
    )

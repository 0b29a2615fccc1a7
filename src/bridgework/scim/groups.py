"""SCIM Groups ⇄ the network's organisations; a Group's members are its people.

A person belongs to one organisation, so adding them to a Group moves them there; removing
them leaves them without an organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bridgework.scim.errors import ScimError
from bridgework.scim.users import PATCH_SCHEMA

__all__ = ["GroupValues", "group_apply_patch", "group_from_resource"]

_MEMBER_FILTER = re.compile(r'^members\[\s*value\s+eq\s+"(?P<id>[^"]*)"\s*\]$', re.IGNORECASE)


@dataclass
class GroupValues:
    display_name: str
    external_id: str
    #: Member ids as the client gave them; ``None``: not given (leave people as they are).
    member_ids: list[str] | None


def _lower(value: Any) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


def _ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    ids = []
    for item in items:
        member = _lower(item).get("value") if isinstance(item, dict) else item
        if member in (None, ""):
            raise ScimError(400, "members: each member needs a value (a User id)", "invalidValue")
        ids.append(str(member))
    return ids


def _text(value: Any, label: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScimError(400, f"{label}: must be a string", "invalidValue")
    return value


def group_from_resource(body: Any) -> GroupValues:
    if not isinstance(body, dict):
        raise ScimError(400, "the body must be a JSON object", "invalidSyntax")
    data = _lower(body)
    members = data.get("members")
    return GroupValues(
        display_name=_text(data.get("displayname"), "displayName"),
        external_id=_text(data.get("externalid"), "externalId"),
        member_ids=None if members is None else _ids(members),
    )


def group_apply_patch(current: GroupValues, body: Any) -> GroupValues:
    """Apply a PatchOp to a Group (RFC 7644 section 3.5.2 and Entra ID's shapes)."""
    data = _lower(body)
    if PATCH_SCHEMA not in (data.get("schemas") or []):
        raise ScimError(400, f"schemas: a PATCH body must list {PATCH_SCHEMA}", "invalidSyntax")
    operations = data.get("operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "Operations: a list of operations is required", "invalidSyntax")
    values = GroupValues(current.display_name, current.external_id, list(current.member_ids or []))
    members = values.member_ids
    assert members is not None
    for raw in operations:
        operation = _lower(raw)
        op = str(operation.get("op", "")).lower()
        path = str(operation.get("path") or "").strip()
        value = operation.get("value")
        if op not in ("add", "replace", "remove"):
            raise ScimError(
                400, f"op: {operation.get('op')!r} is not add, replace or remove", "invalidSyntax"
            )
        if not path:
            if op == "remove" or not isinstance(value, dict):
                raise ScimError(400, "path: this operation needs a path", "noTarget")
            for name, item in _lower(value).items():
                _apply(values, members, op, name, item)
            continue
        one = _MEMBER_FILTER.match(path)
        if one and op == "remove":
            members[:] = [m for m in members if m != one["id"]]
            continue
        _apply(values, members, op, path.lower(), value)
    return values


def _apply(values: GroupValues, members: list[str], op: str, path: str, value: Any) -> None:
    if path == "displayname":
        if op == "remove":
            raise ScimError(400, "displayName: is required", "invalidValue")
        values.display_name = _text(value, "displayName")
    elif path == "externalid":
        values.external_id = "" if op == "remove" else _text(value, "externalId")
    elif path == "members":
        if op == "replace":
            members[:] = _ids(value) if value is not None else []
        elif op == "add":
            members.extend(m for m in _ids(value) if m not in members)
        elif value is None:
            members.clear()
        else:
            gone = set(_ids(value))
            members[:] = [m for m in members if m not in gone]
    elif path in ("id", "meta"):
        raise ScimError(400, f"{path} cannot be changed", "mutability")
    else:
        raise ScimError(400, f"path: {path} is not an attribute of a Group", "invalidPath")

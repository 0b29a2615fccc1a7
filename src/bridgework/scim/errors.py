"""SCIM error responses (RFC 7644 section 3.12)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

__all__ = ["CONTENT_TYPE", "ERROR_SCHEMA", "ScimError", "scim_response"]

CONTENT_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimError(Exception):
    """An answer the client must see as a SCIM error: an HTTP status, a ``scimType`` where
    the RFC names one (invalidFilter, invalidPath, invalidValue, invalidSyntax, uniqueness,
    mutability, noTarget, tooMany) and a detail naming the attribute and the reason."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def response(self) -> HttpResponse:
        body: dict[str, Any] = {
            "schemas": [ERROR_SCHEMA],
            "status": str(self.status),
            "detail": self.detail,
        }
        if self.scim_type:
            body["scimType"] = self.scim_type
        response = scim_response(body, status=self.status)
        if self.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
        return response


def scim_response(body: dict[str, Any] | None, *, status: int = 200) -> HttpResponse:
    if body is None:
        return HttpResponse(status=status)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )

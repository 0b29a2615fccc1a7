"""What every SCIM endpoint shares: the bearer token that decides the network, SCIM errors,
the query parameters (from the URL or a ``/.search`` body), paging and attribute selection.

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

from bridgework.scim import selectors
from bridgework.scim.discovery import MAX_RESULTS
from bridgework.scim.errors import ScimError
from bridgework.scim.services import scim_token_refused, scim_token_used

__all__ = ["body_of", "excluded", "not_allowed", "paging", "params_of", "scim_api", "trimmed"]

View = Callable[..., HttpResponse]


def scim_api(view: View) -> View:
    """Bearer-token authentication, the network, SCIM errors for everything that goes wrong.

    The view receives ``request.network`` and ``request.scim_token`` (its writes record the
    token in the audit log); a refused token is recorded too. Any error is a SCIM error
    response; an unexpected one is logged by Django and answered with a plain SCIM 500,
    never a traceback."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, plain = header.partition(" ")
        token = selectors.token_for_bearer(plain.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            scim_token_refused(plain=plain.strip(), request=request)
            return ScimError(401, "A valid bearer token is required.").response()
        scim_token_used(token=token)
        request.network = token.network  # type: ignore[attr-defined]
        request.scim_token = token  # type: ignore[attr-defined]
        try:
            return view(request, *args, **kwargs)
        except ScimError as error:
            return error.response()

    wrapper.scim = True  # type: ignore[attr-defined]
    return wrapper


def body_of(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError) as exc:
        raise ScimError(400, f"the body is not JSON: {exc}", "invalidSyntax") from exc


def not_allowed(request: HttpRequest) -> ScimError:
    return ScimError(405, f"{request.method} is not supported here.")


def params_of(request: HttpRequest) -> dict[str, str]:
    """The query parameters: the URL's, or a POST ``/.search`` body's (RFC 7644 3.4.3)."""
    if request.method == "POST" and request.path.endswith("/.search"):
        body = body_of(request)
        if not isinstance(body, dict):
            raise ScimError(400, "the body must be a JSON object", "invalidSyntax")
        params = {}
        for key, value in body.items():
            if key == "schemas":
                continue
            params[key] = ",".join(value) if isinstance(value, list) else str(value)
        return params
    return request.GET.dict()


def paging(request: HttpRequest) -> tuple[int, int]:
    """``startIndex`` (1-based; below 1 means 1) and ``count`` (0 or more, at most
    :data:`MAX_RESULTS`), RFC 7644 section 3.4.2.4."""
    try:
        start = int(params_of(request).get("startIndex", "1"))
        count = int(params_of(request).get("count", str(MAX_RESULTS)))
    except ValueError:
        raise ScimError(400, "startIndex and count must be whole numbers", "invalidValue") from None
    return max(start, 1), min(max(count, 0), MAX_RESULTS)


def excluded(request: HttpRequest) -> set[str]:
    return {
        name.strip().lower()
        for name in params_of(request).get("excludedAttributes", "").split(",")
        if name.strip()
    }


def trimmed(resource: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    """``attributes`` / ``excludedAttributes`` on top-level attributes (id and schemas are
    always returned, RFC 7644 section 3.9)."""
    given = params_of(request).get("attributes", "")
    wanted = {n.strip().lower() for n in given.split(",") if n.strip()}
    left_out = excluded(request)
    keep = {"id", "schemas", "meta"}
    return {
        key: value
        for key, value in resource.items()
        if key.lower() in keep
        or (
            (not wanted or key.lower() in {w.split(".")[0] for w in wanted})
            and key.lower() not in left_out
        )
    }

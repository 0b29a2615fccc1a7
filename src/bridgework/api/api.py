"""The API object: version 1 under ``/api/v1/``, its routers, and JSON for every error.

The OpenAPI document is served at ``/api/v1/openapi.json`` and the interactive docs at
``/api/v1/docs``; both are public (they describe the API, no data). Swagger UI's script and
style come from django-ninja's own package, served as static files like every other asset,
never from a CDN.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from bridgework.api.auth import MissingScopeError
from bridgework.api.routes import directory, ona, programmes, rc

__all__ = ["api"]

DESCRIPTION = """Read-only access to one network's directory, results and programmes.

Authenticate with a network API token: `Authorization: Bearer <token>`. An owner creates and
revokes tokens under the network's settings, choosing what each may read (its scopes). Every
figure is the one the network's pages show, after the same privacy rules: a figure resting on
fewer respondents than the minimum group size is `null` with `suppressed: true`.
"""

api = NinjaAPI(
    title="Bridgework API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("", directory.router)
api.add_router("/rc", rc.router)
api.add_router("/network-surveys", ona.router)
api.add_router("/programmes", programmes.router)


def _error(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, "A valid API token is required: Authorization: Bearer <token>.")
    response["WWW-Authenticate"] = 'Bearer realm="bridgework"'
    return response


@api.exception_handler(MissingScopeError)
def forbidden(request: HttpRequest, exc: MissingScopeError) -> HttpResponse:
    return _error(request, 403, str(exc))


@api.exception_handler(ObjectDoesNotExist)
def not_found(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return _error(request, 404, "Not found in this network.")


@api.exception_handler(Http404)
def no_such_path(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "Not found.")


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)

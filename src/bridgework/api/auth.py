"""Bearer-token authentication for the API: the token decides the network and what it reads.

``Authorization: Bearer <token>``. Unknown or revoked token: 401. A token without the scope an
endpoint needs: 403. Refusals of a known token are written to its network's audit log. Every
endpoint reads from ``request.auth.network`` only, so a token can never reach another
network's records (their ids are simply not found: 404).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from bridgework.api import selectors
from bridgework.api.models import ApiToken, Scope
from bridgework.api.services import api_access_refused, api_token_used

__all__ = ["MissingScopeError", "TokenAuth", "token_auth"]


class MissingScopeError(Exception):
    """A valid token without the scope the endpoint needs (answered 403)."""

    def __init__(self, scope: str) -> None:
        super().__init__(f"This token does not have the {scope} scope.")
        self.scope = scope


class TokenAuth(HttpBearer):
    """A network's API token, optionally required to carry ``scope``."""

    def __init__(self, scope: str | None = None) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = selectors.api_token_for_bearer(token.strip())
        if found is None:
            return None
        if not found.is_active:
            api_access_refused(token=found, reason="revoked", request=request)
            return None
        if self.scope is not None and not found.has_scope(self.scope):
            api_access_refused(token=found, reason=f"missing {self.scope}", request=request)
            raise MissingScopeError(self.scope)
        api_token_used(token=found)
        return found


def token_auth(scope: Scope | None = None) -> TokenAuth:
    return TokenAuth(None if scope is None else str(scope))

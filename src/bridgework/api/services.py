"""API token writes: create (the plain token is returned once), revoke, note a use, and the
audit events of each, including requests the API refused to a known token."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from bridgework.api.models import ApiToken, Scope
from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory.models import Network
from bridgework.web.bearer_tokens import (
    bearer_token_issue,
    bearer_token_revoke,
    bearer_token_used,
)

__all__ = ["api_access_refused", "api_token_create", "api_token_revoke", "api_token_used"]


@transaction.atomic
def api_token_create(
    *,
    network: Network,
    name: str,
    scopes: Iterable[str],
    created_by: Any,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """A new read-only token for ``network`` with ``scopes``; returns it and the plain value,
    which is never stored (only its digest) and so can be shown only this once.

    Raises
    ------
    ValidationError
        When a scope is unknown, none is given, or the name is empty.
    """
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in Scope.values]
    if unknown:
        raise ValidationError({"scopes": f"Unknown scope: {', '.join(unknown)}."})
    if not chosen:
        raise ValidationError({"scopes": "Choose at least one thing the token may read."})
    token = ApiToken(network=network, name=name.strip(), scopes=chosen, created_by=created_by)
    return bearer_token_issue(
        token=token,
        action=Action.API_TOKEN_CREATED,
        details={"scopes": chosen},
        request=request,
        exclude=["created_by"],
    )


@transaction.atomic
def api_token_revoke(
    *, token: ApiToken, revoked_by: Any, request: HttpRequest | None = None
) -> ApiToken:
    """Revoke ``token`` (it answers 401 from now on); revoking twice changes nothing."""
    bearer_token_revoke(
        token=token, actor=revoked_by, action=Action.API_TOKEN_REVOKED, request=request
    )
    return token


def api_token_used(*, token: ApiToken) -> None:
    """Note the time of use, at most once a minute."""
    bearer_token_used(token=token)


def api_access_refused(*, token: ApiToken, reason: str, request: HttpRequest) -> None:
    """Record in the token's network's audit log that a request with it was refused
    (revoked token, or a scope it lacks), with the path asked for."""
    audit_record(
        network=token.network,
        actor=None,
        action=Action.API_ACCESS_REFUSED,
        target=token,
        details={"reason": reason, "path": request.path[:200]},
        request=request,
    )

"""API token writes: create (the plain token is returned once), revoke, note a use, and the
audit events of each, including requests the API refused to a known token."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from bridgework.api.models import ApiToken, Scope
from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory.models import Network
from bridgework.tokens import issue_token

__all__ = ["api_access_refused", "api_token_create", "api_token_revoke", "api_token_used"]

#: How often ``last_used_at`` is written at most (one write a minute, not one per request).
LAST_USED_RESOLUTION_SECONDS = 60


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
    issued = issue_token()
    token = ApiToken(
        network=network,
        name=name.strip(),
        scopes=chosen,
        token_digest=issued.digest,
        created_by=created_by,
    )
    token.full_clean(exclude=["created_by"])
    token.save()
    audit_record(
        network=network,
        actor=created_by,
        action=Action.API_TOKEN_CREATED,
        target=token,
        details={"scopes": chosen},
        request=request,
    )
    return token, issued.plain


@transaction.atomic
def api_token_revoke(
    *, token: ApiToken, revoked_by: Any, request: HttpRequest | None = None
) -> ApiToken:
    """Revoke ``token`` (it answers 401 from now on); revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            network=token.network,
            actor=revoked_by,
            action=Action.API_TOKEN_REVOKED,
            target=token,
            request=request,
        )
    return token


def api_token_used(*, token: ApiToken) -> None:
    """Note the time of use, at most once a minute."""
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


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

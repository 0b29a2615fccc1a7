"""Bearer tokens an outside system holds for one network (API tokens, directory sync tokens).

A token is issued by :mod:`bridgework.tokens`: only its SHA-256 digest is stored, the plain
value is returned once. The concrete models add the ``network`` and ``created_by`` foreign
keys and the ``name`` (each with its own help text and reverse names); the apps' services
call the helpers below with their own model, audit actions and event details."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from bridgework.audit.services import audit_record
from bridgework.tokens import issue_token

__all__ = ["BearerToken", "bearer_token_issue", "bearer_token_revoke", "bearer_token_used"]

#: How often ``last_used_at`` is written at most (one write a minute, not one per request).
LAST_USED_RESOLUTION_SECONDS = 60


class BearerToken(models.Model):
    """What every bearer token keeps: the digest, when it was created, last used, revoked."""

    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


T = TypeVar("T", bound=BearerToken)


def bearer_token_issue(
    *,
    token: T,
    action: str,
    details: Mapping[str, Any],
    request: HttpRequest | None = None,
    exclude: list[str] | None = None,
) -> tuple[T, str]:
    """Give the unsaved ``token`` (its network, name and creator set) a new digest, validate
    it (but ``exclude``), save it and record ``action`` by its creator in its network's audit
    log. Returns the token and its plain value, never stored: shown this once.

    Raises ``ValidationError`` when the token is not valid; nothing is written then."""
    issued = issue_token()
    token.token_digest = issued.digest
    token.full_clean(exclude=exclude)
    token.save()
    audit_record(
        network=token.network,
        actor=token.created_by,
        action=action,
        target=token,
        details=dict(details),
        request=request,
    )
    return token, issued.plain


def bearer_token_revoke(
    *,
    token: BearerToken,
    actor: Any,
    action: str,
    details: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """Revoke ``token`` from now on and record ``action`` by ``actor``; a token already
    revoked changes and records nothing. Whether it was revoked now."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        network=token.network,
        actor=actor,
        action=action,
        target=token,
        details=dict(details) if details is not None else None,
        request=request,
    )
    return True


def bearer_token_used(*, token: BearerToken) -> None:
    """Note the time of use, at most once a minute."""
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        type(token).objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now

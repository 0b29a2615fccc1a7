"""Unguessable tokens for links in emails (coordinator invitations, survey and pairing links).

A token is 32 random bytes (256 bits) from :mod:`secrets`, URL-safe base64 encoded. Only its
SHA-256 digest is stored, so a copy of the database cannot be used to answer someone's survey
or accept their invitation. SHA-256 (not a slow password hash) is right here because the token
has 256 bits of entropy: there is nothing to brute-force, and lookups stay one indexed query.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

__all__ = ["TOKEN_BYTES", "IssuedToken", "issue_token", "token_digest", "token_matches"]

TOKEN_BYTES = 32


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued token: ``plain`` goes in the link, ``digest`` in the database."""

    plain: str
    digest: str


def token_digest(token: str) -> str:
    """Hex SHA-256 digest of a token, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token() -> IssuedToken:
    """A new random token and its digest."""
    plain = secrets.token_urlsafe(TOKEN_BYTES)
    return IssuedToken(plain=plain, digest=token_digest(plain))


def token_matches(token: str, digest: str) -> bool:
    """Constant-time comparison of a presented token against a stored digest."""
    return hmac.compare_digest(token_digest(token), digest)

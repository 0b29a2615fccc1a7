"""Single sign-on with OpenID Connect: the provider's configuration and the backend.

Single sign-on is on when ``OIDC_RP_CLIENT_ID`` is set with either ``OIDC_ISSUER`` (the
endpoints are then read from ``<issuer>/.well-known/openid-configuration`` on first use and
kept for an hour) or the four ``OIDC_OP_*`` endpoints (docs/sso.md).

It signs in an *existing* login only: the provider's ``email`` claim, which the provider must
say it has verified (``email_verified``, or the claim ``OIDC_EMAIL_VERIFIED_CLAIM`` names),
is matched case-insensitively to a login. It never makes a login, except by accepting a
pending coordinator invitation for that same address that the visitor started from. Every
refusal is a :class:`SignOnRefusedError` with a reason the callback page explains.

The ID token is checked more strictly than mozilla-django-oidc does by default: signature
(JWKS, ``OIDC_RP_SIGN_ALGO``), audience (our client id), issuer (when known), expiry and
issue time, and the nonce of this browser's sign-in.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

__all__ = [
    "BACKEND_PATH",
    "DISCOVERY_SECONDS",
    "ENDPOINT_SETTINGS",
    "INVITATION_SESSION_KEY",
    "SignOnRefusedError",
    "SingleSignOnBackend",
    "SingleSignOnUnavailableError",
    "discovery_forget",
    "oidc_setting",
    "provider_name",
    "sso_configured",
]

BACKEND_PATH = "bridgework.accounts.sso.SingleSignOnBackend"
#: Session key: the pending invitation a visitor started single sign-on from.
INVITATION_SESSION_KEY = "sso_invitation"
#: How long a provider's discovery document is kept before it is fetched again.
DISCOVERY_SECONDS = 60 * 60
#: Our setting → the discovery document's key (OpenID Connect Discovery 1.0, section 3).
ENDPOINT_SETTINGS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
#: Leeway for clocks that disagree a little, in seconds.
CLOCK_LEEWAY = 60

_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_discovery_lock = threading.Lock()


class SingleSignOnUnavailableError(Exception):
    """The provider's configuration could not be read (discovery failed or is incomplete)."""


class SignOnRefusedError(Exception):
    """A sign-on that must not sign anyone in, with the reason shown to the visitor.

    ``reason`` is one of ``unverifiable`` (the provider's answer failed a check),
    ``unverified-email``, ``unknown-email``, ``inactive``, ``invitation-mismatch``.
    """

    def __init__(self, reason: str, *, email: str = "", detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.email, self.detail = reason, email, detail


def sso_configured() -> bool:
    """Whether this deployment has single sign-on: a client id and a way to the endpoints."""
    if not settings.OIDC_RP_CLIENT_ID:
        return False
    explicit = all(getattr(settings, name, "") for name in ENDPOINT_SETTINGS)
    return explicit or bool(settings.OIDC_ISSUER)


def provider_name() -> str:
    """The name on the "Sign in with …" button (``OIDC_PROVIDER_NAME``)."""
    return settings.OIDC_PROVIDER_NAME


def discovery_forget() -> None:
    """Drop cached discovery documents (tests; a provider that moved its endpoints)."""
    with _discovery_lock:
        _discovered.clear()


def _discovery(issuer: str) -> dict[str, Any]:
    with _discovery_lock:
        cached = _discovered.get(issuer)
        if cached is not None and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
            return cached[1]
    url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SingleSignOnUnavailableError(f"could not read {url}: {exc}") from exc
    named = document.get("issuer", "") if isinstance(document, dict) else ""
    if not isinstance(named, str) or named.rstrip("/") != issuer.rstrip("/"):
        # Discovery section 4.3: the document must name the issuer it was fetched for.
        raise SingleSignOnUnavailableError(f"{url} names another issuer: {named!r}")
    missing = [key for key in ENDPOINT_SETTINGS.values() if not document.get(key)]
    if missing:
        raise SingleSignOnUnavailableError(f"{url} has no {', '.join(missing)}")
    with _discovery_lock:
        _discovered[issuer] = (time.monotonic(), document)
    return document


def oidc_setting(name: str, *default: Any) -> Any:
    """A mozilla-django-oidc setting, with endpoints discovered from ``OIDC_ISSUER`` when they
    are not set one by one."""
    if name in ENDPOINT_SETTINGS:
        value = getattr(settings, name, "")
        if value:
            return value
        if settings.OIDC_ISSUER:
            return _discovery(settings.OIDC_ISSUER)[ENDPOINT_SETTINGS[name]]
        if default:
            return default[0]
        raise ImproperlyConfigured(f"{name} (or OIDC_ISSUER) must be set for single sign-on.")
    return import_from_settings(name, *default)


def _endpoint(name: str) -> property:
    return property(lambda self: oidc_setting(name))


def _issuers() -> tuple[str, ...] | None:
    """The issuer ID tokens must name: ``OIDC_ISSUER`` as written, with or without its
    trailing slash (Login.gov's has one, Entra ID's has none), or no check without it."""
    issuer = settings.OIDC_ISSUER
    if not issuer:
        return None
    return tuple(dict.fromkeys((issuer, issuer.rstrip("/"), issuer.rstrip("/") + "/")))


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching the provider's verified email to a login.

    Django offers every sign-in to every backend; this one answers only the sign-on callback
    (``sso_callback=True``), so a password never reaches it and its settings are read only
    then (a deployment without single sign-on loads it without error).
    """

    OIDC_OP_TOKEN_ENDPOINT = _endpoint("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _endpoint("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _endpoint("OIDC_OP_JWKS_ENDPOINT")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    get_settings = staticmethod(oidc_setting)

    def authenticate(self, request, sso_callback: bool = False, **kwargs: Any):  # type: ignore[override]
        if not sso_callback or request is None or not sso_configured():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SignOnRefusedError as refusal:
            request.sso_refusal = refusal
        except (
            SuspiciousOperation,
            SingleSignOnUnavailableError,
            requests.RequestException,
            jwt.PyJWTError,
            ValueError,
            KeyError,
        ) as exc:
            request.sso_refusal = SignOnRefusedError("unverifiable", detail=str(exc))
        return None

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """Signature, algorithm, audience, issuer, expiry and issue time of a token."""
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"not a signed token: {exc}") from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"token signed with {header.get('alg')!r}, expected {self.OIDC_RP_SIGN_ALGO!r}"
            )
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=_issuers(),
                leeway=CLOCK_LEEWAY,
                options={"require": ["exp", "iat", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"token refused: {exc}") from exc

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]):
        claims = dict(payload)
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            # OpenID Connect Core 5.3.2: the UserInfo answer must be about the token's subject.
            raise SignOnRefusedError("unverifiable", detail="userinfo is about another subject")
        claims.update(userinfo)
        email = str(claims.get("email") or "").strip()
        verified = claims.get(settings.OIDC_EMAIL_VERIFIED_CLAIM)
        if isinstance(verified, str):  # some providers send "true"
            verified = verified.strip().lower() == "true"
        if not email or verified is not True:
            raise SignOnRefusedError("unverified-email", email=email)
        user = self.UserModel.objects.filter(email__iexact=email).first()
        if user is None:
            user = self._accept_invitation(email=email, name=str(claims.get("name") or ""))
        if not user.is_active:
            raise SignOnRefusedError("inactive", email=email)
        return user

    def _accept_invitation(self, *, email: str, name: str):
        """A first sign-on from an invitation page for this same address makes the login."""
        from bridgework.accounts.models import CoordinatorInvitation
        from bridgework.accounts.services import invitation_accept

        invitation_pk = self.request.session.get(INVITATION_SESSION_KEY)
        invitation = (
            CoordinatorInvitation.objects.filter(pk=invitation_pk).first()
            if invitation_pk
            else None
        )
        if invitation is None or not invitation.is_pending:
            raise SignOnRefusedError("unknown-email", email=email)
        if invitation.email.casefold() != email.casefold():
            raise SignOnRefusedError("invitation-mismatch", email=email, detail=invitation.email)
        self.request.session.pop(INVITATION_SESSION_KEY, None)
        return invitation_accept(invitation=invitation, name=name)

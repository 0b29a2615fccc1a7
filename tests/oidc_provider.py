"""A small OpenID Connect provider for the tests, served on 127.0.0.1 at a random port.

It speaks the authorization-code flow the way Entra ID, Google, Okta and Login.gov do:
discovery, an authorization endpoint that redirects back with a one-use code (consent is
assumed: it signs in whoever ``provider.user`` is), a token endpoint that checks the client's
secret, the redirect URI and PKCE, RS256 ID tokens signed with a fresh test key (joserfc),
a UserInfo endpoint and the JWKS. Knobs let a test make it misbehave: other claims in the
ID token (``token_claims``: a wrong audience, an expired token), a tampered signature, a
token signed by a key that is not in its JWKS.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "bridgework-test-client"
CLIENT_SECRET = "test-client-secret-" + "x" * 16


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    user: dict[str, Any]
    access_token: str = ""


@dataclass
class Provider:
    issuer: str = ""
    user: dict[str, Any] = field(default_factory=dict)
    #: Claims to add to (or, with ``None``, remove from) the next ID tokens.
    token_claims: dict[str, Any] = field(default_factory=dict)
    tamper_signature: bool = False
    sign_with_unknown_key: bool = False
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    stranger: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"})
    )
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, Grant] = field(default_factory=dict)
    discovery_requests: int = 0

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        return KeySet([self.key]).as_dict(private=False)

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": grant.user["sub"],
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            **({"nonce": grant.nonce} if grant.nonce else {}),
            **grant.user,
        }
        for name, value in self.token_claims.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = self.stranger if self.sign_with_unknown_key else self.key
        token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        if self.tamper_signature:
            head, body, signature = token.split(".")
            flipped = "A" if signature[10] != "A" else "B"
            token = ".".join([head, body, signature[:10] + flipped + signature[11:]])
        return token


class _Handler(BaseHTTPRequestHandler):
    provider: Provider

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        provider = self.provider
        if url.path == "/.well-known/openid-configuration":
            provider.discovery_requests += 1
            self._json(200, provider.discovery())
        elif url.path == "/jwks":
            self._json(200, provider.jwks())
        elif url.path == "/authorize":
            if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                self._json(400, {"error": "invalid_request"})
                return
            code = secrets.token_urlsafe(16)
            provider.grants[code] = Grant(
                client_id=query["client_id"],
                redirect_uri=query["redirect_uri"],
                nonce=query.get("nonce"),
                code_challenge=query.get("code_challenge"),
                user=dict(provider.user),
            )
            back = urlencode({"code": code, "state": query.get("state", "")})
            self.send_response(302)
            self.send_header("Location", f"{query['redirect_uri']}?{back}")
            self.end_headers()
        elif url.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            grant = provider.tokens.get(token)
            if grant is None:
                self._json(401, {"error": "invalid_token"})
            else:
                self._json(200, dict(grant.user))
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        provider = self.provider
        if urlsplit(self.path).path != "/token":
            self._json(404, {"error": "not_found"})
            return
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            self._json(401, {"error": "invalid_client"})
            return
        grant = provider.grants.pop(form.get("code", ""), None)  # one use
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            self._json(400, {"error": "invalid_grant"})
            return
        if grant.code_challenge:
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if digest.decode() != grant.code_challenge:
                self._json(400, {"error": "invalid_grant"})
                return
        grant.access_token = secrets.token_urlsafe(16)
        provider.tokens[grant.access_token] = grant
        self._json(
            200,
            {
                "access_token": grant.access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": provider.id_token(grant),
            },
        )


class RunningProvider:
    """Start with ``with RunningProvider() as provider:``; stops (and frees the port) after."""

    def __init__(self) -> None:
        self.provider = Provider()
        handler = type("Handler", (_Handler,), {"provider": self.provider})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        host, port = self.server.server_address[:2]
        self.provider.issuer = f"http://{host}:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        return self.provider

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

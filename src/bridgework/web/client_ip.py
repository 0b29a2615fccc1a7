"""The address a request came from, believing ``X-Forwarded-For`` only as far as configured.

With ``BRIDGEWORK_TRUSTED_PROXIES=0`` (the default) the connection's own address
(``REMOTE_ADDR``) is the client: anyone can write an ``X-Forwarded-For`` header, so believing
it would let one machine pose as many and dodge every limit. Behind N reverse proxies that
each append the address they saw, the client is the N-th address from the right of the header
(counting the connection's address as the last one). Sign-in lockouts (django-axes) and the
rate limiter both use :func:`client_ip`.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

__all__ = ["client_ip"]


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str:
    """The client's IP address, as far as the trusted proxies vouch for it."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if trusted <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [part.strip() for part in forwarded.split(",") if part.strip()] + [remote]
    # chain[-1] is the nearest proxy; each trusted proxy vouches for the address before it.
    index = max(len(chain) - 1 - trusted, 0)
    candidate = chain[index]
    return candidate if _valid(candidate) else remote

"""The shared cache's settings from ``CACHE_URL``."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

__all__ = ["caches"]


def caches(cache_url: str) -> dict[str, dict]:
    """Django's ``CACHES`` for ``CACHE_URL``: Redis (``redis://host:6379/0``, ``rediss://`` for
    TLS, ``unix://``), a table in the database (empty, ``db://`` or ``database``: the default)
    or a per-process memory (``locmem://``: tests and single-process trials only)."""
    cache_url = cache_url.strip()
    if cache_url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": cache_url,
                # A Redis that hangs delays a request by a second, not redis-py's five, before
                # the app carries on without it (bridgework.web.cache); the URL's own
                # ?socket_timeout=…&socket_connect_timeout=… override these.
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
    if cache_url in {"", "db://", "database"}:
        return {
            "default": {
                # Django's, with increments that count exactly across processes.
                "BACKEND": "bridgework.web.cache.DatabaseCache",
                "LOCATION": "bridgework_cache",
                # Django culls a third of the table past 300 entries (rate-limit counters among
                # them); pictures and analyses of a large network fill far more than that.
                "OPTIONS": {"MAX_ENTRIES": 100_000},
            }
        }
    if cache_url == "locmem://":
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    raise ImproperlyConfigured(
        "CACHE_URL must be redis://host:port/db (or rediss://), db:// or locmem://, "
        f"not {cache_url!r}."
    )

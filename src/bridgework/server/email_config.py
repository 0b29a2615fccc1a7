"""SMTP settings from ``EMAIL_URL`` or the ``EMAIL_HOST`` family of variables."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def smtp_settings(email_url: str, environ: Mapping[str, str]) -> dict[str, object]:
    """Django email settings for SMTP delivery.

    ``EMAIL_URL`` looks like ``smtp://user:password@host:587?tls=1`` (``smtps://`` for implicit
    TLS on port 465). Without it, ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
    ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS`` and ``EMAIL_USE_SSL`` are read directly.
    """
    settings: dict[str, object] = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_TIMEOUT": int(environ.get("EMAIL_TIMEOUT", "30")),
    }
    if email_url:
        parts = urlsplit(email_url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ImproperlyConfigured("EMAIL_URL must look like smtp://user:password@host:port")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        implicit_tls = parts.scheme == "smtps" or query.get("ssl") in {"1", "true"}
        settings.update(
            EMAIL_HOST=parts.hostname,
            EMAIL_PORT=parts.port or (465 if implicit_tls else 587),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=implicit_tls,
            EMAIL_USE_TLS=not implicit_tls and query.get("tls", "1") in {"1", "true"},
        )
        return settings

    def flag(name: str) -> bool:
        return environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}

    settings.update(
        EMAIL_HOST=environ["EMAIL_HOST"],
        EMAIL_PORT=int(environ.get("EMAIL_PORT", "587")),
        EMAIL_HOST_USER=environ.get("EMAIL_HOST_USER", ""),
        EMAIL_HOST_PASSWORD=environ.get("EMAIL_HOST_PASSWORD", ""),
        EMAIL_USE_TLS=flag("EMAIL_USE_TLS"),
        EMAIL_USE_SSL=flag("EMAIL_USE_SSL"),
    )
    return settings

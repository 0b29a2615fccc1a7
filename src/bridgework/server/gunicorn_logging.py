"""Gunicorn's logger with personal links removed from access lines: a request
path such as ``/s/<token>/`` is the key to someone's answers and must not sit in a log."""

from __future__ import annotations

from gunicorn.glogging import Logger


def _redact(value: object) -> object:
    if not isinstance(value, str):
        return value
    from bridgework.mail.redaction import redact

    try:
        return redact(value)
    except Exception:  # URLs not loadable yet (start-up): keep the value as it is
        return value


class RedactingLogger(Logger):
    """Every access-log field (request line, path, query, referrer...) goes through
    :func:`bridgework.mail.redaction.redact`."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: _redact(value) for key, value in atoms.items()}

"""Email backend of the embedded default: mail stays in the in-app outbox.

Every message is already recorded in :class:`~bridgework.mail.models.OutboxMessage` when it is
queued; this backend accepts delivery without sending anything off the machine, so a demo or a
trial never emails real people. Set ``EMAIL_URL`` to deliver by SMTP instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class OutboxBackend(BaseEmailBackend):
    """Deliver to the outbox only: the message is visible in the app and nowhere else."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        return len(list(email_messages))


OUTBOX_BACKEND = f"{OutboxBackend.__module__}.{OutboxBackend.__qualname__}"


def outbox_is_delivery() -> bool:
    """True in the outbox-only mode: no email leaves the app, so the outbox copy (links and
    all) is what people use. Any other backend delivers, and the outbox copy is redacted."""
    from django.conf import settings

    return settings.EMAIL_BACKEND == OUTBOX_BACKEND

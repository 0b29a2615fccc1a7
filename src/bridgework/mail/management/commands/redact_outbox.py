"""``bridgework manage redact_outbox``: remove personal links from the outbox's stored copies,
for a site that moves from the outbox-only mode to real delivery."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from bridgework.mail.models import OutboxMessage
from bridgework.mail.services import outbox_redact


class Command(BaseCommand):
    help = "Remove personal links from every outbox copy (unsent emails keep theirs for delivery)."

    def handle(self, *args, **options) -> None:
        changed = outbox_redact(OutboxMessage.objects.all())
        self.stdout.write(f"{changed} outbox message{'s' if changed != 1 else ''} redacted.")

"""The outbox: a record of every email Bridgework sends, readable by the network's coordinators."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One email to one recipient, from queueing to delivery."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    network = models.ForeignKey(
        "directory.Network", on_delete=models.CASCADE, null=True, blank=True, related_name="outbox"
    )
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    # Attachments as [{"filename", "mimetype", "content" (text)}]: calendar invitations are text.
    attachments = models.JSONField(default=list, blank=True)
    kind = models.CharField(max_length=50, blank=True, help_text="What the email is for.")
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # When mail is really delivered, the fields above hold the copy coordinators see, with
    # personal links removed; the email as sent waits here until delivery, then is cleared.
    # No page, export or log reads these.
    links_redacted = models.BooleanField(
        default=False, help_text="Personal links are removed from the copy shown."
    )
    pending_text_body = models.TextField(blank=True, editable=False)
    pending_html_body = models.TextField(blank=True, editable=False)
    pending_attachments = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["network", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

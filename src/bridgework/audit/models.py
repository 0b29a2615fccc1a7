"""Audit events: who did what, to which record, when — and never changed afterwards.

An event is written once by :func:`bridgework.audit.services.audit_record` and then refused
any change, on three levels: the model (``save`` of an existing row and ``delete`` raise), the
queryset (``update``/``delete`` raise) and the database itself (triggers on PostgreSQL and
SQLite, migration ``0002_append_only_triggers``), so not even a raw SQL statement from the
app can rewrite history.

Two changes remain possible, both by design:

* the acting login may be deleted: ``actor`` becomes NULL (the database allows an UPDATE that
  changes nothing but clearing ``actor_id``), while ``actor_email`` keeps who it was;
* a whole network may be deleted (:func:`bridgework.audit.services.audit_events_purge`): the
  database lets an event be deleted only once its network row is gone, so the history of a
  network that still exists cannot be trimmed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEventImmutableError(Exception):
    """Raised when code tries to change or delete an audit event."""


class Action(models.TextChoices):
    """What an event records."""

    MEMBER_INVITED = "member_invited", _("Invited a member")
    MEMBER_INVITATION_REVOKED = "member_invitation_revoked", _("Withdrew a member invitation")
    SURVEY_INVITATIONS_SENT = "survey_invitations_sent", _("Sent survey invitations")
    SURVEY_REMINDERS_SENT = "survey_reminders_sent", _("Sent survey reminders")
    EXPORT_DOWNLOADED = "export_downloaded", _("Downloaded an export")
    ROUND_PUBLISHED = "round_published", _("Published a coffee round")
    PERSON_ERASED = "person_erased", _("Erased a person")
    MIN_GROUP_SIZE_CHANGED = "min_group_size_changed", _("Changed a minimum group size")
    RETENTION_CHANGED = "retention_changed", _("Changed the retention period")
    RAW_ANSWERS_DELETED = "raw_answers_deleted", _("Deleted raw answers past retention")
    NETWORK_BACKED_UP = "network_backed_up", _("Backed up the network")
    NETWORK_RESTORED = "network_restored", _("Restored the network from a backup")
    API_TOKEN_CREATED = "api_token_created", _("Created an API token")
    API_TOKEN_REVOKED = "api_token_revoked", _("Revoked an API token")
    API_ACCESS_REFUSED = "api_access_refused", _("Refused an API request")
    SCIM_USER_CREATED = "scim_user_created", _("Directory sync added a person")
    SCIM_USER_REPLACED = "scim_user_replaced", _("Directory sync replaced a person")
    SCIM_USER_PATCHED = "scim_user_patched", _("Directory sync changed a person")
    SCIM_USER_DEACTIVATED = "scim_user_deactivated", _("Directory sync deactivated a person")
    SCIM_GROUP_CREATED = "scim_group_created", _("Directory sync added an organisation")
    SCIM_GROUP_REPLACED = "scim_group_replaced", _("Directory sync replaced an organisation")
    SCIM_GROUP_PATCHED = "scim_group_patched", _("Directory sync changed an organisation")
    SCIM_GROUP_DEACTIVATED = "scim_group_deactivated", _("Directory sync removed an organisation")
    SCIM_TOKEN_CREATED = "scim_token_created", _("Created a directory sync token")
    SCIM_TOKEN_REVOKED = "scim_token_revoked", _("Revoked a directory sync token")
    SCIM_TOKEN_REFUSED = "scim_token_refused", _("Refused a revoked directory sync token")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditEventImmutableError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditEventImmutableError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One thing a login (or the system, ``actor`` empty) did in a network."""

    # DO_NOTHING, not CASCADE: Django's cascade deletes children before their parent, while
    # the database lets an event go only once its network row is gone. Deleting a network
    # therefore goes through audit_events_purge (the foreign key is deferred to commit).
    network = models.ForeignKey(
        "directory.Network", on_delete=models.DO_NOTHING, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["network", "-created_at"]),
            models.Index(fields=["network", "action"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_email or 'the system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditEventImmutableError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditEventImmutableError("Audit events cannot be deleted.")


class AuditPurge(models.Model):
    """A network whose audit events are being deleted with it, for the length of one
    transaction (:func:`bridgework.audit.services.audit_events_purge`). On SQLite the
    append-only trigger lets an event be deleted only while its network is listed here; a
    trigger there cannot look at the network table itself, which migrations rebuild."""

    network_id = models.BigIntegerField(unique=True)

    def __str__(self) -> str:
        return f"purging audit events of network {self.network_id}"

"""Directory sync by SCIM 2.0: the network's bearer tokens, and what SCIM knows of the
directory's people and organisations beyond the directory itself (the provider's
``externalId``, the name parts, whether the provider has deleted the resource)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bridgework.web.bearer_tokens import BearerToken


class ScimToken(BearerToken):
    """A bearer token an identity provider uses to sync one network's directory.

    Only the SHA-256 digest is stored (``bridgework.tokens``); the token is shown once."""

    network = models.ForeignKey(
        "directory.Network", on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField(max_length=100, help_text="For example: Entra ID provisioning.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.network})"


class ProvisionedPerson(models.Model):
    """SCIM's view of one person: kept beside the directory record, never instead of it.

    ``deleted_at``: the provider deleted the user. The person is deactivated (records are never
    deleted) and SCIM answers 404 for them until the provider creates them again."""

    person = models.OneToOneField(
        "directory.Person", on_delete=models.CASCADE, related_name="provisioned"
    )
    user_name = models.CharField(max_length=254, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    display_name = models.CharField(max_length=200, blank=True)
    formatted_name = models.CharField(max_length=200, blank=True)
    #: The ``type`` the provider gave the address (``work`` if none).
    email_type = models.CharField(max_length=40, blank=True)
    email_primary = models.BooleanField(default=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"SCIM user {self.person_id}"


class ProvisionedGroup(models.Model):
    """SCIM's view of one organisation (a SCIM Group). ``deleted_at`` as above: the
    organisation stays in the directory, emptied of its members."""

    organisation = models.OneToOneField(
        "directory.Organisation", on_delete=models.CASCADE, related_name="provisioned"
    )
    external_id = models.CharField(max_length=255, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"SCIM group {self.organisation_id}"

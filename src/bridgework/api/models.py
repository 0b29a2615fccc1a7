"""API tokens: one network's read-only bearer tokens, each with the scopes an owner gave it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgework.web.bearer_tokens import BearerToken


class Scope(models.TextChoices):
    """What a token may read. There are no write scopes: the API only reads."""

    NETWORK = "read:network", _("The network, its organisations, teams and workgroups")
    DIRECTORY = "read:directory", _("People in the directory (names, emails, job titles)")
    RESULTS = "read:results", _("Survey results: RC waves and network survey summaries")
    PROGRAMMES = "read:programmes", _("Coffee programmes and their dashboard figures")


class ApiToken(BearerToken):
    """A bearer token an outside system uses to read one network's data through the API.

    Only the SHA-256 digest is stored (:mod:`bridgework.tokens`); the token is shown once,
    when it is created. ``scopes`` lists :class:`Scope` values."""

    network = models.ForeignKey(
        "directory.Network", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="For example: the county's dashboard.")
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"API token {self.name} ({self.network})"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def scope_labels(self) -> list[str]:
        return [Scope(s).label for s in Scope.values if s in self.scopes]

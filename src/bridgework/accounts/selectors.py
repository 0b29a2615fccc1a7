"""Reading logins and coordinator invitations: a network's invitations start from the network."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from bridgework.accounts.models import CoordinatorInvitation, User
from bridgework.directory.models import Network
from bridgework.tokens import token_digest

__all__ = [
    "invitation_for",
    "invitation_for_token",
    "invitations_pending_for",
    "login_exists_for",
]


def invitations_pending_for(network: Network) -> QuerySet[CoordinatorInvitation]:
    """The network's invitations still waiting for an answer (not accepted, withdrawn or
    expired), newest first — the same rule as ``CoordinatorInvitation.is_pending``."""
    return CoordinatorInvitation.objects.filter(
        network=network,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("-created_at")


def invitation_for(network: Network, pk: int) -> CoordinatorInvitation:
    """One of the network's invitations; ``CoordinatorInvitation.DoesNotExist`` otherwise."""
    return CoordinatorInvitation.objects.get(network=network, pk=pk)


def invitation_for_token(token: str) -> CoordinatorInvitation | None:
    """The pending invitation behind a link, or ``None`` (expired, used, revoked or unknown)."""
    invitation = (
        CoordinatorInvitation.objects.select_related("network")
        .filter(token_digest=token_digest(token))
        .first()
    )
    return invitation if invitation is not None and invitation.is_pending else None


def login_exists_for(email: str) -> bool:
    """Whether someone can already sign in with this address (any case)."""
    return User.objects.filter(email__iexact=email).exists()

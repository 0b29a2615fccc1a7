"""Reading for SCIM: every query starts from the network the bearer token belongs to."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from bridgework.directory.models import Network, Organisation, Person
from bridgework.scim.models import ScimToken
from bridgework.tokens import token_digest

__all__ = [
    "group_for",
    "groups_for",
    "scim_token_for",
    "scim_tokens_for",
    "token_for_bearer",
    "user_for",
    "users_for",
]


def token_for_bearer(plain: str) -> ScimToken | None:
    """The unrevoked token behind a bearer value, with its network, or ``None``."""
    if not plain:
        return None
    return (
        ScimToken.objects.select_related("network")
        .filter(token_digest=token_digest(plain), revoked_at__isnull=True)
        .first()
    )


def scim_tokens_for(network: Network) -> QuerySet[ScimToken]:
    return ScimToken.objects.filter(network=network).select_related("created_by")


def scim_token_for(network: Network, pk: int) -> ScimToken:
    """One of the network's tokens; ``ScimToken.DoesNotExist`` otherwise."""
    return ScimToken.objects.get(network=network, pk=pk)


def users_for(network: Network) -> QuerySet[Person]:
    """The network's people as SCIM sees them: all but those the provider deleted."""
    return (
        Person.objects.filter(network=network)
        .exclude(provisioned__deleted_at__isnull=False)
        .select_related("organisation", "team", "manager", "provisioned")
        .order_by("pk")
    )


def user_for(network: Network, user_id: str) -> Person | None:
    """One SCIM user of the network by id, or ``None`` (another network's id included)."""
    if not user_id.isdigit():
        return None
    return users_for(network).filter(pk=int(user_id)).first()


def groups_for(network: Network) -> QuerySet[Organisation]:
    """The network's organisations as SCIM Groups: all but those the provider deleted."""
    return (
        Organisation.objects.filter(network=network)
        .exclude(provisioned__deleted_at__isnull=False)
        .select_related("provisioned")
        .order_by("pk")
    )


def group_for(network: Network, group_id: str) -> Organisation | None:
    if not group_id.isdigit():
        return None
    return groups_for(network).filter(pk=int(group_id)).first()


def deleted_user_with_email(network: Network, email: str) -> Person | None:
    """A person the provider deleted earlier, with this email: creating them again revives
    the same record."""
    return (
        Person.objects.filter(network=network, email__iexact=email)
        .filter(Q(provisioned__deleted_at__isnull=False))
        .first()
    )

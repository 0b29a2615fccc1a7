"""Reading API tokens. A bearer value is looked up by its digest; lists start from the network."""

from __future__ import annotations

from django.db.models import QuerySet

from bridgework.api.models import ApiToken
from bridgework.directory.models import Network
from bridgework.tokens import token_digest

__all__ = ["api_token_for", "api_token_for_bearer", "api_tokens_for"]


def api_token_for_bearer(plain: str) -> ApiToken | None:
    """The token (revoked or not) behind a bearer value, with its network, or ``None``."""
    if not plain:
        return None
    return (
        ApiToken.objects.select_related("network").filter(token_digest=token_digest(plain)).first()
    )


def api_tokens_for(network: Network) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(network=network).select_related("created_by")


def api_token_for(network: Network, pk: int) -> ApiToken:
    """One of the network's tokens; ``ApiToken.DoesNotExist`` otherwise."""
    return ApiToken.objects.select_related("network").get(network=network, pk=pk)

"""Conversation guides: the built-in ones copied into a network, and the network's own."""

from __future__ import annotations

from bridgework.directory.models import Network
from bridgework.programmes.guides import BUILTIN_GUIDES
from bridgework.programmes.models import Guide
from bridgework.programmes.services._common import _save

__all__ = ["guide_create", "guide_update", "guides_ensure_builtin"]


def guides_ensure_builtin(*, network: Network) -> None:
    """Copy the built-in guides into ``network`` once (they may then be edited there)."""
    have = set(
        Guide.objects.filter(network=network)
        .exclude(builtin_key="")
        .values_list("builtin_key", flat=True)
    )
    for guide in BUILTIN_GUIDES:
        if (
            guide.key not in have
            and not Guide.objects.filter(network=network, title__iexact=guide.title).exists()
        ):
            Guide.objects.create(
                network=network,
                builtin_key=guide.key,
                title=guide.title,
                summary=guide.summary,
                body=guide.body,
            )


def guide_create(*, network: Network, title: str, summary: str = "", body: str) -> Guide:
    return _save(Guide(network=network, title=title, summary=summary, body=body))


def guide_update(*, guide: Guide, title: str, summary: str = "", body: str) -> Guide:
    guide.title, guide.summary, guide.body = title, summary, body
    return _save(guide)

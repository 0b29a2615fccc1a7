"""Reading network mapping records. Every selector starts from the network, so a record of
another network is never found (``DoesNotExist`` becomes a 404 in ``network_view``)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from bridgework.directory.models import Network, Person
from bridgework.networks.models import (
    NetworkInvitation,
    NetworkInvitationToken,
    NetworkWave,
    Nomination,
    NominationImport,
    RolesInvitation,
)
from bridgework.tokens import token_digest

#: Most matches the colleague search returns: enough to find someone, never a directory dump.
SEARCH_LIMIT = 10
#: Fewest characters before the search answers.
SEARCH_MIN_CHARS = 2


def network_waves_for(network: Network) -> QuerySet[NetworkWave]:
    return NetworkWave.objects.filter(network=network).annotate(
        invited=Count("invitations", distinct=True),
        completed=Count(
            "invitations", filter=Q(invitations__completed_at__isnull=False), distinct=True
        ),
    )


def network_wave_for(network: Network, wave_id: int) -> NetworkWave:
    return NetworkWave.objects.get(network=network, pk=wave_id)


def nomination_import_for(network: Network, import_id: int) -> NominationImport:
    return NominationImport.objects.select_related("wave").get(network=network, pk=import_id)


def invitation_for_token(token: str) -> NetworkInvitation | None:
    """The network invitation behind a link, or ``None`` for a wrong token."""
    if not token or len(token) > 100:
        return None
    link = (
        NetworkInvitationToken.objects.select_related(
            "invitation__wave__network", "invitation__person"
        )
        .filter(digest=token_digest(token))
        .first()
    )
    return link.invitation if link is not None else None


def roles_invitation_for_token(token: str) -> RolesInvitation | None:
    if not token or len(token) > 100:
        return None
    return (
        RolesInvitation.objects.select_related("network", "person")
        .filter(digest=token_digest(token))
        .first()
    )


def colleague_search(invitation: NetworkInvitation, query: str) -> list[Person]:
    """At most :data:`SEARCH_LIMIT` active colleagues of the wave's network whose name
    contains every word typed (not the respondent themself)."""
    words = query.split()
    if len(query.strip()) < SEARCH_MIN_CHARS or not words:
        return []
    people = (
        Person.objects.filter(network_id=invitation.network_id, active=True)
        .exclude(pk=invitation.person_id)
        .select_related("organisation")
    )
    for word in words[:5]:
        people = people.filter(name__icontains=word)
    return list(people.order_by("name", "pk")[:SEARCH_LIMIT])


def colleague_for(invitation: NetworkInvitation, person_id: int) -> Person:
    return (
        Person.objects.select_related("organisation")
        .exclude(pk=invitation.person_id)
        .get(network_id=invitation.network_id, pk=person_id)
    )


def chosen_colleagues(invitation: NetworkInvitation) -> list[dict[str, object]]:
    """The colleagues the respondent has answered about, with their answers by relation."""
    rows = (
        Nomination.objects.filter(wave_id=invitation.wave_id, ego_id=invitation.person_id)
        .select_related("alter__organisation")
        .order_by("alter__name", "alter_id")
    )
    chosen: dict[int, dict[str, object]] = {}
    for row in rows:
        entry = chosen.setdefault(row.alter_id, {"person": row.alter, "answers": {}})
        entry["answers"][row.relation] = int(row.weight)  # type: ignore[index]
    return list(chosen.values())


def roles_invitations_for(network: Network) -> QuerySet[RolesInvitation]:
    return RolesInvitation.objects.filter(network=network).select_related("person")

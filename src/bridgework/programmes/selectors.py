"""Reading programmes: every selector starts from the network."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from bridgework.directory.models import Network
from bridgework.programmes.models import Enrolment, Guide, Match, Programme, Round, RoundPlace


def programmes_for(network: Network) -> QuerySet[Programme]:
    return Programme.objects.filter(network=network).annotate(
        members=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE))
    )


def programme_for(network: Network, pk: int) -> Programme:
    return Programme.objects.select_related("guide").get(network=network, pk=pk)


def round_for(network: Network, pk: int) -> Round:
    return Round.objects.select_related("programme__guide").get(network=network, pk=pk)


def guides_for(network: Network) -> QuerySet[Guide]:
    return Guide.objects.filter(network=network)


def guide_for(network: Network, pk: int) -> Guide:
    return Guide.objects.get(network=network, pk=pk)


def enrolments_for(programme: Programme) -> QuerySet[Enrolment]:
    return programme.enrolments.select_related("person__organisation").order_by("person__name")


def round_matches(round_: Round) -> list[dict[str, object]]:
    """The round's matches with their members, for the preview page (three queries)."""
    matches = {
        m.pk: {"match": m, "members": []} for m in Match.objects.filter(round=round_).order_by("pk")
    }
    others: dict[str, list] = {"sit_out": [], "holdout": []}
    for place in round_.places.select_related("enrolment__person__organisation").order_by("pk"):
        if place.match_id:
            matches[place.match_id]["members"].append(place.enrolment.person)
        else:
            others[place.outcome].append(place)
    return [*matches.values()], others  # type: ignore[return-value]


def matches_of(enrolment: Enrolment) -> list[dict[str, object]]:
    """The person's matches in published rounds, newest first, with the other members (two
    queries however many rounds: the members are prefetched)."""
    members = RoundPlace.objects.select_related("enrolment__person__organisation").order_by("pk")
    places = (
        enrolment.places.filter(round__status=Round.Status.PUBLISHED, match__isnull=False)
        .select_related("round", "match")
        .prefetch_related(Prefetch("match__places", queryset=members))
        .order_by("-round__starts_on")
    )
    out = []
    for place in places:
        others = [p.enrolment for p in place.match.places.all() if p.enrolment_id != enrolment.pk]
        out.append({"round": place.round, "match": place.match, "others": others})
    return out

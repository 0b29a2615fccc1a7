"""Reading programmes: every selector starts from the network, or from a programme, round or
personal link already found through it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from bridgework.directory.models import Network
from bridgework.programmes.dates import programme_today
from bridgework.programmes.models import (
    Enrolment,
    EnrolmentToken,
    Guide,
    Match,
    Programme,
    Round,
    RoundPlace,
    SignupRequest,
)
from bridgework.programmes.roster import taking_part
from bridgework.tokens import token_digest


def programmes_for(network: Network) -> QuerySet[Programme]:
    return Programme.objects.filter(network=network).annotate(
        members=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE))
    )


def programme_for(network: Network, pk: int) -> Programme:
    return Programme.objects.select_related("guide").get(network=network, pk=pk)


def round_for(network: Network, pk: int) -> Round:
    return Round.objects.select_related("programme__guide").get(network=network, pk=pk)


def match_for(network: Network, pk: int) -> Match:
    return Match.objects.select_related("round__programme").get(network=network, pk=pk)


def guides_for(network: Network) -> QuerySet[Guide]:
    return Guide.objects.filter(network=network)


def guide_for(network: Network, pk: int) -> Guide:
    return Guide.objects.get(network=network, pk=pk)


def rounds_for(programme: Programme) -> QuerySet[Round]:
    return programme.rounds.all()


def enrolments_for(programme: Programme) -> QuerySet[Enrolment]:
    return programme.enrolments.select_related("person__organisation").order_by("person__name")


def round_match_list(round_: Round) -> QuerySet[Match]:
    """A round's matches in the order they were drawn (pages of the preview take a slice)."""
    return Match.objects.filter(round=round_).order_by("pk")


def round_places_without_match(round_: Round, outcome: str) -> QuerySet[RoundPlace]:
    """The round's people sitting out (``sit_out``) or held out (``holdout``)."""
    return (
        round_.places.filter(outcome=outcome, match__isnull=True)
        .select_related("enrolment__person")
        .order_by("pk")
    )


def round_matches(round_: Round, matches: Iterable[Match] | None = None) -> list[dict[str, object]]:
    """The round's matches (or the given ones, a page of them) with their members, for the
    preview page (two queries whatever their number)."""
    if matches is None:
        matches = round_match_list(round_)
    by_pk = {m.pk: {"match": m, "members": []} for m in matches}
    places = (
        round_.places.filter(match_id__in=list(by_pk))
        .select_related("enrolment__person__organisation")
        .order_by("pk")
    )
    for place in places:
        by_pk[place.match_id]["members"].append(place.enrolment.person)
    return [*by_pk.values()]


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


# --- sign-up, personal links and rounds (reads the participant pages and services share) ---

#: A sign-up confirmation link works for this long (a forwarded or old email stops working).
CONFIRM_WITHIN = timedelta(days=7)
#: Once a programme is stopped, personal links keep working this long after its last round
#: ends (feedback is asked for up to the scheduler's feedback window after it); then they
#: stop working.
LINKS_WORK_AFTER_END = timedelta(days=30)
#: What a participant may say about themselves (sign-up form and their own page).
PROFILE_FIELDS = ("works_on", "interests", "meeting_mode", "location", "time_zone")


def signup_request_for(token: str) -> SignupRequest:
    """The sign-up waiting behind a confirmation link, if the link is still good: issued less
    than :data:`CONFIRM_WITHIN` ago, for a programme that is still running. Raises
    ``SignupRequest.DoesNotExist`` otherwise, so an expired link looks like a wrong one."""
    return SignupRequest.objects.select_related("programme__network").get(
        digest=token_digest(token),
        created_at__gte=timezone.now() - CONFIRM_WITHIN,
        programme__active=True,
    )


def programme_for_signup_code(code: str) -> Programme | None:
    """The programme a public sign-up link (``/c/<code>/``) names, ``None`` for a wrong code:
    the code is the key, as the link reaches no network first."""
    return Programme.objects.select_related("network").filter(signup_code=code).first()


def published_match_of(enrolment: Enrolment, pk: int) -> Match | None:
    """One of the person's matches in a published round, ``None`` for any other match (a
    draft round's, or someone else's)."""
    return (
        Match.objects.filter(
            pk=pk, places__enrolment=enrolment, round__status=Round.Status.PUBLISHED
        )
        .select_related("round")
        .first()
    )


def enrolment_for_token(token: str) -> Enrolment:
    """The enrolment behind a personal link, if the link still works: while the programme
    runs, and once it is stopped until :data:`LINKS_WORK_AFTER_END` after its last published
    round ends. Raises ``EnrolmentToken.DoesNotExist`` otherwise, so an expired link looks
    like a wrong one."""
    enrolment = (
        EnrolmentToken.objects.select_related(
            "enrolment__programme__network",
            "enrolment__programme__guide",
            "enrolment__person__organisation",
        )
        .get(digest=token_digest(token))
        .enrolment
    )
    programme = enrolment.programme
    if not programme.active:
        last = (
            programme.rounds.filter(status=Round.Status.PUBLISHED)
            .order_by("-ends_on")
            .values_list("ends_on", flat=True)
            .first()
        )
        if last is None or programme_today(programme) > last + LINKS_WORK_AFTER_END:
            raise EnrolmentToken.DoesNotExist("The programme has ended.")
    return enrolment


def round_is_due(programme: Programme, today: date) -> bool:
    """Due when the programme is active and no round is still running or waiting: a draft
    waits for its coordinator to publish it (or for the tick, with auto-publish)."""
    return (
        programme.active
        and not programme.rounds.filter(
            Q(ends_on__gt=today) | Q(status=Round.Status.DRAFT)
        ).exists()
    )


def round_changed_since_draw(round_: Round) -> int:
    """How many people in a draft are no longer taking part (left, paused, or no longer in the
    directory) — publishing draws the round again without them."""
    # Two id lists compared here rather than NOT IN / NOT EXISTS in SQL: just after a draw
    # wrote its places (a national round: 100,000 rows) the table's statistics are stale, and
    # PostgreSQL can plan either as a nested loop, minutes long; these two reads are not.
    still = set(taking_part(round_.programme, round_.starts_on).values_list("pk", flat=True))
    drawn = round_.places.values_list("enrolment_id", flat=True)
    return sum(1 for enrolment_id in drawn.iterator(chunk_size=10_000) if enrolment_id not in still)

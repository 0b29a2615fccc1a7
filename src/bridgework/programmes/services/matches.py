"""A published match that changes: cancelled by a coordinator, moved to a new time, or left by
one of its people while its round runs.

Every change raises the match's ``calendar_sequence`` by one and, in the same transaction,
queues the calendar update (``METHOD:REQUEST``) or cancellation (``METHOD:CANCEL``) with that
sequence to the people already introduced
(:func:`bridgework.programmes.mailing.match_changes_send`), so their calendars replace or
remove the event they hold. The match and its places stay:
who was matched is what the evaluation compares, whether or not they met.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from bridgework.programmes import mailing
from bridgework.programmes.dates import programme_today
from bridgework.programmes.exceptions import ProgrammeError
from bridgework.programmes.models import Enrolment, Match, Round, RoundPlace

__all__ = ["match_cancel", "match_reschedule", "matches_withdraw"]


def _locked(match: Match) -> Match:
    return (
        Match.objects.select_for_update(of=("self",))
        .select_related("round__programme")
        .get(pk=match.pk)
    )


def _members(match: Match) -> list[RoundPlace]:
    """The match's places; each refers to ``match`` itself, so the emails see its latest
    version however often it changes."""
    places = list(
        match.places.select_related(
            "enrolment__person__organisation",
            "enrolment__programme",
            "round__programme__guide",
            "round__network",
        ).order_by("pk")
    )
    for place in places:
        place.match = match
    return places


def _check_changeable(match: Match) -> None:
    round_ = match.round
    if not round_.is_published:
        raise ProgrammeError("This round is a draft: draw it again instead.")
    if match.is_cancelled:
        raise ProgrammeError("This match has already been cancelled.")
    if round_.ends_on <= programme_today(round_.programme):
        raise ProgrammeError(f"Round {round_.number} has ended: its matches can no longer change.")


def _next_version(match: Match, **changes: object) -> None:
    for name, value in changes.items():
        setattr(match, name, value)
    match.calendar_sequence += 1
    match.save(update_fields=["calendar_sequence", *changes])


@transaction.atomic
def match_cancel(*, match: Match) -> Match:
    """Cancel a published match of a running round: everyone in it already introduced gets
    the cancellation. Raises :class:`ProgrammeError` for a draft, an ended round or a match
    already cancelled."""
    match = _locked(match)
    _check_changeable(match)
    _next_version(match, cancelled_at=timezone.now())
    members = _members(match)
    mailing.match_changes_send(match=match, cancel_for=mailing.attending(members), update_for=[])
    return match


@transaction.atomic
def match_reschedule(*, match: Match, suggested_at: datetime) -> Match:
    """Move a published match to a new suggested time: an updated invitation goes to those
    still in it."""
    if timezone.is_naive(suggested_at):
        raise ProgrammeError("Give the new time with its time zone.")
    match = _locked(match)
    _check_changeable(match)
    if suggested_at <= timezone.now():
        raise ProgrammeError("Choose a time still to come.")
    if suggested_at == match.suggested_at:
        return match
    _next_version(match, suggested_at=suggested_at)
    members = mailing.attending(_members(match))
    mailing.match_changes_send(match=match, cancel_for=[], update_for=members)
    return match


def matches_withdraw(*, enrolment: Enrolment) -> int:
    """Take someone who has just left out of their matches in running rounds: a pair is
    cancelled for both; a trio goes on as a pair (an update to the two, a cancellation to the
    one who left). Call it inside the transaction that records the leaving. Returns how many
    matches changed."""
    today = programme_today(enrolment.programme)
    match_ids = list(
        enrolment.places.filter(
            round__status=Round.Status.PUBLISHED,
            round__ends_on__gt=today,
            match__isnull=False,
            match__cancelled_at__isnull=True,
        ).values_list("match_id", flat=True)
    )
    for match_id in match_ids:
        match = _locked(Match(pk=match_id))
        members = _members(match)
        leaving = [p for p in members if p.enrolment_id == enrolment.pk]
        staying = [p for p in mailing.attending(members) if p.enrolment_id != enrolment.pk]
        if len(staying) < 2:
            _next_version(match, cancelled_at=timezone.now())
            mailing.match_changes_send(match=match, cancel_for=leaving + staying, update_for=[])
        else:
            _next_version(match)
            mailing.match_changes_send(match=match, cancel_for=leaving, update_for=staying)
    return len(match_ids)

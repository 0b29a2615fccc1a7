"""Rounds: drawing a draft's matches, drawing again, and publishing them.

A round is written in one transaction when it is drawn (its matches and places with one
insert each), so a worker killed while drawing leaves no half round; publishing queues the
introductions, which :mod:`bridgework.programmes.mailing` sends idempotently, so one killed
while sending loses no match. From the coordinator's pages both run as worker jobs
(:mod:`bridgework.programmes.jobs`): a round created there is recorded undrawn
(``draw=False``) and its draw job fills it.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from bridgework.matching import pair
from bridgework.programmes.dates import next_start, programme_today
from bridgework.programmes.exceptions import ProgrammeError
from bridgework.programmes.models import Enrolment, Match, Programme, Round, RoundPlace
from bridgework.programmes.policy import programme_policy
from bridgework.programmes.roster import (
    history_for,
    network_ties,
    participant_for,
    suggested_slot,
    taking_part,
    weak_rc_ties,
)
from bridgework.programmes.selectors import round_changed_since_draw
from bridgework.programmes.services._common import _save

__all__ = ["round_create", "round_draw", "round_publish", "round_reseed"]


@transaction.atomic
def round_create(
    *,
    programme: Programme,
    starts_on: date | None = None,
    seed: int | None = None,
    draw: bool = True,
) -> Round:
    """Create the next round (a draft) and draw its matches (unless ``draw`` is false: the
    caller then draws it, as the coordinator's page does in a job).

    Rounds never overlap: the next one starts on the programme's weekday once the latest has
    ended (or today, if later), and there is at most one draft to check at a time.
    """
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    latest = programme.rounds.order_by("-number").first()
    if latest is not None and not latest.is_published:
        raise ProgrammeError(
            f"Round {latest.number} is still a draft: publish it or draw it again first."
        )
    today = programme_today(programme)
    if starts_on is None:
        starts_on = next_start(programme, max(today, latest.ends_on if latest else today))
    elif latest is not None and starts_on < latest.ends_on:
        raise ProgrammeError(
            f"A round cannot start before round {latest.number} ends ({latest.ends_on:%-d %B %Y})."
        )
    round_ = _save(
        Round(
            network=programme.network,
            programme=programme,
            number=(latest.number if latest else 0) + 1,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=programme.period_days),
            seed=secrets.randbits(31) if seed is None else seed,
        )
    )
    return round_draw(round_=round_) if draw else round_


@transaction.atomic
def round_reseed(*, round_: Round, seed: int) -> Round:
    """Give a draft a new seed, for the next draw (which the caller starts)."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.is_published:
        raise ProgrammeError("This round has been published; its matches are final.")
    round_.seed = seed
    round_.save(update_fields=["seed"])
    return round_


@transaction.atomic
def round_draw(*, round_: Round, seed: int | None = None, redate: bool = False) -> Round:
    """(Re)draw a draft round's matches with its stored seed (or a new one, if given).

    The same seed and the same people give the same matches: the engine is deterministic.
    With ``redate``, a draft whose start has passed moves to the programme's next start, so a
    forgotten draft can still be published with sensible dates.
    """
    round_ = Round.objects.select_for_update().select_related("programme").get(pk=round_.pk)
    if round_.is_published:
        raise ProgrammeError("This round has been published; its matches are final.")
    if seed is not None:
        round_.seed = seed
    programme = round_.programme
    if redate:
        today = programme_today(programme)
        if round_.starts_on < today:
            round_.starts_on = next_start(programme, today)
            round_.ends_on = round_.starts_on + timedelta(days=programme.period_days)
    enrolments = {str(e.pk): e for e in taking_part(programme, round_.starts_on)}
    # Past rounds (the demo's) keep their own dates; a current one suggests times to come.
    now = timezone.now() if round_.ends_on > programme_today(programme) else None
    round_.matches.all().delete()
    round_.places.all().delete()
    result = pair(
        [participant_for(e) for e in enrolments.values()],
        history=history_for(programme),
        weak_ties=weak_rc_ties(programme.network) if programme.bridge_weak_rc else None,
        ties=network_ties(programme.network, enrolments) if programme.avoid_network_ties else None,
        policy=programme_policy(programme),
        round_date=round_.starts_on,
        seed=round_.seed,
    )
    matches = [
        Match(
            network=round_.network,
            round=round_,
            score=found.score,
            reasons=list(found.reasons),
            suggested_at=suggested_slot(programme, round_.starts_on, index, not_before=now),
        )
        for index, found in enumerate(result.matches)
    ]
    matches = _insert_matches(round_, matches)
    places = [
        RoundPlace(round=round_, enrolment=enrolments[m], match=match, outcome="matched")
        for match, found in zip(matches, result.matches, strict=True)
        for m in found.members
    ]
    reasons = dict(zip(result.sit_out, result.sit_out_reasons, strict=False))
    places += [
        RoundPlace(
            round=round_, enrolment=enrolments[m], outcome="sit_out", reason=reasons.get(m, "")
        )
        for m in result.sit_out
    ]
    places += [
        RoundPlace(
            round=round_,
            enrolment=enrolments[m],
            outcome="holdout",
            reason="Held out at random for the evaluation.",
        )
        for m in result.holdout
    ]
    RoundPlace.objects.bulk_create(places, batch_size=500)
    stats = result.to_dict()["stats"]
    round_.stats, round_.solver = stats, result.solver
    round_.save(update_fields=["seed", "starts_on", "ends_on", "stats", "solver"])
    return round_


def _insert_matches(round_: Round, matches: list[Match]) -> list[Match]:
    """Insert a round's matches with one query, keeping their order; on a database that does
    not return ids from a bulk insert, read them back in insertion order."""
    created = Match.objects.bulk_create(matches, batch_size=500)
    if all(m.pk is not None for m in created):
        return created
    return list(round_.matches.order_by("pk"))


@transaction.atomic
def round_publish(*, round_: Round, send: bool = True) -> Round:
    """Make the round's matches final and queue the introductions (sent by the worker).

    People who left or paused since the draft was drawn are not introduced: the round is drawn
    again first, with the same seed; suggested times that have passed since the draw move on.
    A draft whose dates have passed is refused (draw it again to move it). Sit-outs get
    priority next round; everyone matched loses it. Publishing twice is harmless.

    With ``send`` false the introductions are left to the caller (the publish job sends
    them in batches).
    """
    round_ = Round.objects.select_for_update().select_related("programme").get(pk=round_.pk)
    if round_.is_published:
        return round_
    if round_.ends_on <= programme_today(round_.programme):
        raise ProgrammeError(
            f"Round {round_.number} was due to end on {round_.ends_on:%-d %B %Y}: draw it "
            "again to move it to the next start, then publish."
        )
    if round_changed_since_draw(round_):
        round_ = round_draw(round_=round_)
    now = timezone.now()
    moved = []
    for index, match in enumerate(round_.matches.order_by("pk")):
        if match.suggested_at <= now:  # drawn a while ago: suggest a time still to come
            match.suggested_at = suggested_slot(
                round_.programme, round_.starts_on, index, not_before=now
            )
            moved.append(match)
    Match.objects.bulk_update(moved, ["suggested_at"], batch_size=500)
    round_.status, round_.published_at = Round.Status.PUBLISHED, now
    round_.save(update_fields=["status", "published_at"])
    Enrolment.objects.filter(places__round=round_, places__outcome="sit_out").update(priority=True)
    Enrolment.objects.filter(places__round=round_, places__outcome="matched").update(priority=False)
    if send:
        round_id = round_.pk
        transaction.on_commit(lambda: _enqueue_send(round_id))
    return round_


def _enqueue_send(round_id: int) -> None:
    from bridgework.programmes.tasks import send_round

    send_round.enqueue(round_id)

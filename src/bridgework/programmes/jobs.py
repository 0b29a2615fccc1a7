"""Drawing and publishing a coffee round, run by the worker with progress
(:mod:`bridgework.jobs`).

Drawing is all at once (``apply``): the matching engine runs and the round's matches and
places are written in one transaction, so a stopped draw leaves the draft as it was.
Publishing works in batches: the first batch makes the round final (drawing it again first
if people left since) together with its first introductions, each later batch queues the
next introductions and "no match" notes. Every email has an idempotency key naming its
match (or round) and person, so a publish job stopped between or inside batches carries on
where it stopped and nobody is introduced twice.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext_lazy

from bridgework.directory.models import Network
from bridgework.jobs.kinds import JobKind, JobRefusedError, register
from bridgework.jobs.models import Job
from bridgework.programmes import mailing, selectors
from bridgework.programmes.dates import programme_today
from bridgework.programmes.exceptions import ProgrammeError
from bridgework.programmes.models import Round
from bridgework.programmes.roster import taking_part
from bridgework.programmes.services.rounds import round_draw, round_publish

__all__ = ["ROUND_DRAW", "ROUND_JOBS", "ROUND_PUBLISH"]

ROUND_DRAW = "round-draw"
ROUND_PUBLISH = "round-publish"
#: Every job a round's page links to.
ROUND_JOBS = (ROUND_DRAW, ROUND_PUBLISH)


def _load(network: Network, pk: int) -> Round:
    return selectors.round_for(network, pk)


def _back(round_: Round) -> tuple[str, str]:
    url = reverse(
        "programmes:rounds_show", kwargs={"network": round_.network.slug, "pk": round_.pk}
    )
    return url, f"round {round_.number} of {round_.programme.name}"


def _fresh(round_: Round) -> Round:
    return Round.objects.select_related("programme__guide", "network").get(pk=round_.pk)


def _check_draw(round_: Round) -> None:
    if _fresh(round_).is_published:
        raise JobRefusedError("This round has been published; its matches are final.")


def _draw(round_: Round) -> tuple[int, str, dict[str, Any]]:
    drawn = round_draw(round_=round_, redate=True)
    matches = drawn.matches.count()
    people = drawn.places.count()
    return (
        people,
        f"Drew {matches:,} {'match' if matches == 1 else 'matches'} for {people:,} "
        f"{'person' if people == 1 else 'people'}. Check the round, then publish it.",
        {"matches": matches, "people": people},
    )


def _check_publish(round_: Round) -> None:
    round_ = _fresh(round_)
    if round_.is_published:
        return  # resuming: the round is final, the rest of its introductions are owed
    if Job.objects.filter(
        network_id=round_.network_id, kind=ROUND_DRAW, target_id=round_.pk, status__in=Job.ACTIVE
    ).exists():
        raise JobRefusedError("The round is still being drawn: publish it once the draw ends.")
    if not round_.is_drawn:
        raise JobRefusedError("The round has not been drawn yet: draw it, then publish it.")
    if round_.ends_on <= programme_today(round_.programme):
        raise ProgrammeError(
            f"Round {round_.number} was due to end on {round_.ends_on:%-d %B %Y}: draw it "
            "again to move it to the next start, then publish."
        )


def _remaining(round_: Round) -> int:
    round_ = _fresh(round_)
    if not round_.is_published:
        return (
            round_.places.count()
            if round_.is_drawn
            else taking_part(round_.programme, round_.starts_on).count()
        )
    return mailing.round_emails_remaining(round_=round_)


def _publish_batch(round_: Round, n: int, cursor: mailing.SendCursor) -> int:
    # The run's cursor carries how far its batches have got (a job resumed by another worker
    # starts from the first place again, and finds what is left).
    round_ = _fresh(round_)
    if not round_.is_published:
        round_ = round_publish(round_=round_, send=False)
    return mailing.round_send(round_=round_, limit=n, cursor=cursor)


register(
    JobKind(
        name=ROUND_DRAW,
        title=gettext_lazy("Drawing the round"),
        progress=ngettext_lazy(
            "Drew %(done)s of %(total)s person",
            "Drew %(done)s of %(total)s people",
            "count",
        ),
        waiting=ngettext_lazy(
            "Waiting to start: %(total)s person to go.",
            "Waiting to start: %(total)s people to go.",
            "count",
        ),
        load=_load,
        back=_back,
        remaining=lambda round_: taking_part(round_.programme, round_.starts_on).count(),
        apply=_draw,
        check=_check_draw,
        working=gettext_lazy("Drawing the matches…"),
        working_total=ngettext_lazy(
            "Drawing the matches: %(total)s person",
            "Drawing the matches: %(total)s people",
            "count",
        ),
        refusals=(ProgrammeError,),
    )
)

register(
    JobKind(
        name=ROUND_PUBLISH,
        title=gettext_lazy("Publishing the round"),
        progress=ngettext_lazy(
            "Sent %(done)s of %(total)s email",
            "Sent %(done)s of %(total)s emails",
            "count",
        ),
        outcome=ngettext_lazy(
            "Sent %(done)s email.",
            "Sent %(done)s emails.",
            "count",
        ),
        waiting=ngettext_lazy(
            "Waiting to start: %(total)s email to go.",
            "Waiting to start: %(total)s emails to go.",
            "count",
        ),
        load=_load,
        back=_back,
        remaining=_remaining,
        batch=_publish_batch,
        carry=mailing.SendCursor,
        check=_check_publish,
        refusals=(ProgrammeError,),
    )
)

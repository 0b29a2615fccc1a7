"""The figures of a programme's dashboard, read from the database and computed by
:mod:`bridgework.analysis.evaluation` (the page and any export call this one function).

Feedback is confidential for every reader, coordinators included. Each round's feedback is
shown as last *released* (:class:`~bridgework.programmes.models.DashboardRelease`): a round's
figures move only once at least the minimum group size of people have given feedback since
they last moved (:func:`bridgework.analysis.privacy.stable_release`), so the dashboard before
and after one more answer is the same. A round whose released feedback rests on fewer people
than the minimum shows no feedback figures (``met`` is ``None``), and the overall figures
(meeting rate, ratings, "will work together", comments) count only the rounds whose own
figures are shown, so no hidden round can be recovered by subtracting the shown rounds from
the total (``feedback_rounds_left_out`` names the others; ``feedback_hidden`` when no round is
shown). Comments reach coordinators only, without who wrote them, when or with what rating,
in the order of their text. The matched-versus-held-out comparison rests on network survey
answers: it is hidden when either group has fewer respondents than the minimum group size,
and released like the feedback, group by group.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from django.db import IntegrityError, transaction
from django.utils import timezone

from bridgework.analysis.evaluation import (
    MeanComparison,
    ProportionComparison,
    compare_rc_change,
    compare_tie_formation,
    rc_changes,
)
from bridgework.analysis.privacy import min_group_size_in_force, stable_release
from bridgework.ona.models import NetworkWave, Nomination
from bridgework.programmes.models import (
    DashboardRelease,
    Enrolment,
    Feedback,
    Programme,
    Round,
    RoundPlace,
)

#: The dashboard lists this many of the newest comments; the count says how many there are.
COMMENTS_SHOWN = 20


@dataclass(frozen=True)
class Comment:
    """One line of reflection (coordinators only), with the round it is about and nothing
    that says who wrote it."""

    round_starts_on: date
    text: str


@dataclass(frozen=True)
class Dashboard:
    rounds: list[dict[str, object]]
    enrolled: int
    meeting_rate: float | None
    feedback_count: int
    first_meeting_share: float | None
    cross_agency_share: float | None
    organisations: list[str]
    matrix: list[list[int]]
    ratings: list[tuple[int, int]]
    mean_rating: float | None
    will_work_together: int | None
    min_group_size: int = 5
    feedback_hidden: bool = False
    feedback_rounds_left_out: list[int] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    comments_total: int = 0
    rc: MeanComparison | None = None
    rc_waves: tuple[str, str] | None = None
    rc_note: str = ""
    ties: ProportionComparison | None = None
    ties_wave: str | None = None
    ties_note: str = ""


def _release(
    programme: Programme, scope: str, current, build, *, min_group_size: int
) -> DashboardRelease:
    """The release of ``scope``: renewed from ``build()`` when
    :func:`~bridgework.analysis.privacy.stable_release` allows, else as last shown."""
    try:
        with transaction.atomic():
            row = (
                DashboardRelease.objects.select_for_update()
                .filter(programme=programme, scope=scope)
                .first()
            )
            previous = None if row is None else row.respondents
            if stable_release(previous, current, min_group_size=min_group_size):
                respondents = (
                    {key: sorted(ids) for key, ids in current.items()}
                    if isinstance(current, dict)
                    else sorted(current)
                )
                row, _ = DashboardRelease.objects.update_or_create(
                    programme=programme,
                    scope=scope,
                    defaults={
                        "respondents": respondents,
                        "answers": build(),
                        "figures": {},
                        "released_at": timezone.now(),
                    },
                )
    except IntegrityError:  # another request made the first release at the same moment
        row = DashboardRelease.objects.get(programme=programme, scope=scope)
    return row


@dataclass(frozen=True)
class _RoundFeedback:
    """A round's released feedback as the dashboard uses it: counts, and the comments."""

    n: int
    met: int
    will_work_together: int
    ratings: Counter
    reflections: list[str]


def _round_counts(feedback: list[dict]) -> dict:
    """The aggregate-only form of a round's feedback: what ``DashboardRelease.figures`` keeps."""
    ratings = Counter(f["usefulness"] for f in feedback if f["usefulness"])
    return {
        "n": len(feedback),
        "met": sum(bool(f["met"]) for f in feedback),
        "will_work_together": sum(bool(f["will_work_together"]) for f in feedback),
        "ratings": {str(score): count for score, count in sorted(ratings.items())},
    }


def _round_reflections(row: DashboardRelease) -> list[str]:
    if row.figures:
        return list(row.answers.get("reflections", []))
    return sorted(f["reflection"] for f in row.answers["feedback"] if f["reflection"])


def _released_feedback(
    programme: Programme, round_: Round, feedback: list[Feedback], *, min_group_size: int
) -> _RoundFeedback:
    """The round's feedback as last released, in no order that follows who gave it (the
    frozen counts when an erasure froze them, until the round's next release)."""

    def build() -> dict:
        answers = sorted(
            (f.met, f.usefulness or 0, f.will_work_together, f.reflection) for f in feedback
        )
        return {
            "feedback": [
                {"met": m, "usefulness": u or None, "will_work_together": w, "reflection": r}
                for m, u, w, r in answers
            ]
        }

    current = {f.enrolment_id for f in feedback}
    row = _release(programme, f"round:{round_.pk}", current, build, min_group_size=min_group_size)
    counts = row.figures or _round_counts(row.answers["feedback"])
    return _RoundFeedback(
        n=counts["n"],
        met=counts["met"],
        will_work_together=counts["will_work_together"],
        ratings=Counter({int(score): c for score, c in counts["ratings"].items()}),
        reflections=_round_reflections(row),
    )


def _comments(rounds: list[Round], released: dict[int, _RoundFeedback]) -> list[Comment]:
    """Reflections of the shown rounds, newest round first, by text within a round."""
    return [
        Comment(round_starts_on=r.starts_on, text=text)
        for r in sorted(rounds, key=lambda r: (r.starts_on, r.pk), reverse=True)
        for text in sorted(released[r.pk].reflections)
    ]


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def programme_dashboard(programme: Programme, *, respondent_level: bool) -> Dashboard:
    """Every figure of the dashboard for ``programme``."""
    published = list(programme.rounds.filter(status=Round.Status.PUBLISHED).order_by("starts_on"))
    places = list(
        RoundPlace.objects.filter(round__in=published).select_related(
            "enrolment__person__organisation", "enrolment__person__workgroup"
        )
    )
    feedback = list(Feedback.objects.filter(match__round__in=published).select_related("match"))
    k = min_group_size_in_force(programme.network.min_group_size)
    given: dict[int, list[Feedback]] = {r.pk: [] for r in published}
    for f in feedback:
        given[f.match.round_id].append(f)
    released = {
        r.pk: _released_feedback(programme, r, given[r.pk], min_group_size=k) for r in published
    }
    shown = {r.pk for r in published if released[r.pk].n >= k}
    # Overall figures rest only on shown rounds: total minus shown rounds would give the rest.
    counted = [released[r.pk] for r in published if r.pk in shown]
    counted_n = sum(c.n for c in counted)
    hidden = not counted_n
    left_out = [r.number for r in published if r.pk not in shown]
    by_round: dict[int, Counter] = {r.pk: Counter() for r in published}
    groups: dict[int, list] = {}
    for place in places:
        by_round[place.round_id][place.outcome] += 1
        if place.match_id:
            groups.setdefault(place.match_id, []).append(place.enrolment.person)
    met_by_round = {pk: answers.met for pk, answers in released.items()}
    rounds = [
        {
            "round": r,
            "participants": sum(by_round[r.pk].values()),
            "matched": by_round[r.pk]["matched"],
            "sit_out": by_round[r.pk]["sit_out"],
            "holdout": by_round[r.pk]["holdout"],
            "met": met_by_round[r.pk] if r.pk in shown else None,
        }
        for r in published
    ]
    pairs_total = cross = 0
    organisations: set[str] = set()
    pair_orgs: Counter = Counter()
    workgroup_pairs: set[tuple[str, str]] = set()
    for members in groups.values():
        for a, b in combinations(members, 2):
            oa = a.organisation.name if a.organisation else "Unknown"
            ob = b.organisation.name if b.organisation else "Unknown"
            organisations |= {oa, ob}
            pair_orgs[tuple(sorted((oa, ob)))] += 1
            pairs_total += 1
            cross += oa != ob
            if a.workgroup and b.workgroup and a.workgroup_id != b.workgroup_id:
                workgroup_pairs.add((a.workgroup.name, b.workgroup.name))
    names = sorted(organisations)
    matrix = [[pair_orgs[tuple(sorted((r, c)))] for c in names] for r in names]
    weights = [(r.stats.get("first_meeting_share"), r.stats.get("matched", 0)) for r in published]
    matched_total = sum(w for s, w in weights if s is not None)
    first = _share(sum(s * w for s, w in weights if s is not None), matched_total)
    ratings = sum((c.ratings for c in counted), Counter())
    rated = sum(ratings.values())
    rc, rc_waves, rc_note = _rc_movement(programme, published, workgroup_pairs)
    ties, ties_wave, ties_note = _tie_formation(programme, published, places, min_group_size=k)
    comments = _comments([r for r in published if r.pk in shown], released)
    return Dashboard(
        rounds=rounds,
        enrolled=programme.enrolments.filter(status="active").count(),
        meeting_rate=None if hidden else _share(sum(c.met for c in counted), counted_n),
        feedback_count=counted_n,
        first_meeting_share=first,
        cross_agency_share=_share(cross, pairs_total),
        organisations=names,
        matrix=matrix,
        ratings=[] if hidden else [(score, ratings[score]) for score in range(1, 6)],
        mean_rating=None if hidden else _share(sum(s * n for s, n in ratings.items()), rated),
        will_work_together=None if hidden else sum(c.will_work_together for c in counted),
        min_group_size=k,
        feedback_hidden=hidden,
        feedback_rounds_left_out=[] if hidden else left_out,
        comments=comments[:COMMENTS_SHOWN] if respondent_level else [],
        comments_total=len(comments) if respondent_level else 0,
        rc=rc,
        rc_waves=rc_waves,
        rc_note=rc_note,
        ties=ties,
        ties_wave=ties_wave,
        ties_note=ties_note,
    )


def _cells(wave) -> dict[tuple[str, str], float]:
    """The wave's shown RC cells, as published."""
    from bridgework.surveys.results import published_analysis

    analysis = published_analysis(wave)
    if analysis is None:
        return {}
    return {
        (c.rater, c.target): c.rc for c in analysis.cells if c.rc is not None and not c.suppressed
    }


def _rc_movement(programme: Programme, published: list[Round], bridged: set[tuple[str, str]]):
    """RC change between the last RC wave before the first round and the latest closed wave
    after it, for bridged workgroup pairs against the others."""
    from bridgework.surveys.models import Wave

    if not published:
        return None, None, "No published rounds yet."
    start = published[0].starts_on
    waves = Wave.objects.filter(network=programme.network, closes_at__lte=timezone.now())
    before = waves.filter(closes_at__date__lte=start).order_by("-closes_at").first()
    after = waves.filter(opens_at__date__gt=start).order_by("-closes_at").first()
    if before is None or after is None:
        return None, None, "Needs a closed RC wave before the first round and another after it."
    inside, outside = rc_changes(_cells(before), _cells(after), bridged)
    result = compare_rc_change(inside, outside, seed=programme.pk)
    return result, (before.name, after.name), ""


def _tie_formation(
    programme: Programme,
    published: list[Round],
    places: list[RoundPlace],
    *,
    min_group_size: int,
):
    """Matched against held out, on whether they later name a colleague in another
    organisation in the first network survey wave that opened after the first round.

    Each person's group is what happened to them in the first published round they were in
    (matched or held out; sit-outs are left out), so the comparison rests on the random draw.
    Only people who completed that wave count, and nothing is shown when either group has
    fewer of them than the minimum group size (the network's or the wave's, whichever is
    larger): the shares would be about too few people's survey answers. The groups grow as
    rounds are published (a newcomer held out joins the held-out group), so the comparison is
    released like feedback: it moves only when each group that changed has grown by at least
    the minimum group size, or one new person's answer would show in the shares. Held-out people
    matched in later rounds dilute the difference, so it errs towards zero.
    """
    if not published:
        return None, None, "No published rounds yet."
    wave = (
        NetworkWave.objects.filter(
            network_id=published[0].network_id,
            opens_at__date__gt=published[0].starts_on,
            closes_at__lte=timezone.now(),
        )
        .order_by("closes_at")
        .first()
    )
    if wave is None:
        return (
            None,
            None,
            (
                "The share who later report a tie needs a closed network survey wave after the "
                "first round; there is none yet."
            ),
        )
    first_outcome: dict[int, tuple] = {}
    order = {r.pk: i for i, r in enumerate(published)}
    for place in sorted(places, key=lambda p: order[p.round_id]):
        person = place.enrolment.person
        if person.pk not in first_outcome and place.outcome != RoundPlace.Outcome.SIT_OUT:
            first_outcome[person.pk] = (place.outcome, person.organisation_id)
    answered = set(
        wave.invitations.filter(completed_at__isnull=False).values_list("person_id", flat=True)
    )
    crossing = set()
    for ego, ego_org, alter_org in Nomination.objects.filter(wave=wave).values_list(
        "ego_id", "ego__organisation_id", "alter__organisation_id"
    ):
        if ego_org is not None and alter_org is not None and ego_org != alter_org:
            crossing.add(ego)
    k = min_group_size_in_force(min_group_size, wave.min_group_size_in_force)
    groups: dict[str, dict[str, bool]] = {"matched": {}, "held": {}}
    for person_id, (outcome, _org) in first_outcome.items():
        if person_id in answered:
            group = "matched" if outcome == RoundPlace.Outcome.MATCHED else "held"
            groups[group][str(person_id)] = person_id in crossing
    row = _release(
        programme,
        f"ties:{wave.pk}",
        {name: set(members) for name, members in groups.items()},
        lambda: {name: sorted(members.values()) for name, members in groups.items()},
        min_group_size=k,
    )
    if row.figures:  # frozen by an erasure: counts only, until the next release
        matched, held = (_bools(row.figures[group]) for group in ("matched", "held"))
    else:
        matched, held = row.answers["matched"], row.answers["held"]
    if min(len(matched), len(held)) < k:
        return (
            None,
            wave.name,
            f"Fewer than {k} matched or held-out people answered {wave.name} (the minimum group "
            "size): the comparison is hidden to protect their answers.",
        )
    return compare_tie_formation(matched, held), wave.name, ""


def _bools(counts: dict) -> list[bool]:
    """Sorted outcomes from their counts (the released lists are sorted, so this is them)."""
    return [False] * (counts["n"] - counts["yes"]) + [True] * counts["yes"]


def dashboard_person_scrub(*, person, dry_run: bool = False) -> int:
    """Take ``person`` out of every dashboard release of their network's programmes, freezing
    first what was shown: a round's feedback counts (met, ratings, "will work together") stay
    as counts and their comment is removed; the matched-versus-held-out comparison stays as
    its counts. A release that showed nothing (fewer than the minimum group size) is deleted
    instead, to be made anew from the answers left. Returns how many releases held them.

    Run before their feedback and enrolments are deleted (it reads their comments).
    """
    enrolments = set(Enrolment.objects.filter(person=person).values_list("pk", flat=True))
    pid = str(person.pk)
    touched = []
    for row in DashboardRelease.objects.filter(
        programme__network_id=person.network_id
    ).select_related("programme__network"):
        if row.scope.startswith("round:"):
            if set(row.respondents) & enrolments:
                touched.append(row)
        elif isinstance(row.respondents, dict) and any(
            pid in ids for ids in row.respondents.values()
        ):
            touched.append(row)
    if dry_run:
        return len(touched)
    own = Counter(
        Feedback.objects.filter(enrolment_id__in=enrolments)
        .exclude(reflection="")
        .values_list("reflection", flat=True)
    )
    for row in touched:
        k = min_group_size_in_force(row.programme.network.min_group_size)
        if row.scope.startswith("round:"):
            if not row.figures:
                if len(row.answers["feedback"]) < k:
                    row.delete()
                    continue
                reflections = _round_reflections(row)
                row.figures = _round_counts(row.answers["feedback"])
            else:
                reflections = _round_reflections(row)
            left = own.copy()
            kept = []
            for text in reflections:
                if left[text]:
                    left[text] -= 1
                else:
                    kept.append(text)
            row.answers = {"reflections": kept}
            row.respondents = [e for e in row.respondents if e not in enrolments]
        else:
            if not row.figures:
                groups = row.answers
                wave_k = k
                if row.scope.startswith("ties:"):
                    wave = NetworkWave.objects.filter(pk=row.scope.split(":", 1)[1]).first()
                    if wave is not None:
                        wave_k = min_group_size_in_force(k, wave.min_group_size_in_force)
                if min(len(groups.get("matched", [])), len(groups.get("held", []))) < wave_k:
                    row.delete()
                    continue
                row.figures = {
                    name: {"n": len(values), "yes": sum(bool(v) for v in values)}
                    for name, values in groups.items()
                }
            row.answers = {}
            row.respondents = {
                name: [i for i in ids if i != pid] for name, ids in row.respondents.items()
            }
        row.save(update_fields=["answers", "respondents", "figures"])
    return len(touched)

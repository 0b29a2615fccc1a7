"""RC results of a wave: answers gathered for the analysis, published as snapshots, and the
figures every page and download shows.

Every figure comes from :func:`bridgework.analysis.rc.analyze_rc` (privacy pass inside, with
the wave's minimum group size) or :func:`bridgework.analysis.rc_compare.compare_waves`, and is
then *published* (:func:`wave_results_publish`) into a :class:`ResultsSnapshot` under the rule
of :mod:`bridgework.analysis.publication`. Pages, the print page, the cell pages and the
downloads read only the snapshot (:func:`wave_figures`), so they show the same numbers, and
repeated looks while a wave is open cannot be subtracted to reveal one person's answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from bridgework.analysis.privacy import min_group_size_in_force
from bridgework.analysis.rc import LONG_COLUMNS, RCAnalysis, RCSettings, analyze_rc
from bridgework.analysis.rc_compare import CellChange, RCComparison, compare_waves
from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.analysis.rc_publication import RCPublication, publish_rc
from bridgework.analysis.rc_results import Cell
from bridgework.surveys.models import Response, ResultsSnapshot, Wave
from bridgework.surveys.selectors import previous_wave, wave_targets
from bridgework.web.copy_read import queryset_frame

#: Bootstrap replicates behind each confidence interval, and permutations behind p-values.
BOOTSTRAP = 1000
PERMUTATIONS = 1000


def wave_frame(wave: Wave) -> pd.DataFrame:
    """The wave's answers in the long format (one row per answer), respondents as opaque ids.

    Targets marked "I don't work with this group" are left out: that respondent does not rate
    that group. Respondents are labelled by invitation id, which never leaves the analysis.
    """
    names = {target.key: target.name for target in wave_targets(wave)}
    wide = queryset_frame(
        Response.objects.filter(invitation__wave=wave, works_with=True).values_list(
            "invitation_id", "invitation__workgroup__name", "target", *DIMENSIONS
        ),
        ["respondent_id", "respondent_workgroup", "target", *DIMENSIONS],
        {
            "respondent_id": "int64",
            "respondent_workgroup": "string",
            "target": "string",
            **dict.fromkeys(DIMENSIONS, "float64"),
        },
    )
    wide["target_workgroup"] = wide["target"].map(names)
    wide = wide[wide["target_workgroup"].notna()]
    # Categorical labels: the melt below repeats them seven times, and the analysis
    # factorises them; as categories both cost one integer per row, not one string.
    wide["respondent_id"] = ("r" + wide["respondent_id"].astype(str)).astype("category")
    for column in ("respondent_workgroup", "target_workgroup"):
        wide[column] = wide[column].astype("category")
    long = wide.melt(
        id_vars=["respondent_id", "respondent_workgroup", "target_workgroup"],
        value_vars=list(DIMENSIONS),
        var_name="dimension",
        value_name="score",
    )
    long["score"] = pd.to_numeric(long["score"]).astype(float).fillna(np.nan)
    return long[list(LONG_COLUMNS)].reset_index(drop=True)


def settings_for(wave: Wave, *, bootstrap: int | None = None) -> RCSettings:
    return RCSettings(
        min_group_size=wave.min_group_size_in_force,
        bootstrap=BOOTSTRAP if bootstrap is None else bootstrap,
        seed=wave.pk,
    )


def wave_analysis(wave: Wave) -> RCAnalysis | None:
    """Every RC figure of the wave through the privacy pass, or ``None`` without answers."""
    frame = wave_frame(wave)
    if frame.empty or frame["score"].notna().sum() == 0:
        return None
    return analyze_rc(frame, instrument=wave.instrument(), settings=settings_for(wave))


def wave_comparison(wave: Wave) -> tuple[Wave, RCComparison] | None:
    """The change from the previous wave of the same process (both through the privacy pass,
    with the stricter of the two minimum group sizes), or ``None``."""
    before = previous_wave(wave)
    if before is None:
        return None
    frames = []
    for label, one in ((before.name, before), (wave.name, wave)):
        frame = wave_frame(one)
        if frame.empty or frame["score"].notna().sum() == 0:
            return None
        frames.append(frame.assign(wave=label))
    settings = RCSettings(
        min_group_size=min_group_size_in_force(
            wave.min_group_size_in_force, before.min_group_size_in_force
        ),
        bootstrap=BOOTSTRAP,
        seed=wave.pk,
    )
    result = compare_waves(
        pd.concat(frames, ignore_index=True),
        before=before.name,
        after=wave.name,
        instrument=wave.instrument(),
        settings=settings,
        permutations=PERMUTATIONS,
    )
    return before, result


# --- publication -------------------------------------------------------------------------


def _answers_marker(wave: Wave) -> str:
    """Changes whenever an answer is added, changed or deleted (cheap: one aggregate)."""
    seen = Response.objects.filter(invitation__wave=wave).aggregate(
        n=Count("pk"), last=Max("updated_at"), top=Max("pk")
    )
    last = seen["last"].isoformat() if seen["last"] else ""
    return f"{seen['n']}|{seen['top'] or 0}|{last}"


def _raters_targets(wave: Wave) -> tuple[list[str], list[str]]:
    """Every group that could answer and could be rated, from the set-up, not the answers."""
    targets = [target.name for target in wave_targets(wave)]
    raters = sorted(wave.work_process.workgroups.values_list("name", flat=True))
    return raters, targets


def _latest(wave: Wave) -> ResultsSnapshot | None:
    return ResultsSnapshot.objects.filter(wave=wave).order_by("-number").first()


def _publication(snapshot: ResultsSnapshot | None) -> RCPublication | None:
    if snapshot is None:
        return None
    return RCPublication.from_json(snapshot.figures, snapshot.structure)


def wave_results_publish(*, wave: Wave) -> ResultsSnapshot:
    """Publish the wave's results now (a new snapshot), unless nothing is due.

    Open wave with live results: a new snapshot when answers changed since the last one.
    Closed wave: the final snapshot, once; afterwards it is returned unchanged. Each figure
    takes new values only under the publication rule. Race-safe: the wave row is locked and
    the numbering and the single final snapshot are unique constraints, so two requests
    publishing at once leave one snapshot and both return it.

    Raises
    ------
    ValueError
        When the wave shows no results yet (open without live results, or not yet open).
    """
    if not wave.results_available:
        raise ValueError(f"wave {wave.name!r} shows no results before it closes")
    try:
        with transaction.atomic():
            Wave.objects.select_for_update().filter(pk=wave.pk).first()
            latest = _latest(wave)
            if latest is not None and latest.final:
                return latest
            closing = wave.is_closed
            marker = _answers_marker(wave)
            if latest is not None and not closing and latest.answers_seen == marker:
                return latest
            before_wave = previous_wave(wave)
            before = None
            if before_wave is not None and before_wave.is_closed:
                before = _publication(wave_results_freeze(wave=before_wave))
            analysis = wave_analysis(wave)
            compared = wave_comparison(wave) if before is not None and analysis else None
            raters, targets = _raters_targets(wave)
            publication = publish_rc(
                _publication(latest),
                analysis,
                compared[1] if compared else None,
                before=before,
                raters=raters,
                targets=targets,
                min_group_size=wave.min_group_size_in_force,
                as_of=timezone.localtime().isoformat(),
                labels={"before_name": before_wave.name} if compared else None,
            )
            figures, structure = publication.to_json()
            return ResultsSnapshot.objects.create(
                wave=wave,
                number=(latest.number + 1) if latest else 1,
                final=closing,
                answers_seen=marker,
                figures=figures,
                structure=structure,
            )
    except IntegrityError:
        # Another request published the same snapshot first: theirs stands.
        return _latest(wave)  # type: ignore[return-value]


def wave_results_freeze(*, wave: Wave) -> ResultsSnapshot:
    """The closed wave's final snapshot, publishing it first if needed.

    Code that deletes raw answers (erasure, retention) calls this first, so published figures
    never change afterwards: a closed wave always has a frozen snapshot.

    Raises
    ------
    ValueError
        When the wave has not closed.
    """
    if not wave.is_closed:
        raise ValueError(f"wave {wave.name!r} is still open; only a closed wave can be frozen")
    return wave_results_publish(wave=wave)


def results_snapshot_for(wave: Wave) -> ResultsSnapshot | None:
    """The snapshot every page and download of the wave reads (publishing it when due), or
    ``None`` while the wave shows no results."""
    if not wave.results_available:
        return None
    latest = _latest(wave)
    if latest is not None and (latest.final or latest.answers_seen == _answers_marker(wave)):
        return latest
    return wave_results_publish(wave=wave)


def publish_due_results() -> int:
    """Freeze every closed wave that has no final snapshot yet and refresh live results.
    Returns how many waves were looked at (the worker's periodic job)."""
    now = timezone.now()
    due = Wave.objects.select_related("network", "work_process").exclude(
        results_snapshots__final=True
    )
    done = 0
    for wave in due.filter(opens_at__lte=now):
        if wave.is_closed or wave.live_results:
            results_snapshot_for(wave)
            done += 1
    return done


# --- figures every page and download shows ------------------------------------------------

#: GOV.UK tag colour per band position (weak, moderate, strong); the band is also in words.
BAND_TAGS = ("govuk-tag--red", "govuk-tag--yellow", "govuk-tag--green")
#: Plain names of the overall figures.
OVERALL_LABELS = {
    "respondent_weighted": "overall (each respondent counts once)",
    "role_balanced": "overall (each pair of workgroups counts once)",
    "within": "within workgroups",
    "between": "between workgroups",
}
#: How many ties the "where to start" panel lists.
START_COUNT = 3


@dataclass(frozen=True)
class HeatCell:
    cell: Cell | None
    tag: str
    change: CellChange | None
    #: The band's position (0 weakest), for a sequential colour; ``None`` when not shown.
    band_index: int | None = None


@dataclass(frozen=True)
class WaveFigures:
    """Everything a results page, print page, cell page or download shows, from one snapshot."""

    snapshot: ResultsSnapshot
    analysis: RCAnalysis | None
    comparison: RCComparison | None
    before: Wave | None
    heatmap: dict[str, Any]
    start: dict[str, Any]
    overall_changes: list[tuple[str, Any]]
    rwg: list[tuple[str, float | None]]
    as_of: list[tuple[str, str]]

    def tag(self, band: str | None) -> str:
        return band_tag(self.analysis, band)


def band_tag(analysis: RCAnalysis | None, band: str | None) -> str:
    labels = list(analysis.settings.get("band_labels", ())) if analysis else []
    if band is None or band not in labels:
        return "govuk-tag--grey"
    return BAND_TAGS[labels.index(band)]


def band_index(analysis: RCAnalysis | None, band: str | None) -> int | None:
    """The band's position among the analysis's bands (0 weakest), or ``None``."""
    labels = list(analysis.settings.get("band_labels", ())) if analysis else []
    return labels.index(band) if band is not None and band in labels else None


def bands_legend(analysis: RCAnalysis) -> list[dict[str, Any]]:
    """The bands in order, each with its range in words (cut-offs from the analysis)."""
    labels = list(analysis.settings.get("band_labels", ()))
    low, high = analysis.settings["bands"]
    ranges = [f"below {low}", f"{low} to {high}", f"above {high}"]
    return [
        {"index": i, "label": label, "range": ranges[i] if i < len(ranges) else ""}
        for i, label in enumerate(labels)
    ]


def heatmap(analysis: RCAnalysis, comparison: RCComparison | None) -> dict[str, Any]:
    """Rows of rater → target cells with their band tags and changes."""
    cells = {(c.rater, c.target): c for c in analysis.cells}
    changes = {(c.rater, c.target): c for c in comparison.cells} if comparison else {}
    raters = list(dict.fromkeys(c.rater for c in analysis.cells))
    targets = list(dict.fromkeys(c.target for c in analysis.cells))
    rows = []
    for rater in raters:
        row = []
        for target in targets:
            cell = cells.get((rater, target))
            row.append(
                HeatCell(
                    cell,
                    band_tag(analysis, cell.band if cell else None),
                    changes.get((rater, target)),
                    band_index(analysis, cell.band if cell else None),
                )
            )
        rows.append((rater, row))
    return {"targets": targets, "rows": rows}


def where_to_start(analysis: RCAnalysis, comparison: RCComparison | None) -> dict[str, Any]:
    """The weakest shown ties between workgroups and the biggest shown drops."""
    shown = [c for c in analysis.cells if not c.suppressed and c.rc is not None and not c.within]
    weakest = sorted(shown, key=lambda c: (c.rc, c.rater, c.target))[:START_COUNT]
    drops: list[CellChange] = []
    if comparison is not None:
        moved = [
            c
            for c in comparison.cells
            if not c.change.suppressed
            and c.change.difference is not None
            and c.change.difference < 0
        ]
        drops = sorted(moved, key=lambda c: (c.change.difference, c.rater, c.target))[:START_COUNT]
    return {"weakest": weakest, "drops": drops}


def _describe(key: tuple) -> str:
    kind, *rest = key
    if kind in ("cell", "change"):
        return f"{rest[0]} rating {rest[1]}" + (" (change)" if kind == "change" else "")
    if kind in ("dim", "communication", "relationship"):
        return f"{rest[0]} rating {rest[1]}: {rest[-1] if kind == 'dim' else kind}"
    return " ".join(str(part) for part in key).replace("_", " ")


def published_analysis(wave: Wave) -> RCAnalysis | None:
    """The wave's figures as published (the same the results page shows), for other features
    that build on RC results, such as coffee pairing across weak ties: never recomputed from
    raw answers, which retention may already have deleted."""
    snapshot = results_snapshot_for(wave)
    return None if snapshot is None else _publication(snapshot).analysis()


def wave_figures(wave: Wave) -> WaveFigures | None:
    """The wave's published figures, arranged for pages and downloads; ``None`` while the
    wave shows no results."""
    snapshot = results_snapshot_for(wave)
    if snapshot is None:
        return None
    publication = _publication(snapshot)
    analysis = publication.analysis()
    comparison = publication.comparison() if analysis is not None else None
    before = previous_wave(wave) if comparison is not None else None
    return WaveFigures(
        snapshot=snapshot,
        analysis=analysis,
        comparison=comparison,
        before=before,
        heatmap=heatmap(analysis, comparison) if analysis else {"targets": [], "rows": []},
        start=where_to_start(analysis, comparison) if analysis else {},
        overall_changes=[
            (OVERALL_LABELS.get(name, name), change)
            for name, change in (comparison.overall.items() if comparison else ())
        ],
        rwg=sorted(analysis.reliability.rwg.items()) if analysis else [],
        as_of=[
            (_describe(key), date[:16].replace("T", " ")) for key, date in publication.as_of_notes()
        ],
    )

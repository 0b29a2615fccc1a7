"""RC waves and their results, exactly as the results page shows them (``read:results``).

Every figure comes from :func:`bridgework.surveys.results.wave_figures`: the wave's published
snapshot, after the privacy pass and under the publication rule, the same object the page, the
print page and the downloads read. So the API shows nothing the page does not, a suppressed
figure is ``null`` with ``suppressed: true``, and looking before and after one more answer
gives the same numbers here as there (a figure moves only once enough new answers stand
behind it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.api.auth import token_auth
from bridgework.api.models import Scope
from bridgework.api.pagination import Page
from bridgework.api.routes.common import ERRORS, RecordId
from bridgework.surveys import selectors
from bridgework.surveys.models import Wave
from bridgework.surveys.results import OVERALL_LABELS, WaveFigures, wave_figures

router = Router(tags=["rc"], auth=token_auth(Scope.RESULTS))


class RCWaveOut(Schema):
    id: int
    name: str
    work_process_id: int
    work_process: str
    status: str
    opens_at: datetime
    closes_at: datetime
    min_group_size: int
    live_results: bool
    results_available: bool

    @staticmethod
    def resolve_work_process(wave: Wave) -> str:
        return wave.work_process.name

    @staticmethod
    def resolve_min_group_size(wave: Wave) -> int:
        return wave.min_group_size_in_force


class DimensionOut(Schema):
    dimension: str
    value: float | None
    suppressed: bool
    reason: str | None


class RCCellOut(Schema):
    rater: str
    target: str
    suppressed: bool
    reason: str | None
    n: int | None
    rc: float | None
    ci: list[float] | None
    band: str | None
    communication: float | None
    relationship: float | None
    dimensions: list[DimensionOut] | None
    as_of: str | None


class OverallOut(Schema):
    name: str
    label: str
    value: float | None
    suppressed: bool


class WorkgroupSummaryOut(Schema):
    workgroup: str
    rc_received: float | None
    rc_given: float | None
    within: float | None
    suppressed: dict[str, str]


class ReciprocityOut(Schema):
    a: str
    b: str
    a_to_b: float | None
    b_to_a: float | None
    gap: float | None
    suppressed: bool


class ReliabilityOut(Schema):
    alpha: float | None
    icc1: float | None
    icc2: float | None
    rwg: dict[str, float | None]


class ChangeOut(Schema):
    before: float | None
    after: float | None
    difference: float | None
    ci: list[float] | None
    p_value: float | None
    suppressed: bool


class CellChangeOut(Schema):
    rater: str
    target: str
    change: ChangeOut
    band_before: str | None
    band_after: str | None


class OverallChangeOut(Schema):
    name: str
    label: str
    change: ChangeOut


class ComparisonOut(Schema):
    before_wave: str
    overall: list[OverallChangeOut]
    cells: list[CellChangeOut]


class RCResultsOut(Schema):
    wave: RCWaveOut
    available: bool
    final: bool | None
    published_at: datetime | None
    min_group_size: int
    n_respondents: int | None
    overall: list[OverallOut]
    cells: list[RCCellOut]
    workgroups: list[WorkgroupSummaryOut]
    reciprocity: list[ReciprocityOut]
    reliability: ReliabilityOut | None
    comparison: ComparisonOut | None


def _pair(values: tuple[float, float] | None) -> list[float] | None:
    return None if values is None else [float(values[0]), float(values[1])]


def _cell(cell) -> dict[str, Any]:
    if cell.suppressed:
        # The page shows only the word "Suppressed": no count, no value, no range.
        return {
            "rater": cell.rater,
            "target": cell.target,
            "suppressed": True,
            "reason": cell.reason,
            "n": None,
            "rc": None,
            "ci": None,
            "band": None,
            "communication": None,
            "relationship": None,
            "dimensions": None,
            "as_of": None,
        }
    hidden = cell.hidden_parts or {}
    return {
        "rater": cell.rater,
        "target": cell.target,
        "suppressed": False,
        "reason": None,
        "n": cell.n,
        "rc": cell.rc,
        "ci": _pair(cell.ci),
        "band": cell.band,
        "communication": None if "communication" in hidden else cell.communication,
        "relationship": None if "relationship" in hidden else cell.relationship,
        "dimensions": [
            {
                "dimension": key,
                "value": None if key in hidden else (cell.dimensions or {}).get(key),
                "suppressed": key in hidden,
                "reason": hidden.get(key),
            }
            for key in DIMENSIONS
        ],
        "as_of": cell.as_of,
    }


def _change(change) -> dict[str, Any]:
    if change.suppressed:
        return dict.fromkeys(("before", "after", "difference", "ci", "p_value")) | {
            "suppressed": True
        }
    return {
        "before": change.before,
        "after": change.after,
        "difference": change.difference,
        "ci": _pair(change.ci),
        "p_value": change.p_value,
        "suppressed": False,
    }


def results_document(wave: Wave, figures: WaveFigures | None) -> dict[str, Any]:
    """The API's form of the results page's figures (``None``: the page shows none yet)."""
    document: dict[str, Any] = {
        "wave": wave,
        "available": False,
        "final": None,
        "published_at": None,
        "min_group_size": wave.min_group_size_in_force,
        "n_respondents": None,
        "overall": [],
        "cells": [],
        "workgroups": [],
        "reciprocity": [],
        "reliability": None,
        "comparison": None,
    }
    if figures is None or figures.analysis is None:
        return document
    analysis, comparison = figures.analysis, figures.comparison
    overall = analysis.overall
    document.update(
        available=True,
        final=figures.snapshot.final,
        published_at=figures.snapshot.published_at,
        n_respondents=overall.n_respondents or None,
        overall=[
            {
                "name": name,
                "label": OVERALL_LABELS[name],
                "value": getattr(overall, name),
                "suppressed": getattr(overall, name) is None,
            }
            for name in OVERALL_LABELS
        ],
        cells=[_cell(cell) for cell in analysis.cells],
        workgroups=[
            {
                "workgroup": row.workgroup,
                "rc_received": row.rc_received,
                "rc_given": row.rc_given,
                "within": row.within,
                "suppressed": dict(row.suppressed),
            }
            for row in analysis.workgroups_summary
        ],
        reciprocity=[
            {
                "a": gap.a,
                "b": gap.b,
                "a_to_b": None if gap.suppressed else gap.a_to_b,
                "b_to_a": None if gap.suppressed else gap.b_to_a,
                "gap": None if gap.suppressed else gap.gap,
                "suppressed": gap.suppressed,
            }
            for gap in analysis.reciprocity
        ],
        reliability={
            "alpha": analysis.reliability.alpha,
            "icc1": analysis.reliability.icc1,
            "icc2": analysis.reliability.icc2,
            "rwg": dict(figures.rwg),
        },
    )
    if comparison is not None and figures.before is not None:
        document["comparison"] = {
            "before_wave": figures.before.name,
            "overall": [
                {"name": name, "label": OVERALL_LABELS.get(name, name), "change": _change(change)}
                for name, change in comparison.overall.items()
            ],
            "cells": [
                {
                    "rater": c.rater,
                    "target": c.target,
                    "change": _change(c.change),
                    "band_before": None if c.change.suppressed else c.band_before,
                    "band_after": None if c.change.suppressed else c.band_after,
                }
                for c in comparison.cells
            ],
        }
    return document


@router.get("/waves", url_name="rc_waves", response={200: list[RCWaveOut], **ERRORS})
@paginate(Page)
def waves(request: HttpRequest):
    """The network's RC waves, oldest first."""
    return selectors.waves_for(request.auth.network)


@router.get("/waves/{wave_id}", url_name="rc_wave", response={200: RCWaveOut, **ERRORS})
def wave(request: HttpRequest, wave_id: RecordId):
    return selectors.wave_for(request.auth.network, wave_id)


@router.get(
    "/waves/{wave_id}/results", url_name="rc_results", response={200: RCResultsOut, **ERRORS}
)
def results(request: HttpRequest, wave_id: RecordId):
    """The wave's results as its results page shows them: ``available`` is false until the
    wave closes (or shows live results) and has answers."""
    wave = selectors.wave_for(request.auth.network, wave_id)
    return results_document(wave, wave_figures(wave))

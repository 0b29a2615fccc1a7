"""Results of a wave: the heatmap and summaries, one cell's profile, a print page, downloads.

Every number comes from :mod:`bridgework.surveys.results` (``analyze_rc`` and
``compare_waves``, privacy pass inside); these views only arrange the already-suppressed
figures on the page. Downloads are the XLSX report writer's and a CSV of the same cells.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bridgework.analysis.rc_compare import CellChange, RCComparison
from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.analysis.rc_results import Cell, RCAnalysis
from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.datasets.rc_report import write_rc_xlsx
from bridgework.surveys import selectors
from bridgework.surveys.models import Wave
from bridgework.surveys.results import wave_analysis, wave_comparison
from bridgework.web.tenancy import network_view

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


def _tag(analysis: RCAnalysis, band: str | None) -> str:
    labels = list(analysis.settings.get("band_labels", ()))
    if band is None or band not in labels:
        return "govuk-tag--grey"
    return BAND_TAGS[labels.index(band)]


def _heatmap(analysis: RCAnalysis, comparison: RCComparison | None) -> dict[str, Any]:
    cells = {(c.rater, c.target): c for c in analysis.cells}
    changes = {(c.rater, c.target): c for c in comparison.cells} if comparison else {}
    raters = [w for w in analysis.workgroups if any(c.rater == w for c in analysis.cells)]
    targets = [w for w in analysis.workgroups if any(c.target == w for c in analysis.cells)]
    rows = []
    for rater in raters:
        row = []
        for target in targets:
            cell = cells.get((rater, target))
            row.append(
                HeatCell(
                    cell, _tag(analysis, cell.band if cell else None), changes.get((rater, target))
                )
            )
        rows.append((rater, row))
    return {"targets": targets, "rows": rows}


def _where_to_start(analysis: RCAnalysis, comparison: RCComparison | None) -> dict[str, Any]:
    shown = [c for c in analysis.cells if not c.suppressed and c.rc is not None and not c.within]
    weakest = sorted(shown, key=lambda c: c.rc)[:START_COUNT]
    drops: list[CellChange] = []
    if comparison is not None:
        moved = [
            c
            for c in comparison.cells
            if not c.change.suppressed
            and c.change.difference is not None
            and c.change.difference < 0
        ]
        drops = sorted(moved, key=lambda c: c.change.difference)[:START_COUNT]
    return {"weakest": weakest, "drops": drops}


def _context(request: HttpRequest, wave: Wave) -> dict[str, Any]:
    context: dict[str, Any] = {"wave": wave, "page_title": f"Results of {wave.name}"}
    if not wave.results_available:
        return context
    analysis = wave_analysis(wave)
    context["analysis"] = analysis
    if analysis is None:
        return context
    compared = wave_comparison(wave)
    before, comparison = compared if compared else (None, None)
    context.update(
        before=before,
        comparison=comparison,
        heatmap=_heatmap(analysis, comparison),
        start=_where_to_start(analysis, comparison),
        instrument=wave.instrument(),
        rwg=sorted(analysis.reliability.rwg.items()),
        overall_changes=[
            (OVERALL_LABELS.get(name, name), change)
            for name, change in (comparison.overall.items() if comparison else ())
        ],
        k=wave.min_group_size_in_force,
    )
    return context


@network_view()
def results(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.wave_for(request.network, pk)
    return render(request, "surveys/results/show.html", _context(request, wave))


@network_view()
def print_page(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.wave_for(request.network, pk)
    return render(request, "surveys/results/print.html", _context(request, wave))


@network_view()
def cell(request: HttpRequest, pk: int) -> HttpResponse:
    """The seven-dimension profile of one rater → target cell."""
    wave = selectors.wave_for(request.network, pk)
    rater, target = request.GET.get("rater", ""), request.GET.get("target", "")
    if not wave.results_available or not rater or not target:
        return redirect("surveys:waves_results", network=request.network.slug, pk=wave.pk)
    analysis = wave_analysis(wave)
    if analysis is None:
        return redirect("surveys:waves_results", network=request.network.slug, pk=wave.pk)
    try:
        found = analysis.cell(rater, target)
    except KeyError as exc:
        raise Http404("No such cell") from exc
    instrument = wave.instrument()
    profile = []
    if found.dimensions is not None:
        profile = [
            (instrument.item(key).label, found.dimensions.get(key), instrument.item(key).subscale)
            for key in DIMENSIONS
        ]
    change = None
    compared = wave_comparison(wave)
    if compared is not None:
        try:
            change = compared[1].cell(rater, target)
        except KeyError:
            change = None
    return render(
        request,
        "surveys/results/cell.html",
        {
            "wave": wave,
            "cell": found,
            "tag": _tag(analysis, found.band),
            "profile": profile,
            "change": change,
            "before": compared[0] if compared else None,
            "k": wave.min_group_size_in_force,
            "page_title": f"{rater} rating {target}",
        },
    )


def _csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {key: ("" if value is None else _csv_text(value)) for key, value in row.items()}
            )
    return buffer.getvalue().encode("utf-8-sig")


def _csv_text(value: Any) -> Any:
    # A workgroup name such as "=cmd" must stay text when the file is opened in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _flatten(cell: dict[str, Any]) -> dict[str, Any]:
    """One CSV row of a cell of ``RCAnalysis.to_dict()`` (dimensions and CI as columns)."""
    dims = cell.pop("dimensions") or {}
    ci = cell.pop("ci") or [None, None]
    return {**cell, "ci_low": ci[0], "ci_high": ci[1], **{k: dims.get(k) for k in DIMENSIONS}}


def _change_row(cell: dict[str, Any]) -> dict[str, Any]:
    ci = cell.pop("ci") or [None, None]
    return {**cell, "ci_low": ci[0], "ci_high": ci[1]}


def _download(request: HttpRequest, pk: int, *, what: str, fmt: str) -> HttpResponse:
    wave = selectors.wave_for(request.network, pk)
    if not wave.results_available:
        return redirect("surveys:waves_results", network=request.network.slug, pk=wave.pk)
    if what == "results":
        result: Any = wave_analysis(wave)
    else:
        compared = wave_comparison(wave)
        result = compared[1] if compared else None
    if result is None:
        return redirect("surveys:waves_results", network=request.network.slug, pk=wave.pk)
    if fmt == "xlsx":
        content = write_rc_xlsx(result)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        cells = result.to_dict()["cells"]
        rows = [_flatten(c) if what == "results" else _change_row(c) for c in cells]
        content, content_type = _csv(rows), "text/csv; charset=utf-8"
    audit_record(
        network=request.network,
        action=Action.EXPORT_DOWNLOADED,
        target=wave,
        details={"export": f"RC {what} {fmt.upper()}"},
        request=request,
    )
    response = HttpResponse(content, content_type=content_type)
    filename = f"{request.network.slug}-wave-{wave.pk}-{what}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def download_view(what: str, fmt: str):
    @network_view()
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _download(request, pk, what=what, fmt=fmt)

    return view

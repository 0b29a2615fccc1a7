"""Results of a wave: the heatmap and summaries, one cell's profile, a print page, a PDF
report, downloads.

Every number comes from :func:`bridgework.surveys.results.wave_figures`, which reads the
wave's published snapshot (privacy pass and publication rule applied); these views only hand
the figures to a template or a file writer.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.datasets.rc_report import write_rc_csv, write_rc_xlsx
from bridgework.surveys import selectors
from bridgework.surveys.models import Wave
from bridgework.surveys.results import bands_legend, wave_figures
from bridgework.web.pdf import pdf_filename, pdf_response, render_pdf
from bridgework.web.tenancy import network_view


def _context(wave: Wave) -> dict[str, Any]:
    context: dict[str, Any] = {
        "wave": wave,
        "page_title": _("Results of %(name)s") % {"name": wave.name},
    }
    figures = wave_figures(wave)
    if figures is None:
        return context
    context.update(
        figures=figures,
        analysis=figures.analysis,
        comparison=figures.comparison,
        before=figures.before,
        heatmap=figures.heatmap,
        start=figures.start,
        instrument=wave.instrument(),
        rwg=figures.rwg,
        overall_changes=figures.overall_changes,
        as_of=figures.as_of,
        published_at=figures.snapshot.published_at,
        final=figures.snapshot.final,
        k=wave.min_group_size_in_force,
    )
    return context


@network_view()
def results(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.wave_for(request.network, pk)
    return render(request, "surveys/results/show.html", _context(wave))


@network_view()
def print_page(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.wave_for(request.network, pk)
    return render(request, "surveys/results/print.html", _context(wave))


@network_view()
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The results as a PDF for a board paper: the same figures as the page."""
    wave = selectors.wave_for(request.network, pk)
    context = _context(wave)
    analysis = context.get("analysis")
    if analysis is None:
        return redirect("surveys:waves_results", network=request.network.slug, pk=wave.pk)
    context.update(
        network=request.network,
        report_title=_("Relational coordination: %(name)s") % {"name": wave.name},
        report_subject=_("%(process)s: %(name)s")
        % {"process": wave.work_process.name, "name": wave.name},
        bands=bands_legend(analysis),
    )
    content = render_pdf("surveys/results/report.html", context, request=request)
    audit_record(
        network=request.network,
        action=Action.EXPORT_DOWNLOADED,
        target=wave,
        details={"export": "RC results PDF"},
        request=request,
    )
    slug = slugify(wave.name) or f"wave-{wave.pk}"
    return pdf_response(content, filename=pdf_filename("rc-results", slug))


@network_view()
def cell(request: HttpRequest, pk: int) -> HttpResponse:
    """The seven-dimension profile of one rater → target cell."""
    wave = selectors.wave_for(request.network, pk)
    rater, target = request.GET.get("rater", ""), request.GET.get("target", "")
    figures = wave_figures(wave) if rater and target else None
    if figures is None or figures.analysis is None:
        return redirect("surveys:waves_results", network=request.network.slug, pk=wave.pk)
    try:
        found = figures.analysis.cell(rater, target)
    except KeyError as exc:
        raise Http404(_("No such cell")) from exc
    instrument = wave.instrument()
    profile = []
    if found.dimensions is not None:
        profile = [
            (
                instrument.item(key).label,
                found.dimensions.get(key),
                instrument.item(key).subscale,
                (found.hidden_parts or {}).get(key),
            )
            for key in DIMENSIONS
        ]
    change = None
    if figures.comparison is not None:
        try:
            change = figures.comparison.cell(rater, target)
        except KeyError:
            change = None
    return render(
        request,
        "surveys/results/cell.html",
        {
            "wave": wave,
            "cell": found,
            "tag": figures.tag(found.band),
            "profile": profile,
            "change": change,
            "before": figures.before,
            "k": wave.min_group_size_in_force,
            "page_title": _("%(rater)s rating %(target)s") % {"rater": rater, "target": target},
        },
    )


def _download(request: HttpRequest, pk: int, *, what: str, fmt: str) -> HttpResponse:
    wave = selectors.wave_for(request.network, pk)
    figures = wave_figures(wave)
    result: Any = None
    if figures is not None:
        result = figures.analysis if what == "results" else figures.comparison
    if result is None:
        return redirect("surveys:waves_results", network=request.network.slug, pk=wave.pk)
    if fmt == "xlsx":
        content = write_rc_xlsx(result)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, content_type = write_rc_csv(result), "text/csv; charset=utf-8"
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

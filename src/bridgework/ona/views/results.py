"""Network map pages: organisation level for every member, named for coordinators only.

Both pages show the wave's answers as last released
(:func:`bridgework.ona.releases.released`), so no two views differ by one person's
answers. Both take the same filters as query parameters — ``relation``, on the organisation map
``strength`` (the lowest 1–5 answer a tie must have; on the named map it would give away one
person's rating of another) and, on the named map, ``size`` — so the map, its table and every
figure beside it always show the same data, with or without JavaScript.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext

from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory.models import Role
from bridgework.ona import analyses, results, selectors
from bridgework.ona.models import AnalysisRequest, NetworkWave
from bridgework.web.pdf import pdf_filename, pdf_response, render_pdf
from bridgework.web.tenancy import network_view

#: Shading of the density matrix in the PDF report: upper bounds (exclusive) and their words,
#: light to dark; a density at or above the last bound takes the darkest shade. Densities
#: between organisations are small (a few of hundreds of possible ties), hence the low bounds.
DENSITY_SHADES = ((0.01, "below 0.01"), (0.05, "0.01 to under 0.05"), (0.2, "0.05 to under 0.2"))
DENSITY_TOP = "0.2 or more"


def density_shade(value: float | None) -> int | None:
    """The shade (0 lightest) of a density, or ``None`` for no ties or a hidden figure."""
    if not value:
        return None
    for index, (bound, _) in enumerate(DENSITY_SHADES):
        if value < bound:
            return index
    return len(DENSITY_SHADES)


def _filters(request: HttpRequest, wave: NetworkWave) -> dict[str, Any]:
    relations = results.relations(wave)
    relation = request.GET.get("relation", "")
    strength = request.GET.get("strength", "")
    return {
        "relations": relations,
        "relation": relation if relation in {value for value, _ in relations} else "",
        "strengths": results.STRENGTHS,
        "strength": int(strength) if strength in {str(s) for s in results.STRENGTHS} else None,
    }


def _common(request: HttpRequest, wave: NetworkWave):
    filters = _filters(request, wave)
    # Frozen figures once an erasure or retention froze them, else from the release; a large
    # network's figures not yet in the cache are left to a job (see _figures_by_job).
    figures = results.organisation_figures(
        wave, relation=filters["relation"] or None, min_weight=filters["strength"], wait=False
    )
    people = results.people_by_id(wave)
    can_name = request.membership.has_role(Role.COORDINATOR)
    min_group_size = wave.min_group_size_in_force
    context = {
        "wave": wave,
        **filters,
        **figures["note"],
        "org": figures["org"],
        "can_name": can_name,
        "min_group_size": min_group_size,
    }
    return wave, people, context


MapView = Callable[[HttpRequest, NetworkWave], HttpResponse]


def _figures_by_job(page: str) -> Callable[[MapView], Callable[..., HttpResponse]]:
    """A view of the network wave ``pk`` showing figures that, for a large network, a job
    computes: while they are not in the cache, the request goes to the progress page of the
    job for ``page`` and its filters (:func:`_prepared`) instead."""

    def decorator(view: MapView) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
            wave = selectors.network_wave_for(request.network, pk)
            try:
                return view(request, wave)
            except results.AnalysisPendingError:
                return _prepared(request, wave, page=page)

        return wrapper

    return decorator


def _prepared(request: HttpRequest, wave: NetworkWave, *, page: str) -> HttpResponse:
    """The progress page of the job computing a large network's figures for this page and
    its filters (started, or joined when one is already under way)."""
    filters = _filters(request, wave)
    job = analyses.analysis_prepare(
        wave=wave,
        page=page,
        relation=filters["relation"] or None,
        min_weight=filters["strength"],
        requested_by=request.user,
    )
    if job is None:  # another job finished them in the meantime
        return redirect(request.get_full_path())
    return redirect("jobs:jobs_show", network=request.network.slug, pk=job.pk)


@network_view()
@_figures_by_job(AnalysisRequest.Page.ORGANISATIONS)
def organisation_map(request: HttpRequest, wave: NetworkWave) -> HttpResponse:
    wave, _, context = _common(request, wave)
    context["page_title"] = gettext("%(name)s: organisation map") % {"name": wave.name}
    context["map"] = context["org"]["map"]
    context["outside"] = results.outside_contacts(wave)
    return render(request, "ona/results/organisations.html", context)


@network_view()
@_figures_by_job(AnalysisRequest.Page.ORGANISATIONS)
def organisation_report(request: HttpRequest, wave: NetworkWave) -> HttpResponse:
    """The organisation map's figures as a PDF for a board paper, with the page's filters.
    Never the named map: a PDF travels further than the page, and names stay on the page
    only coordinators can open."""
    wave, _, context = _common(request, wave)
    relation_label = dict(context["relations"]).get(context["relation"], gettext("All relations"))
    context.update(
        network=request.network,
        can_name=False,
        report_title=gettext("Network survey: %(name)s") % {"name": wave.name},
        report_subject=gettext("%(name)s: organisations") % {"name": wave.name},
        relation_label=relation_label,
        outside=results.outside_contacts(wave),
        density_rows=[
            {
                "name": row["name"],
                "visible": row["visible"],
                "cells": [(c, density_shade(c) if row["visible"] else None) for c in row["cells"]],
            }
            for row in context["org"]["matrix"]
        ],
        density_legend=[label for _, label in DENSITY_SHADES] + [DENSITY_TOP],
    )
    content = render_pdf("ona/results/report.html", context, request=request)
    audit_record(
        network=request.network,
        action=Action.EXPORT_DOWNLOADED,
        target=wave,
        details={"export": "network survey organisation summary PDF"},
        request=request,
    )
    slug = slugify(wave.name) or f"wave-{wave.pk}"
    return pdf_response(content, filename=pdf_filename("network-summary", slug))


@network_view(Role.COORDINATOR)
@_figures_by_job(AnalysisRequest.Page.PEOPLE)
def named_map(request: HttpRequest, wave: NetworkWave) -> HttpResponse:
    wave, people, context = _common(request, wave)
    size = request.GET.get("size", "")
    size = size if size in results.SIZE_MEASURES else "in_degree"
    # No tie-strength filter here: a tie drawn at one strength and not at the next would
    # give one person's rating of another, which consenting to be named does not cover.
    context.update({"strengths": (), "strength": None})
    named = results.named_level(wave, people, relation=context["relation"] or None, wait=False)
    context.update(
        {
            "named": named,
            "map": {"nodes": named["nodes"], "edges": named["edges"], "level": "person"},
            "size": size,
            "size_label": results.SIZE_MEASURES[size],
            "sizes": list(results.SIZE_MEASURES.items()),
            "page_title": gettext("%(name)s: named map") % {"name": wave.name},
        }
    )
    return render(request, "ona/results/people.html", context)

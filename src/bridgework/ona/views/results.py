"""Network map pages: organisation level for every member, named for coordinators only.

Both pages show the wave's answers as last released
(:func:`bridgework.ona.releases.released`), so no two views differ by one person's
answers. Both take the same filters as query parameters — ``relation``, on the organisation map
``strength`` (the lowest 1–5 answer a tie must have; on the named map it would give away one
person's rating of another) and, on the named map, ``size`` — so the map, its table and every
figure beside it always show the same data, with or without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bridgework.directory.models import Role
from bridgework.ona import results, selectors
from bridgework.ona.models import NetworkWave
from bridgework.web.tenancy import network_view


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


def _common(request: HttpRequest, pk: int):
    wave = selectors.network_wave_for(request.network, pk)
    filters = _filters(request, wave)
    # Frozen figures once an erasure or retention froze them, else from the release.
    figures = results.organisation_figures(
        wave, relation=filters["relation"] or None, min_weight=filters["strength"]
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


@network_view()
def organisation_map(request: HttpRequest, pk: int) -> HttpResponse:
    wave, _, context = _common(request, pk)
    context["page_title"] = f"{wave.name}: organisation map"
    context["map"] = context["org"]["map"]
    context["outside"] = results.outside_contacts(wave)
    return render(request, "ona/results/organisations.html", context)


@network_view(Role.COORDINATOR)
def named_map(request: HttpRequest, pk: int) -> HttpResponse:
    wave, people, context = _common(request, pk)
    size = request.GET.get("size", "")
    size = size if size in results.SIZE_MEASURES else "in_degree"
    # No tie-strength filter here: a tie drawn at one strength and not at the next would
    # give one person's rating of another, which consenting to be named does not cover.
    context.update({"strengths": (), "strength": None})
    named = results.named_level(wave, people, relation=context["relation"] or None)
    context.update(
        {
            "named": named,
            "map": {"nodes": named["nodes"], "edges": named["edges"], "level": "person"},
            "size": size,
            "size_label": results.SIZE_MEASURES[size],
            "sizes": list(results.SIZE_MEASURES.items()),
            "page_title": f"{wave.name}: named map",
        }
    )
    return render(request, "ona/results/people.html", context)

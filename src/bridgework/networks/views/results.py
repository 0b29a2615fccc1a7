"""Network map pages: organisation level for every member, named for coordinators only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bridgework.directory.models import Role
from bridgework.networks import results, selectors
from bridgework.networks.models import Relation
from bridgework.web.tenancy import network_view


def _relation(request: HttpRequest) -> str | None:
    value = request.GET.get("relation", "")
    return value if value in Relation.values else None


def _common(request: HttpRequest, pk: int):
    wave = selectors.network_wave_for(request.network, pk)
    relation = _relation(request)
    result, people = results.analyse(wave, relation=relation)
    org = results.organisation_level(result, min_group_size=wave.min_group_size)
    context = {
        "wave": wave,
        "relation": relation or "",
        "relations": results.RELATIONS,
        "org": org,
        "validity": result.validity,
        "warnings": result.warnings,
        "summary": result.summary,
        "can_name": request.membership.has_role(Role.COORDINATOR),
    }
    return wave, result, people, context


@network_view()
def organisation_map(request: HttpRequest, pk: int) -> HttpResponse:
    wave, _, _, context = _common(request, pk)
    context["page_title"] = f"{wave.name}: organisation map"
    context["map"] = context["org"]["map"]
    return render(request, "networks/results/organisations.html", context)


@network_view(Role.COORDINATOR)
def named_map(request: HttpRequest, pk: int) -> HttpResponse:
    wave, result, people, context = _common(request, pk)
    size = request.GET.get("size", "in_degree")
    named = results.named_level(wave, result, people)
    context.update(
        {
            "named": named,
            "map": {"nodes": named["nodes"], "edges": named["edges"], "level": "person"},
            "size": size if size in results.SIZE_MEASURES else "in_degree",
            "sizes": list(results.SIZE_MEASURES.items()),
            "page_title": f"{wave.name}: named map",
        }
    )
    return render(request, "networks/results/people.html", context)

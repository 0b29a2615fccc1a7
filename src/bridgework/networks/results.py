"""Figures of a network wave, all from :func:`bridgework.analysis.network.analyze_network`.

This module only turns database rows into the analysis inputs and the analysis result into
what the pages show: :func:`organisation_level` (for every member, analysts included: group
figures only, small groups suppressed through :mod:`bridgework.analysis.privacy`) and
:func:`named_level` (coordinators only: people who consented, by name). No figure is computed
here; a page, an export and the CLI therefore cannot disagree. :func:`analyse` keeps each
analysis in Django's cache until any of its inputs changes.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from bridgework.analysis.network import NetworkAnalysis, NetworkOptions, analyze_network
from bridgework.analysis.network_measures import build_tie_graph
from bridgework.analysis.network_roles import ROLE_LABELS, ROLES
from bridgework.analysis.privacy import Figure, counts_to_hide, suppress
from bridgework.analysis.roles_assessment import (
    RoleProfile,
    roles_mix,
    score_assessment,
    self_and_network_view,
)
from bridgework.datasets.network_io import validate_nominations
from bridgework.directory.models import Person
from bridgework.networks.models import NetworkWave, Nomination, RolesInvitation
from bridgework.networks.selectors import analysis_fingerprint

#: Measures a coordinator can size the named map's nodes by.
SIZE_MEASURES = {
    "in_degree": "Nominations received",
    "betweenness": "Betweenness",
    "brokerage": "Brokerage (total)",
    "out_degree": "Nominations given",
}

#: Tie strengths the maps can be filtered by: the lowest 1–5 answer a tie must have.
STRENGTHS = (2, 3, 4, 5)

#: How long an analysis stays cached. Keys change with every answer, so this only bounds
#: the memory held by results nobody asks for again.
ANALYSIS_CACHE_SECONDS = 60 * 60

#: Plain names of the measures the validity note lists (the analysis names them by key).
MEASURE_LABELS = {
    "in_degree": "nominations received (in-degree)",
    "in_strength": "strength of nominations received",
    "group density": "tie density within and across organisations",
    "out_degree": "nominations given",
    "out_strength": "strength of nominations given",
    "betweenness": "betweenness",
    "brokerage": "brokerage",
    "constraint": "constraint",
    "effective_size": "effective size",
    "clustering": "clustering",
    "k_core": "k-core",
    "community": "communities",
    "roles": "roles",
}


def _nominations(wave: NetworkWave, min_weight: int | None):
    rows = Nomination.objects.filter(wave=wave)
    if min_weight:
        rows = rows.filter(weight__gte=min_weight)
    return rows


def _people(wave: NetworkWave) -> dict[str, Person]:
    return {
        str(p.pk): p
        for p in Person.objects.filter(network_id=wave.network_id).select_related(
            "organisation", "team", "workgroup"
        )
    }


def _inputs(
    wave: NetworkWave, people: dict[str, Person], min_weight: int | None = None
) -> tuple[list[dict], list[dict], set[str]]:
    rows = [
        {
            "id": pid,
            "organisation": p.organisation.name if p.organisation else "",
            "team": p.team.name if p.team else "",
            "workgroup": p.workgroup.name if p.workgroup else "",
        }
        for pid, p in people.items()
    ]
    noms = [
        {"ego": str(e), "alter": str(a), "relation": r, "weight": w}
        for e, a, r, w in _nominations(wave, min_weight).values_list(
            "ego_id", "alter_id", "relation", "weight"
        )
    ]
    respondents = {
        str(pk)
        for pk in wave.invitations.filter(started_at__isnull=False).values_list(
            "person_id", flat=True
        )
    }
    respondents |= {
        str(pk)
        for pk in Nomination.objects.filter(wave=wave, imported=True).values_list(
            "ego_id", flat=True
        )
    }
    invited = {str(pk) for pk in wave.invitations.values_list("person_id", flat=True)}
    if invited or respondents:
        # Only the people asked (or present in an imported file) count towards the response rate.
        asked = invited | respondents | {n[k] for n in noms for k in ("ego", "alter")}
        rows = [r for r in rows if r["id"] in asked]
    return rows, noms, respondents


def analyse(
    wave: NetworkWave, *, relation: str | None = None, min_weight: int | None = None
) -> tuple[NetworkAnalysis, dict]:
    """The analysis of the wave (one relation, or all merged) and the directory by id.

    ``min_weight`` keeps only ties answered at least that strongly (1–5); who counts as a
    respondent does not change, so the response rate is the same at every strength.

    Betweenness and communities take seconds on a large network, and every map view, filter
    and roles page asks again, so the result is kept in Django's cache under the wave, the
    filters and :func:`~bridgework.networks.selectors.analysis_fingerprint` of its inputs: a
    new or changed answer makes a new key, never a stale figure. (The wave's creation time is
    in the key too, so a reused id never meets an old entry.)
    """
    people = _people(wave)
    key = "networks:analysis:{}:{}:{}:{}:{}".format(
        wave.pk,
        wave.created_at.timestamp(),
        relation or "",
        min_weight or 0,
        analysis_fingerprint(wave, people),
    )
    result = cache.get(key)
    if result is None:
        rows, noms, respondents = _inputs(wave, people, min_weight)
        profiles = _profiles(wave)
        result = analyze_network(
            rows,
            noms,
            NetworkOptions(relation=relation, group_by="organisation"),
            respondents=respondents,
            self_assessment=profiles or None,
        )
        cache.set(key, result, ANALYSIS_CACHE_SECONDS)
    return result, people


def _profiles(wave: NetworkWave) -> dict[str, RoleProfile]:
    return {
        str(r.person_id): score_assessment(r.answers)
        for r in RolesInvitation.objects.filter(
            network_id=wave.network_id, completed_at__isnull=False
        )
    }


def organisation_level(
    result: NetworkAnalysis, *, min_group_size: int, small_counts: bool = False
) -> dict[str, Any]:
    """Group-level figures with organisations under the minimum group size suppressed.

    Each organisation's number of respondents is ``None`` where
    :func:`~bridgework.analysis.privacy.counts_to_hide` hides it, unless ``small_counts``
    (coordinators, who see response counts on the wave's page too).
    """
    data = result.group_level()
    groups = data["groups"]
    shown = {}
    if groups is not None:
        figures = [
            Figure(s["name"], s["respondents"], {"size": s["size"]}) for s in groups["summary"]
        ]
        check = suppress(figures, min_group_size=min_group_size)
        shown = {name: check.visible(name) for name in groups["names"]}
    names = groups["names"] if groups else []
    all_summary = (groups or {}).get("summary", [])
    hidden = (
        set()
        if small_counts
        else counts_to_hide(
            {s["name"]: s["respondents"] for s in all_summary}, min_group_size=min_group_size
        )
    )
    summary = [
        dict(
            s,
            visible=shown.get(s["name"], False),
            respondents=None if s["name"] in hidden else s["respondents"],
        )
        for s in all_summary
    ]
    matrix = [
        {
            "name": name,
            "visible": shown.get(name, False),
            "cells": [
                groups["density"][i][j] if shown.get(name, False) else None
                for j in range(len(names))
            ],
        }
        for i, name in enumerate(names)
    ]
    nodes = [
        {"data": {"id": f"g{i}", "label": s["name"], "size": s["size"], "group": s["name"]}}
        for i, s in enumerate(summary)
    ]
    edges, links = [], []
    for i, name in enumerate(names):
        if not shown.get(name, False):
            continue
        for j in range(len(names)):
            ties = groups["ties"][i][j]
            if i != j and ties:
                links.append({"source": name, "target": names[j], "ties": ties})
                edges.append(
                    {
                        "data": {
                            "id": f"g{i}-g{j}",
                            "source": f"g{i}",
                            "target": f"g{j}",
                            "weight": ties,
                            "relation": data["relation"] or "all",
                        }
                    }
                )
    roles = data["roles"]
    return {
        "names": names,
        "summary": summary,
        "matrix": matrix,
        "map": {"nodes": nodes, "edges": edges, "level": "organisation"},
        "links": sorted(links, key=lambda link: (-link["ties"], link["source"], link["target"])),
        "role_counts": [
            {
                "label": ROLE_LABELS[d["role"]],
                "explanation": d["explanation"],
                "count": roles["counts"][d["role"]],
            }
            for d in roles["definitions"]
        ],
        "suppressed": sorted(n for n, v in shown.items() if not v),
    }


def consenting_ids(wave: NetworkWave) -> set[str]:
    """People who agreed to be named on the map to coordinators."""
    return {
        str(pk)
        for pk in wave.invitations.filter(consent_named=True).values_list("person_id", flat=True)
    }


def roles_consenting_ids(network_id: int) -> set[str]:
    """People who let coordinators see their self-assessment beside the network view."""
    return {
        str(pk)
        for pk in RolesInvitation.objects.filter(
            network_id=network_id, consent=True, completed_at__isnull=False
        ).values_list("person_id", flat=True)
    }


def validity_note(result: NetworkAnalysis) -> dict[str, Any]:
    """The response rate, its warning (the analysis's own words) and the measures that are
    and are not robust to missing answers, in plain names."""
    validity = result.validity
    rate_warning = next(
        (w for w in result.warnings if not validity.reliable and "people responded" in w), None
    )
    return {
        "validity": validity,
        "percent": None if validity.response_rate is None else round(100 * validity.response_rate),
        "threshold": round(100 * validity.threshold),
        "rate_warning": rate_warning,
        "warnings": [w for w in result.warnings if w != rate_warning],
        "robust": [MEASURE_LABELS.get(m, m) for m in validity.robust_measures],
        "sensitive": [MEASURE_LABELS.get(m, m) for m in validity.sensitive_measures],
    }


def _named_edges(
    wave: NetworkWave, result: NetworkAnalysis, consent: set[str], min_weight: int | None
) -> list[dict[str, Any]]:
    """Ties between consenting people, merged across relations exactly as the analysis
    merges them (one tie per ordered pair).

    No weight: a tie's weight is one person's answer about another ("A trusts B at 1"), and
    consenting to be named is not consenting to that. ``min_weight`` only chooses the ties."""
    relation = result.options.relation
    rows = _nominations(wave, min_weight)
    if relation:
        rows = rows.filter(relation=relation)
    noms = [
        {"ego": str(e), "alter": str(a), "relation": r, "weight": w}
        for e, a, r, w in rows.values_list("ego_id", "alter_id", "relation", "weight")
        if str(e) in consent and str(a) in consent
    ]
    ids = sorted(consent)
    graph = build_tie_graph(ids, validate_nominations(noms, ids), relation=relation)
    return [
        {
            "data": {
                "id": f"e{k}",
                "source": f"p{ids[s]}",
                "target": f"p{ids[t]}",
                "relation": relation or "all",
            }
        }
        for k, (s, t) in enumerate(zip(graph.source.tolist(), graph.target.tolist(), strict=True))
    ]


def named_level(
    wave: NetworkWave,
    result: NetworkAnalysis,
    people: dict[str, Person],
    *,
    min_weight: int | None = None,
) -> dict[str, Any]:
    """The named map and lists, for coordinators: consenting people only.

    Challenger comes from the roles self-assessment, so a person is named as one only when
    they also let coordinators see their self-assessment; otherwise they are counted unnamed.
    """
    consent = consenting_ids(wave)
    self_view = roles_consenting_ids(wave.network_id)

    def shown_roles(person_id: str, roles: tuple[str, ...]) -> list[str]:
        return [r for r in roles if r != "challenger" or person_id in self_view]

    measures = [p for p in result.people if p.id in consent]
    nodes = [
        {
            "data": {
                "id": f"p{p.id}",
                "label": people[p.id].name,
                "group": p.group or "",
                "in_degree": p.in_degree,
                "out_degree": p.out_degree,
                "betweenness": round(p.betweenness, 1),
                "brokerage": p.brokerage["total"],
                "broker": "broker" in p.roles,
                "roles": [ROLE_LABELS[r] for r in shown_roles(p.id, p.roles)],
            }
        }
        for p in measures
    ]
    edges = _named_edges(wave, result, consent, min_weight) if measures else []
    holders = result.role_holders()
    roles = []
    for role, d in zip(ROLES, result.roles_dict()["definitions"], strict=True):
        visible = consent if role != "challenger" else consent & self_view
        roles.append(
            {
                "role": role,
                "label": ROLE_LABELS[role],
                "explanation": d["explanation"],
                "named": sorted(people[i].name for i in holders[role] if i in visible),
                "unnamed": sum(1 for i in holders[role] if i not in visible),
            }
        )
    weaving = [
        {
            "a": people[w.a].name,
            "b": people[w.b].name,
            "group_a": w.group_a,
            "group_b": w.group_b,
            "shared": w.shared_contacts,
        }
        for w in result.weaving
        if w.a in consent and w.b in consent
    ]
    isolates = sorted(people[p.id].name for p in measures if p.isolate)
    return {
        "nodes": nodes,
        "edges": edges,
        "table": sorted(
            (dict(n["data"], name=n["data"]["label"]) for n in nodes), key=lambda r: r["name"]
        ),
        "roles": roles,
        "weaving": weaving[:20],
        "isolates": isolates,
        "consenting": len(consent),
        "people": len(result.people),
    }


def roles_overview(network_id: int, *, min_group_size: int, wave: NetworkWave | None) -> dict:
    """The self-assessment mix across the network and, for consenting people, the self-view
    beside the network view of the latest closed wave (``network_shown`` false where the
    person did not agree to be named on that wave's map)."""
    invitations = list(
        RolesInvitation.objects.filter(network_id=network_id, completed_at__isnull=False)
        .select_related("person")
        .order_by("pk")
    )
    profiles = {str(r.person_id): score_assessment(r.answers) for r in invitations}
    mix = roles_mix(profiles.values(), min_group_size=min_group_size)
    names = {str(r.person_id): r.person.name for r in invitations}
    network_roles: dict[str, list[str]] = {}
    named: set[str] = set()
    if wave is not None:
        result, _ = analyse(wave)
        # Network roles come from the map, so only people who agreed to be named on it in
        # that wave get theirs by name (sharing a self-assessment is not that consent).
        # Challenger is itself taken from the self-assessment: not part of the network view.
        named = consenting_ids(wave)
        network_roles = {
            p.id: [r for r in p.roles if r != "challenger"] for p in result.people if p.id in named
        }
    rows = self_and_network_view(
        profiles, network_roles, [str(r.person_id) for r in invitations if r.consent]
    )
    for row in rows:
        row["name"] = names[row["id"]]
        row["network_shown"] = row["id"] in named
    return {"mix": mix, "rows": sorted(rows, key=lambda r: r["name"]), "labels": ROLE_LABELS}

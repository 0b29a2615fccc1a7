"""Figures of a network wave, all from :func:`bridgework.analysis.network.analyze_network`.

This module only turns a wave's released answers (:mod:`bridgework.ona.releases`) into
the analysis inputs and the analysis result into what the pages show:
:func:`organisation_level` (for every member, analysts included: group figures only, small
groups suppressed through :mod:`bridgework.analysis.privacy`) and :func:`named_level`
(coordinators only: people who consented, by name, measured on the ties among them). No
figure is computed here; a page, an export and the CLI therefore cannot disagree.
:func:`analyse` keeps each analysis in Django's cache until the next release.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from bridgework.analysis.network import NetworkAnalysis, NetworkOptions, analyze_network
from bridgework.analysis.network_measures import build_tie_graph
from bridgework.analysis.network_roles import ROLE_LABELS, ROLES
from bridgework.analysis.privacy import (
    Figure,
    Total,
    counts_to_hide,
    enough_respondents,
    suppress,
)
from bridgework.analysis.roles_assessment import (
    RolesMix,
    roles_mix,
    score_assessment,
    self_and_network_view,
)
from bridgework.datasets.network_io import validate_nominations
from bridgework.directory.models import Person
from bridgework.ona.models import (
    NetworkWave,
    Relation,
    RolesInvitation,
)
from bridgework.ona.releases import (
    Release,
    consenting_ids,
    people_by_id,
    released,
    released_roles,
)
from bridgework.ona.selectors import OutsideContacts, wave_relations
from bridgework.web.cache import cached, held, reachable

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
#: The same for a network above :func:`inline_people`, whose analysis a job computes: a
#: week, so a map looked at on Monday is still ready on Friday.
LARGE_ANALYSIS_CACHE_SECONDS = 7 * 24 * 60 * 60

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


def _options(rows: list[dict], relation: str | None) -> NetworkOptions:
    # With nobody to analyse (no one agreed to be named yet) there is no organisation column.
    return NetworkOptions(relation=relation, group_by="organisation" if rows else None)


def inline_people() -> int:
    """Largest network (people in the release) whose analysis a page computes while it waits."""
    return int(getattr(settings, "ANALYSIS_INLINE_PEOPLE", 2000))


class AnalysisPendingError(Exception):
    """An analysis a page asked for with ``wait=False`` is not in the cache and the network
    is larger than :func:`inline_people`: the page starts (or joins) the job that computes it
    (:func:`bridgework.ona.analyses.analysis_prepare`) instead of computing it."""


@dataclass(frozen=True)
class _Planned:
    """One analysis: its cache key, how many people it is over, and how to compute it."""

    key: str
    people: int
    compute: Callable[[], NetworkAnalysis]


def _cached(planned: _Planned, *, wait: bool) -> NetworkAnalysis:
    large = planned.people > inline_people()
    # A large network's analysis takes minutes, so it is kept longer: its key still changes
    # with every release, so keeping it never shows a stale figure.
    keep = LARGE_ANALYSIS_CACHE_SECONDS if large else ANALYSIS_CACHE_SECONDS
    # With the shared cache unreachable a job could not keep what it computes, so the page
    # computes it, as it does every cached figure then (bridgework.web.cache).
    if large and not wait and not analysis_ready(planned.key) and reachable():
        raise AnalysisPendingError(planned.key)
    return cached(planned.key, planned.compute, timeout=keep)


def _organisation_planned(
    wave: NetworkWave, release: Release, *, relation: str | None, min_weight: int | None
) -> _Planned:
    return _Planned(
        key=f"networks:analysis:{release.key}:{relation or ''}:{min_weight or 0}",
        people=len(release.rows),
        compute=lambda: analyze_network(
            release.rows,
            release.nominations_at(min_weight),
            _options(release.rows, relation),
            respondents=release.respondents,
        ),
    )


def _named_planned(
    wave: NetworkWave, release: Release, *, relation: str | None, min_weight: int | None
) -> tuple[_Planned, set[str]]:
    # Named as released (so the map moves with the rest), less anyone who has since withdrawn.
    consent = release.consent & consenting_ids(wave)
    sharers = roles_consenting_ids(wave.network_id) & consent
    profiles = {
        str(r.person_id): score_assessment(r.answers)
        for r in RolesInvitation.objects.filter(
            network_id=wave.network_id, completed_at__isnull=False, consent=True
        )
        if str(r.person_id) in sharers
    }
    digest = hashlib.sha256(
        repr(
            (sorted(consent), sorted((pid, sorted(p.primary)) for pid, p in profiles.items()))
        ).encode()
    ).hexdigest()

    def compute() -> NetworkAnalysis:
        rows = [r for r in release.rows if r["id"] in consent]
        return analyze_network(
            rows,
            [
                n
                for n in release.nominations_at(min_weight)
                if n["ego"] in consent and n["alter"] in consent
            ],
            _options(rows, relation),
            respondents=release.respondents & consent,
            self_assessment=profiles or None,
        )

    planned = _Planned(
        key=f"networks:named:{release.key}:{relation or ''}:{min_weight or 0}:{digest}",
        people=len(release.rows),
        compute=compute,
    )
    return planned, consent


def analyse(
    wave: NetworkWave,
    *,
    relation: str | None = None,
    min_weight: int | None = None,
    wait: bool = True,
) -> tuple[NetworkAnalysis, dict]:
    """The analysis of the wave's released answers (one relation, or all merged) and the
    directory by id.

    ``min_weight`` keeps only ties answered at least that strongly (1–5); who counts as a
    respondent does not change, so the response rate is the same at every strength.

    Betweenness and communities take seconds on a large network, and every map view, filter
    and roles page asks again, so the result is kept in Django's cache under the release and
    the filters: a new release makes a new key, never a stale figure. (The wave's creation
    time is in the key too, so a reused id never meets an old entry.) With ``wait=False``
    (a page's call) an analysis of more than :func:`inline_people` people that is not in the
    cache raises :class:`AnalysisPendingError` rather than being computed.
    """
    release = released(wave)
    people = people_by_id(wave)
    planned = _organisation_planned(wave, release, relation=relation, min_weight=min_weight)
    return _cached(planned, wait=wait), people


def analyse_named(
    wave: NetworkWave,
    *,
    relation: str | None = None,
    min_weight: int | None = None,
    wait: bool = True,
) -> tuple[NetworkAnalysis, set[str]]:
    """The analysis of the network of people who agreed to be named (by the release, and
    still), and who they are.

    Measures of named people are computed from the ties among them only: one computed on the
    whole network would carry the answers of people who did not agree (a named person's
    in-degree minus the ties drawn to them is how many of the others named them). Challenger
    comes only from the self-assessments of people who let coordinators see theirs.
    ``wait`` as for :func:`analyse`.
    """
    planned, consent = _named_planned(
        wave, released(wave), relation=relation, min_weight=min_weight
    )
    return _cached(planned, wait=wait), consent


def analysis_keys(
    wave: NetworkWave, *, named: bool, relation: str | None = None, min_weight: int | None = None
) -> list[str]:
    """The cache keys a map page reads (the organisation map's analysis, unless the release
    has frozen figures, which the pages read instead; the named map's adds its own, which has
    no strength filter), from the very functions :func:`analyse` and :func:`analyse_named`
    use, for the wave's current release."""
    release = released(wave)
    keys = []
    if not release.figures:
        keys.append(
            _organisation_planned(wave, release, relation=relation, min_weight=min_weight).key
        )
    if named:
        planned, _ = _named_planned(wave, release, relation=relation, min_weight=None)
        keys.append(planned.key)
    return keys


def analysis_ready(key: str) -> bool:
    """Whether the analysis under ``key`` (one of :func:`analysis_keys`) is in the cache
    (no, while the cache cannot be reached)."""
    return held(key)


def released_people(wave: NetworkWave) -> int:
    """How many people the wave's release holds: what :func:`inline_people` is compared with."""
    return len(released(wave).rows)


def _view_key(relation: str | None, min_weight: int | None) -> str:
    return f"{relation or ''}:{min_weight or 0}"


def _note_json(note: dict[str, Any]) -> dict[str, Any]:
    return {**note, "validity": note["validity"].to_dict()}


def relations(wave: NetworkWave) -> list[tuple[str, str]]:
    """Relations the maps can be filtered by: as frozen when the wave's figures are frozen
    (the answers that brought an imported relation may be gone), else as they stand."""
    frozen = released(wave).figures
    if frozen:
        # The survey's own relations read in the page's language, not the freezer's.
        return [
            (value, Relation(value).label if value in Relation.values else label)
            for value, label in frozen["relations"]
        ]
    return wave_relations(wave)


def organisation_figures(
    wave: NetworkWave,
    *,
    relation: str | None = None,
    min_weight: int | None = None,
    wait: bool = True,
) -> dict[str, Any]:
    """What the organisation-level pages show for these filters: ``org``
    (:func:`organisation_level`) and ``note`` (:func:`validity_note`), from the frozen
    figures when the release has them (:func:`wave_figures`), else computed from the release
    (``wait`` as for :func:`analyse`)."""
    frozen = released(wave).figures
    if frozen:
        views = frozen["views"]
        return views.get(_view_key(relation, min_weight), views[_view_key(None, None)])
    result, _ = analyse(wave, relation=relation, min_weight=min_weight, wait=wait)
    return {
        "org": organisation_level(result, min_group_size=wave.min_group_size_in_force),
        "note": validity_note(result, min_group_size=wave.min_group_size_in_force),
    }


def released_nominations(wave: NetworkWave) -> int | None:
    """How many ties the release holds, shown only over at least the minimum group size of
    respondents (a live count would tell how many colleagues the last person named)."""
    release = released(wave)
    if release.figures:
        return release.figures["nominations"]
    k = wave.min_group_size_in_force
    enough = enough_respondents(len(release.respondents), min_group_size=k)
    return len(release.nominations) if enough else None


def wave_figures(wave: NetworkWave) -> dict[str, Any]:
    """Every organisation-level figure of the wave's pages, for every filter, computed from
    the release: the frozen form :func:`bridgework.ona.freezing.wave_freeze` stores.
    Group figures and counts only — no answer and no person id."""
    k = wave.min_group_size_in_force
    choices = relations(wave)
    views = {}
    for relation in (None, *(value for value, _ in choices)):
        for strength in (None, *STRENGTHS):
            result, _ = analyse(wave, relation=relation, min_weight=strength)
            views[_view_key(relation, strength)] = {
                "org": organisation_level(result, min_group_size=k),
                "note": _note_json(validity_note(result, min_group_size=k)),
            }
    outside = outside_contacts(wave)
    return {
        "relations": [[value, str(label)] for value, label in choices],
        "views": views,
        "outside": {"shown": [list(r) for r in outside.shown], "hidden": outside.hidden},
        "nominations": released_nominations(wave),
    }


def outside_contacts(wave: NetworkWave) -> OutsideContacts:
    """Outside organisations by how many released respondents named them (names compared
    ignoring capitals), most named first; only those named by at least the minimum group
    size are named, and the others are counted only when the release rests on at least that
    many respondents (with fewer, how many organisations they typed is their answer)."""
    release = released(wave)
    if release.figures:
        frozen = release.figures["outside"]
        return OutsideContacts(
            shown=tuple(tuple(r) for r in frozen["shown"]), hidden=frozen["hidden"]
        )
    k = wave.min_group_size_in_force
    namers: dict[str, set[str]] = {}
    spelling: dict[str, str] = {}
    for person_id, name in release.outside:
        key = name.lower()
        namers.setdefault(key, set()).add(person_id)
        spelling[key] = min(spelling.get(key, name), name)
    rows = sorted(((spelling[key], len(ids)) for key, ids in namers.items()),
                  key=lambda r: (-r[1], r[0].lower()))  # fmt: skip
    hidden = sum(1 for r in rows if r[1] < k)
    return OutsideContacts(
        shown=tuple(r for r in rows if r[1] >= k),
        hidden=hidden if len(release.respondents) >= k else None,
    )


_REASON_POOLED = "hidden so that a small number of respondents cannot be worked out"

#: Figures of an organisation's row shown only when the organisation itself is shown.
_ROW_FIGURES = (
    "ties_within",
    "ties_out",
    "ties_in",
    "density_within",
    "ei_index",
    "share_no_outside_tie",
    "isolates",
)


def organisation_level(result: NetworkAnalysis, *, min_group_size: int) -> dict[str, Any]:
    """Group-level figures with organisations under the minimum group size suppressed.

    An organisation's figures and its row of the matrix are shown only when at least the
    minimum group size answered there and its number of respondents is shown, which
    :func:`~bridgework.analysis.privacy.counts_to_hide` decides (for every reader: with a
    handful of people, it says who answered). Network-wide figures (role counts, isolates,
    components) are shown only over at least the minimum group size of respondents, and the
    network's isolates only when the hidden organisations' isolates cannot be worked out from
    them by subtraction. Challenger is not counted here: it comes from the self-assessment,
    whose mix has a page of its own.
    """
    data = result.group_level()
    groups = data["groups"]
    k = min_group_size
    total_respondents = result.validity.respondents
    shown: dict[str, bool] = {}
    all_summary = (groups or {}).get("summary", [])
    hidden_counts = counts_to_hide(
        {s["name"]: s["respondents"] for s in all_summary},
        min_group_size=k,
        sizes={s["name"]: s["size"] for s in all_summary},
    )
    if groups is not None:
        # An organisation whose count is hidden has its figures hidden too: figures shown
        # would say that at least the minimum answered there, and so narrow down the rest.
        figures = [
            Figure(
                s["name"],
                s["respondents"],
                {"size": s["size"]},
                hidden=_REASON_POOLED if s["name"] in hidden_counts else None,
            )
            for s in all_summary
        ]
        check = suppress(figures, min_group_size=k)
        shown = {name: check.visible(name) for name in groups["names"]}
    names = groups["names"] if groups else []
    summary = []
    for s in all_summary:
        row = dict(s, visible=shown.get(s["name"], False))
        if s["name"] in hidden_counts:
            row["respondents"] = row["response_rate"] = None
        if not row["visible"]:
            row.update(dict.fromkeys(_ROW_FIGURES))
        summary.append(row)
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
    enough = total_respondents >= k
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
                "count": roles["counts"][d["role"]] if enough else None,
            }
            for d in roles["definitions"]
            if d["role"] != "challenger"
        ],
        "network": _network_figures(result, all_summary, shown, k),
        "suppressed": sorted(n for n, v in shown.items() if not v),
    }


def _network_figures(
    result: NetworkAnalysis, summary: list[dict], shown: dict[str, bool], k: int
) -> dict[str, int | None]:
    """Network-wide isolates and components, hidden over too few respondents; isolates also
    when the hidden organisations' (and the ungrouped people's) could be derived from them."""
    total = result.validity.respondents
    if total < k:
        return {"isolates": None, "components": None}
    grouped = sum(s["respondents"] for s in summary)
    figures = [Figure(("org", s["name"]), s["respondents"]) for s in summary]
    figures.append(Figure(("org", None), total - grouped))
    figures.append(Figure("network", total, {"isolates": result.summary.isolates}))
    # Parts not shown on their own (hidden organisations, people with none) count as hidden.
    figures = [
        f if f.key == "network" or shown.get(f.key[1], False)
        else Figure(f.key, f.count, hidden="not shown")
        for f in figures
    ]  # fmt: skip
    total_figure = Total("network", tuple(f.key for f in figures[:-1]), keep_parts=True)
    check = suppress(figures, [total_figure], min_group_size=k)
    return {
        "isolates": result.summary.isolates if check.visible("network") else None,
        "components": result.summary.components,
    }


def roles_consenting_ids(network_id: int) -> set[str]:
    """People who let coordinators see their self-assessment beside the network view."""
    return {
        str(pk)
        for pk in RolesInvitation.objects.filter(
            network_id=network_id, consent=True, completed_at__isnull=False
        ).values_list("person_id", flat=True)
    }


def validity_note(result: NetworkAnalysis, *, min_group_size: int) -> dict[str, Any]:
    """The response rate, its warning (the analysis's own words) and the measures that are
    and are not robust to missing answers, in plain names.

    The analysis's other warnings ("no nominations have the relation 'trust'", "no 'energy'
    ratings", "everyone in a community of their own") describe the answers: over fewer than
    the minimum group size of respondents they describe those few people's answers (the
    first person to answer would be seen to have named no one they trust), so they are left
    out until enough people have answered (:func:`~bridgework.analysis.privacy.enough_respondents`).
    """
    validity = result.validity
    rate_warning = next(
        (w for w in result.warnings if not validity.reliable and "people responded" in w), None
    )
    warnings = [w for w in result.warnings if w != rate_warning]
    if not enough_respondents(validity.respondents, min_group_size=min_group_size):
        warnings = []
    return {
        "validity": validity,
        "percent": None if validity.response_rate is None else round(100 * validity.response_rate),
        "threshold": round(100 * validity.threshold),
        "rate_warning": rate_warning,
        "warnings": warnings,
        "robust": [MEASURE_LABELS.get(m, m) for m in validity.robust_measures],
        "sensitive": [MEASURE_LABELS.get(m, m) for m in validity.sensitive_measures],
    }


def _named_edges(
    wave: NetworkWave, result: NetworkAnalysis, consent: set[str], min_weight: int | None
) -> list[dict[str, Any]]:
    """Ties between consenting people in the released answers, merged across relations
    exactly as the analysis merges them (one tie per ordered pair).

    No weight: a tie's weight is one person's answer about another ("A trusts B at 1"), and
    consenting to be named is not consenting to that. ``min_weight`` only chooses the ties."""
    relation = result.options.relation
    noms = [
        n
        for n in released(wave).nominations_at(min_weight)
        if n["ego"] in consent
        and n["alter"] in consent
        and (not relation or n["relation"] == relation)
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
    people: dict[str, Person],
    *,
    relation: str | None = None,
    min_weight: int | None = None,
    wait: bool = True,
) -> dict[str, Any]:
    """The named map and lists, for coordinators: consenting people only, with measures
    computed from the ties among them (:func:`analyse_named`), so nothing on it rests on the
    answers of anyone who did not agree to be named.

    Challenger comes from the roles self-assessment, so a person is named as one only when
    they also let coordinators see their self-assessment. ``wait`` as for :func:`analyse`.
    """
    result, consent = analyse_named(wave, relation=relation, min_weight=min_weight, wait=wait)

    def name(person_id: str) -> str:
        person = people.get(person_id)
        return person.name if person is not None else "(no longer in the directory)"

    measures = list(result.people)
    nodes = [
        {
            "data": {
                "id": f"p{p.id}",
                "label": name(p.id),
                "group": p.group or "",
                "in_degree": p.in_degree,
                "out_degree": p.out_degree,
                "betweenness": round(p.betweenness, 1),
                "brokerage": p.brokerage["total"],
                "broker": "broker" in p.roles,
                "roles": [ROLE_LABELS[r] for r in p.roles],
            }
        }
        for p in measures
    ]
    edges = _named_edges(wave, result, consent, min_weight) if measures else []
    holders = result.role_holders()
    roles = [
        {
            "role": role,
            "label": ROLE_LABELS[role],
            "explanation": d["explanation"],
            "named": sorted(name(i) for i in holders[role]),
        }
        for role, d in zip(ROLES, result.roles_dict()["definitions"], strict=True)
    ]
    weaving = [
        {
            "a": name(w.a),
            "b": name(w.b),
            "group_a": w.group_a,
            "group_b": w.group_b,
            "shared": w.shared_contacts,
        }
        for w in result.weaving
    ]
    isolates = sorted(name(p.id) for p in measures if p.isolate)
    return {
        "result": result,
        "nodes": nodes,
        "edges": edges,
        "table": sorted(
            (dict(n["data"], name=n["data"]["label"]) for n in nodes), key=lambda r: r["name"]
        ),
        "roles": roles,
        "weaving": weaving[:20],
        "isolates": isolates,
        "consenting": len(consent),
        "people": len(released(wave).rows),
    }


def released_mix(network_id: int, *, min_group_size: int) -> RolesMix:
    """The self-assessment mix as last released: frozen when an erasure or retention froze it
    (until the next release), else computed from the released self-assessments."""
    row = released_roles(network_id, min_group_size=min_group_size)
    if row.figures:
        return RolesMix(**row.figures["mix"])
    return roles_mix(
        [score_assessment(answers) for answers in row.answers.values()],
        min_group_size=min_group_size,
    )


def roles_overview(
    network_id: int, *, min_group_size: int, wave: NetworkWave | None, wait: bool = True
) -> dict:
    """The self-assessment mix across the network and, for consenting people, the self-view
    beside the network view of the latest closed wave (``network_shown`` false where the
    person did not agree to be named on that wave's map; ``wait`` as for :func:`analyse`)."""
    invitations = list(
        RolesInvitation.objects.filter(network_id=network_id, completed_at__isnull=False)
        .select_related("person")
        .order_by("pk")
    )
    profiles = {str(r.person_id): score_assessment(r.answers) for r in invitations}
    mix = released_mix(network_id, min_group_size=min_group_size)
    names = {str(r.person_id): r.person.name for r in invitations}
    network_roles: dict[str, list[str]] = {}
    named: set[str] = set()
    if wave is not None:
        # Network roles come from the named map, so only people who agreed to be named on it
        # in that wave get theirs (sharing a self-assessment is not that consent), computed
        # as there from the ties among them. Challenger is itself taken from the
        # self-assessment: not part of the network view.
        result, named = analyse_named(wave, wait=wait)
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

"""Network mapping: who works with whom, brokers and connectors, and where to weave new ties.

:func:`analyze_network` is the one entry point the web app, the exports, the API and the
``bridgework network analyze`` command call. It takes the directory (people and their
attributes) and the nominations of a network survey, and returns a frozen
:class:`NetworkAnalysis` whose :meth:`~NetworkAnalysis.to_dict` is the JSON contract
(``schemas/network-analysis.schema.json``) and whose :meth:`~NetworkAnalysis.group_level` holds
only group-level figures — no person ids or names — for analysts and shared reports.

The measures live in modules named for their concept: :mod:`.network_measures` (graph and
per-person structure), :mod:`.brokerage` (Gould–Fernandez), :mod:`.network_groups` (group
density and E-I), :mod:`.network_roles` (the role rules) and :mod:`.weaving` (introductions).
How each figure is computed, and why, is in ``docs/methods/network.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from bridgework.analysis.brokerage import BROKERAGE_ROLES, brokerage_counts
from bridgework.analysis.network_groups import group_structure
from bridgework.analysis.network_input import validate_nominations, validate_people
from bridgework.analysis.network_measures import (
    betweenness,
    build_tie_graph,
    constraint,
    effective_size,
    ei_index,
    group_codes,
    k_core,
    leiden_communities,
    local_clustering,
    weak_components,
)
from bridgework.analysis.network_result import (
    GROUP_ATTRIBUTES,
    ROBUST_MEASURES,
    SENSITIVE_MEASURES,
    NetworkAnalysis,
    NetworkOptions,
    NetworkSummary,
    PersonMeasures,
    Validity,
)
from bridgework.analysis.network_roles import ROLES, RoleInputs, RoleRules, assign_roles
from bridgework.analysis.roles_assessment import RoleProfile
from bridgework.analysis.weaving import WeavingOpportunity, weaving_opportunities
from bridgework.problems import DatasetError, Problem

__all__ = [
    "GROUP_ATTRIBUTES",
    "ROBUST_MEASURES",
    "SENSITIVE_MEASURES",
    "NetworkAnalysis",
    "NetworkOptions",
    "NetworkSummary",
    "PersonMeasures",
    "RoleRules",
    "Validity",
    "analyze_network",
]


def _none_if_nan(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def analyze_network(
    people: pd.DataFrame | Iterable[Mapping[str, Any]],
    nominations: pd.DataFrame | Iterable[Mapping[str, Any]],
    options: NetworkOptions | None = None,
    *,
    respondents: Iterable[str] | None = None,
    self_assessment: Mapping[str, RoleProfile] | None = None,
) -> NetworkAnalysis:
    """Analyse a network survey: per-person measures, groups, roles and weaving.

    Parameters
    ----------
    people : DataFrame or iterable of mappings
        The directory: ``id`` plus attribute columns (``organisation``, ``team`` …) and
        optionally ``responded`` (yes/no).
    nominations : DataFrame or iterable of mappings
        ``ego``, ``alter`` (person ids), optionally ``relation`` and ``weight``.
    options : NetworkOptions, optional
    respondents : iterable of str, optional
        Ids of people who answered. Otherwise the ``responded`` column, otherwise everyone
        who nominated someone.
    self_assessment : mapping of person id to RoleProfile, optional
        Self-assessment profiles; people whose primary roles include Challenger get it.

    Returns
    -------
    NetworkAnalysis

    Raises
    ------
    DatasetError
        Invalid people or nominations (every problem listed), or ``group_by``/E-I attribute
        not a people column.

    Examples
    --------
    >>> people = [{"id": p, "organisation": o} for p, o in zip("abcd", "XXYY")]
    >>> noms = [{"ego": "a", "alter": "b"}, {"ego": "b", "alter": "c"},
    ...         {"ego": "c", "alter": "d"}]
    >>> result = analyze_network(people, noms)
    >>> [p.brokerage["total"] for p in result.people], result.people[1].betweenness
    ([0, 1, 1, 0], 2.0)

    Notes
    -----
    Dominated by betweenness, O(n·m) for n people and m ties; brokerage and weaving are
    O(Σ degree²). 10,000 people with 100,000 nominations take a few seconds.
    """
    options = options or NetworkOptions()
    people_frame = validate_people(people)
    ids = people_frame["id"].tolist()
    noms = validate_nominations(nominations, ids)
    missing = [
        name
        for name in (options.group_by, *(options.ei_attributes or ()))
        if name is not None and name not in people_frame.columns
    ]
    if missing:
        raise DatasetError(
            Problem(1, name, "no such column in the people file") for name in dict.fromkeys(missing)
        )
    warnings: list[str] = []
    graph = build_tie_graph(ids, noms, relation=options.relation)
    n = graph.n
    if options.relation is not None and graph.m == 0:
        warnings.append(f"No nominations have the relation {options.relation!r}.")

    if respondents is not None:
        respondent = np.isin(np.asarray(ids, dtype=object), list(respondents))
    elif "responded" in people_frame.columns:
        respondent = people_frame["responded"].to_numpy(dtype=bool)
    else:
        respondent = np.isin(np.asarray(ids, dtype=object), noms["ego"].unique())
    rate = float(respondent.mean()) if n else None
    reliable = rate is not None and rate >= options.response_rate_threshold
    if rate is not None and not reliable:
        warnings.append(
            f"Only {rate:.0%} of people responded (under "
            f"{options.response_rate_threshold:.0%}): people-level figures such as betweenness, "
            "brokerage, constraint and roles are unreliable. Nominations received (in-degree) "
            "and group-level figures are more robust to missing answers."
        )

    if options.group_by is not None:
        values = people_frame[options.group_by].tolist()
        codes, names = group_codes(values)
        blank = int((codes < 0).sum())
        if blank:
            warnings.append(
                f"{blank} people have no {options.group_by}; they are left out of brokerage, "
                "group figures and weaving."
            )
    else:
        codes, names = np.zeros(n, dtype=np.int64), ()

    in_degree = np.bincount(graph.target, minlength=n)
    out_degree = np.bincount(graph.source, minlength=n)
    in_strength = np.bincount(graph.target, weights=graph.weight, minlength=n)
    out_strength = np.bincount(graph.source, weights=graph.weight, minlength=n)
    between = betweenness(graph)
    burt_constraint = constraint(graph)
    burt_size = effective_size(graph)
    clustering = local_clustering(graph)
    cores = k_core(graph)
    communities = leiden_communities(
        graph, resolution=options.leiden_resolution, seed=options.leiden_seed
    )
    if communities.singletons_only:
        warnings.append(
            "Community detection put everyone in a community of their own; communities and "
            "the Connector role are not meaningful for this network."
        )
    components = weak_components(graph)
    contacts = graph.contact_counts

    ei_attributes = options.ei_attributes
    if ei_attributes is None:
        ei_attributes = tuple(
            dict.fromkeys(
                a
                for a in (options.group_by, *GROUP_ATTRIBUTES)
                if a is not None and a in people_frame.columns
            )
        )
    ei_values = {
        attribute: ei_index(graph, group_codes(people_frame[attribute].tolist())[0])
        for attribute in ei_attributes
    }
    if options.group_by is not None:
        broker_counts = brokerage_counts(n, graph.source, graph.target, codes).counts
    else:
        broker_counts = np.zeros((n, len(BROKERAGE_ROLES)), dtype=np.int64)

    energy = noms.loc[noms["relation"] == options.role_rules.energiser_relation.casefold()]
    energy_index = pd.Index(ids).get_indexer(energy["alter"])
    energy_ratings = np.bincount(energy_index, minlength=n)
    energy_total = np.bincount(energy_index, weights=energy["weight"].to_numpy(), minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        energy_mean = energy_total / energy_ratings
    if energy.empty:
        warnings.append(
            f"No {options.role_rules.energiser_relation!r} ratings, so no one can be identified "
            "as an Energiser."
        )

    # Inputs to the role rules that are not measures in their own right.
    member = communities.membership
    same_community = (member[graph.source] == member[graph.target]) & (member[graph.source] >= 0)
    in_community = np.bincount(graph.target[same_community], minlength=n)
    outside_groups = _outside_groups(graph.pairs, codes, len(names))
    challenger = np.zeros(n, dtype=bool)
    if self_assessment:
        challenger = np.array(
            [i in self_assessment and "challenger" in self_assessment[i].primary for i in ids]
        )
    role_masks = assign_roles(
        RoleInputs(
            brokerage=broker_counts.sum(axis=1),
            betweenness=between,
            constraint=burt_constraint,
            outside_groups=outside_groups if options.group_by is not None else np.zeros(n, int),
            community=member,
            in_degree_in_community=in_community,
            clustering=clustering,
            contacts=contacts,
            energy_ratings=energy_ratings,
            energy_mean=energy_mean,
            challenger=challenger,
        ),
        options.role_rules,
    )

    group_result = None
    weaving: tuple[WeavingOpportunity, ...] = ()
    if options.group_by is not None:
        group_result = group_structure(
            graph, codes, names, attribute=options.group_by, respondent=respondent
        )
        weaving = weaving_opportunities(
            graph,
            codes,
            names,
            limit=options.weaving_limit,
            min_shared=options.weaving_min_shared,
        )

    people_out = []
    for i, person in enumerate(ids):
        row = broker_counts[i]
        people_out.append(
            PersonMeasures(
                id=person,
                group=names[codes[i]] if options.group_by is not None and codes[i] >= 0 else None,
                respondent=bool(respondent[i]),
                in_degree=int(in_degree[i]),
                out_degree=int(out_degree[i]),
                in_strength=float(in_strength[i]),
                out_strength=float(out_strength[i]),
                betweenness=float(between[i]),
                constraint=_none_if_nan(burt_constraint[i]),
                effective_size=_none_if_nan(burt_size[i]),
                clustering=float(clustering[i]),
                k_core=int(cores[i]),
                community=int(member[i]) if member[i] >= 0 else None,
                component=int(components[i]),
                isolate=bool(contacts[i] == 0),
                ei_index={a: _none_if_nan(values[i]) for a, values in ei_values.items()},
                brokerage={
                    **{role: int(row[r]) for r, role in enumerate(BROKERAGE_ROLES)},
                    "total": int(row.sum()),
                },
                energy_ratings=int(energy_ratings[i]),
                energy_mean=_none_if_nan(energy_mean[i]) if energy_ratings[i] else None,
                roles=tuple(role for role in ROLES if role_masks[role][i]),
            )
        )

    component_sizes = np.bincount(components) if n else np.array([0])
    mutual = _reciprocated(graph.source, graph.target, n)
    summary = NetworkSummary(
        people=n,
        ties=graph.m,
        density=graph.m / (n * (n - 1)) if n > 1 else None,
        reciprocity=mutual / graph.m if graph.m else None,
        components=int(components.max(initial=-1) + 1),
        largest_component=int(component_sizes.max()),
        isolates=int((contacts == 0).sum()),
        communities=communities.count,
        modularity=_none_if_nan(communities.modularity),
    )
    validity = Validity(
        people=n,
        respondents=int(respondent.sum()),
        response_rate=rate,
        threshold=options.response_rate_threshold,
        reliable=reliable,
    )
    return NetworkAnalysis(
        options=options,
        summary=summary,
        validity=validity,
        people=tuple(people_out),
        groups=group_result,
        weaving=weaving,
        warnings=tuple(warnings),
    )


def _outside_groups(
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray], codes: np.ndarray, k: int
) -> np.ndarray:
    """Per person, how many groups other than their own their contacts belong to."""
    u, v, _ = pairs
    n = codes.size
    # One key per (person, group of a contact); +1 so "no group" (-1) encodes as 0.
    keys = np.unique(np.r_[u * (k + 1) + codes[v] + 1, v * (k + 1) + codes[u] + 1])
    owner, contact_group = keys // (k + 1), keys % (k + 1) - 1
    valid = (codes[owner] >= 0) & (contact_group >= 0) & (contact_group != codes[owner])
    return np.bincount(owner[valid], minlength=n)


def _reciprocated(source: np.ndarray, target: np.ndarray, n: int) -> int:
    """Number of arcs whose reverse arc is also present."""
    keys = np.sort(source * n + target)
    reverse = target * n + source
    position = np.searchsorted(keys, reverse).clip(max=max(keys.size - 1, 0))
    return int((keys[position] == reverse).sum()) if keys.size else 0

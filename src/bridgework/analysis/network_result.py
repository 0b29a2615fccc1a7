"""Options and frozen result types of :func:`bridgework.analysis.network.analyze_network`.

The result's :meth:`NetworkAnalysis.to_dict` is the JSON contract of ``bridgework network
analyze`` (``schemas/network-analysis.schema.json``); :meth:`NetworkAnalysis.group_level` is the
part without person ids, for analysts and shared reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bridgework.analysis.network_groups import GroupStructure
from bridgework.analysis.network_roles import ROLE_LABELS, ROLES, RoleRules, explain_role
from bridgework.analysis.weaving import WeavingOpportunity

__all__ = [
    "GROUP_ATTRIBUTES",
    "ROBUST_MEASURES",
    "SENSITIVE_MEASURES",
    "NetworkAnalysis",
    "NetworkOptions",
    "NetworkSummary",
    "PersonMeasures",
    "Validity",
]

#: Attributes whose E-I index is reported per person when present (besides ``group_by``).
GROUP_ATTRIBUTES = ("organisation", "team", "workgroup")

#: Measures that stay close to the truth when some people did not answer (Costenbader &
#: Valente 2003; Borgatti, Carley & Krackhardt 2006): they rest on nominations *received*,
#: which non-respondents still get.
ROBUST_MEASURES = ("in_degree", "in_strength", "group density")

#: Measures that depend on paths or on a person's own answers, and so degrade quickly.
SENSITIVE_MEASURES = (
    "out_degree",
    "out_strength",
    "betweenness",
    "brokerage",
    "constraint",
    "effective_size",
    "clustering",
    "k_core",
    "community",
    "roles",
)


@dataclass(frozen=True)
class NetworkOptions:
    """Choices for :func:`analyze_network`; every default is documented in the methods note.

    Attributes
    ----------
    relation : str or None
        Analyse one relation (``works_with``, ``trust``, ``ideas`` …); ``None`` merges all.
    group_by : str or None
        People attribute defining groups for brokerage, group figures and weaving.
    ei_attributes : tuple of str or None
        Attributes for the per-person E-I index; ``None`` = ``group_by`` plus any of
        organisation, team and workgroup present.
    leiden_resolution, leiden_seed : float, int
        Leiden modularity resolution and random seed (same data, same communities).
    weaving_limit, weaving_min_shared : int
        How many introductions to suggest and the fewest shared contacts for one.
    response_rate_threshold : float
        Under this response rate a warning says people-level figures are unreliable.
    role_rules : RoleRules
        Thresholds of the role rules.
    """

    relation: str | None = None
    group_by: str | None = "organisation"
    ei_attributes: tuple[str, ...] | None = None
    leiden_resolution: float = 1.0
    leiden_seed: int = 0
    weaving_limit: int = 50
    weaving_min_shared: int = 1
    response_rate_threshold: float = 0.70
    role_rules: RoleRules = field(default_factory=RoleRules)


@dataclass(frozen=True)
class PersonMeasures:
    """Every per-person measure of one person (see the methods note for each)."""

    id: str
    group: str | None
    respondent: bool
    in_degree: int
    out_degree: int
    in_strength: float
    out_strength: float
    betweenness: float
    constraint: float | None
    effective_size: float | None
    clustering: float
    k_core: int
    community: int | None
    component: int
    isolate: bool
    ei_index: Mapping[str, float | None]
    brokerage: Mapping[str, int]
    energy_ratings: int
    energy_mean: float | None
    roles: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (a ``people`` item of the analysis contract)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["ei_index"] = dict(self.ei_index)
        data["brokerage"] = dict(self.brokerage)
        data["roles"] = list(self.roles)
        return data


@dataclass(frozen=True)
class NetworkSummary:
    """Whole-network figures: size, ties, density, reciprocity, components, communities."""

    people: int
    ties: int
    density: float | None
    reciprocity: float | None
    components: int
    largest_component: int
    isolates: int
    communities: int
    modularity: float | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Validity:
    """Who answered, and what that means for trusting the figures."""

    people: int
    respondents: int
    response_rate: float | None
    threshold: float
    reliable: bool
    robust_measures: tuple[str, ...] = ROBUST_MEASURES
    sensitive_measures: tuple[str, ...] = SENSITIVE_MEASURES

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        data = dict(self.__dict__)
        data["robust_measures"] = list(self.robust_measures)
        data["sensitive_measures"] = list(self.sensitive_measures)
        return data


@dataclass(frozen=True)
class NetworkAnalysis:
    """The result of :func:`analyze_network`. Frozen; ``to_dict()`` is the JSON contract."""

    options: NetworkOptions
    summary: NetworkSummary
    validity: Validity
    people: tuple[PersonMeasures, ...]
    groups: GroupStructure | None
    weaving: tuple[WeavingOpportunity, ...]
    warnings: tuple[str, ...]

    def role_holders(self) -> dict[str, list[str]]:
        """Person ids holding each role."""
        return {role: [p.id for p in self.people if role in p.roles] for role in ROLES}

    def roles_dict(self) -> dict[str, Any]:
        """The ``roles`` object: rules, plain explanations, counts and holders."""
        rules = self.options.role_rules
        holders = self.role_holders()
        return {
            "rules": rules.to_dict(),
            "definitions": [
                {"role": role, "label": ROLE_LABELS[role], "explanation": explain_role(role, rules)}
                for role in ROLES
            ],
            "counts": {role: len(ids) for role, ids in holders.items()},
            "holders": holders,
        }

    def to_dict(self) -> dict[str, Any]:
        """The full JSON contract, with person ids (for coordinators and the CLI)."""
        return {
            "relation": self.options.relation,
            "group_by": self.options.group_by,
            "network": self.summary.to_dict(),
            "validity": self.validity.to_dict(),
            "people": [p.to_dict() for p in self.people],
            "groups": None if self.groups is None else self.groups.to_dict(),
            "roles": self.roles_dict(),
            "weaving": [w.to_dict() for w in self.weaving],
            "warnings": list(self.warnings),
        }

    def group_level(self) -> dict[str, Any]:
        """Group-level figures only — no person ids or names — for analysts and shared reports.

        Holds the network summary, validity, the group structure, role counts overall and by
        group, and the warnings. Small groups still need the privacy pass before display.
        """
        roles = self.roles_dict()
        by_group: dict[str, dict[str, int]] = {}
        if self.groups is not None:
            by_group = {name: dict.fromkeys(ROLES, 0) for name in self.groups.names}
            for person in self.people:
                if person.group is not None:
                    for role in person.roles:
                        by_group[person.group][role] += 1
        return {
            "relation": self.options.relation,
            "group_by": self.options.group_by,
            "network": self.summary.to_dict(),
            "validity": self.validity.to_dict(),
            "groups": None if self.groups is None else self.groups.to_dict(),
            "roles": {
                "rules": roles["rules"],
                "definitions": roles["definitions"],
                "counts": roles["counts"],
                "by_group": by_group,
            },
            "warnings": list(self.warnings),
        }

    def people_frame(self) -> pd.DataFrame:
        """Per-person measures as a flat DataFrame (brokerage and E-I spread into columns)."""
        rows = []
        for person in self.people:
            row = person.to_dict()
            row.pop("roles")
            for role, count in row.pop("brokerage").items():
                row[f"brokerage_{role}"] = count
            for attribute, value in row.pop("ei_index").items():
                row[f"ei_{attribute}"] = value
            row["roles"] = ", ".join(person.roles)
            rows.append(row)
        return pd.DataFrame(rows)

"""Group-level structure: how organisations, teams or workgroups are tied to one another.

Everything here is about groups, never named people, so it can go into shared reports and to
analysts: a matrix of tie density within and between groups, each group's E-I index, the share
of its people with no tie outside it, and its isolates. Each figure carries the group's size
and respondents so a privacy pass can suppress small groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bridgework.analysis.network_measures import TieGraph, contact_split

__all__ = ["GroupStructure", "GroupSummary", "group_structure"]


@dataclass(frozen=True)
class GroupSummary:
    """One group's figures.

    ``ties_within`` counts directed ties between two members; ``ties_out``/``ties_in`` directed
    ties leaving/entering the group. ``density_within`` is ``ties_within / (size·(size−1))``
    (``None`` under two people). ``ei_index`` is Krackhardt & Stern's group E-I over contacts
    (pairs tied in either direction): ``(E − I)/(E + I)``.
    """

    name: str
    size: int
    respondents: int
    ties_within: int
    ties_out: int
    ties_in: int
    density_within: float | None
    ei_index: float | None
    share_no_outside_tie: float | None
    isolates: int

    @property
    def response_rate(self) -> float | None:
        """Respondents as a share of the group's people."""
        return self.respondents / self.size if self.size else None

    def to_dict(self) -> dict[str, object]:
        """The JSON form (the ``groups.summary`` items of the analysis contract)."""
        return {
            "name": self.name,
            "size": self.size,
            "respondents": self.respondents,
            "response_rate": self.response_rate,
            "ties_within": self.ties_within,
            "ties_out": self.ties_out,
            "ties_in": self.ties_in,
            "density_within": self.density_within,
            "ei_index": self.ei_index,
            "share_no_outside_tie": self.share_no_outside_tie,
            "isolates": self.isolates,
        }


@dataclass(frozen=True)
class GroupStructure:
    """Groups of one attribute and the ties among them.

    ``ties[g][h]`` counts directed ties from a member of group g to a member of group h;
    ``density[g][h]`` divides it by the possible ties (``n_g·n_h``, or ``n_g·(n_g−1)`` on the
    diagonal), ``None`` where none are possible. ``ungrouped`` counts people with no value.
    """

    attribute: str
    names: tuple[str, ...]
    summaries: tuple[GroupSummary, ...]
    ties: tuple[tuple[int, ...], ...]
    density: tuple[tuple[float | None, ...], ...]
    ungrouped: int

    def to_dict(self) -> dict[str, object]:
        """The JSON form (the ``groups`` object of the analysis contract)."""
        return {
            "attribute": self.attribute,
            "names": list(self.names),
            "summary": [s.to_dict() for s in self.summaries],
            "ties": [list(row) for row in self.ties],
            "density": [list(row) for row in self.density],
            "ungrouped": self.ungrouped,
        }


def _ratio(numerator: float, denominator: float) -> float | None:
    return float(numerator / denominator) if denominator else None


def group_structure(
    graph: TieGraph,
    codes: np.ndarray,
    names: tuple[str, ...],
    *,
    attribute: str,
    respondent: np.ndarray,
) -> GroupStructure:
    """Density matrix, E-I, outside ties and isolates for each group of an attribute.

    Parameters
    ----------
    graph : TieGraph
    codes : ndarray of int
        Group of each person (``-1`` for none), as from ``group_codes``.
    names : tuple of str
        Group names, indexed by code.
    attribute : str
        Name of the attribute (``organisation``), recorded in the result.
    respondent : ndarray of bool
        Who answered the survey.

    Returns
    -------
    GroupStructure

    Examples
    --------
    >>> import pandas as pd
    >>> from bridgework.analysis.network_measures import build_tie_graph
    >>> noms = pd.DataFrame({"ego": ["a", "b"], "alter": ["b", "c"],
    ...                      "relation": ["x", "x"], "weight": [1.0, 1.0]})
    >>> graph = build_tie_graph("abc", noms)
    >>> result = group_structure(graph, np.array([0, 0, 1]), ("Care", "Health"),
    ...                          attribute="organisation", respondent=np.ones(3, bool))
    >>> result.ties, result.summaries[0].ei_index
    (((1, 1), (0, 0)), 0.0)

    Notes
    -----
    O(n + m + k²) for k groups.

    References
    ----------
    Krackhardt, D., & Stern, R. N. (1988). Informal networks and organizational crises: an
    experimental simulation. *Social Psychology Quarterly*, 51(2), 123–140.
    """
    k = len(names)
    respondent = np.asarray(respondent, dtype=bool)
    sizes = np.bincount(codes[codes >= 0], minlength=k)
    answered = np.bincount(codes[(codes >= 0) & respondent], minlength=k)
    cs, ct = codes[graph.source], codes[graph.target]
    known = (cs >= 0) & (ct >= 0)
    ties = np.bincount(cs[known] * k + ct[known], minlength=k * k).reshape(k, k)

    u, v, _ = graph.pairs
    cu, cv = codes[u], codes[v]
    both = (cu >= 0) & (cv >= 0)
    same = both & (cu == cv)
    pairs_inside = np.bincount(cu[same], minlength=k)
    cross = both & ~same
    pairs_outside = np.bincount(cu[cross], minlength=k) + np.bincount(cv[cross], minlength=k)

    _, outside = contact_split(graph, codes)
    grouped = codes >= 0
    no_outside = np.bincount(codes[grouped & (outside == 0)], minlength=k)
    isolates = np.bincount(codes[grouped & (graph.contact_counts == 0)], minlength=k)

    summaries = []
    density_rows = []
    for g, name in enumerate(names):
        size = int(sizes[g])
        possible = sizes[g] * sizes - np.where(np.arange(k) == g, sizes[g], 0)
        density_rows.append(tuple(_ratio(ties[g, h], possible[h]) for h in range(k)))
        ties_within = int(ties[g, g])
        summaries.append(
            GroupSummary(
                name=name,
                size=size,
                respondents=int(answered[g]),
                ties_within=ties_within,
                ties_out=int(ties[g].sum() - ties_within),
                ties_in=int(ties[:, g].sum() - ties_within),
                density_within=_ratio(ties_within, size * (size - 1)),
                ei_index=_ratio(
                    pairs_outside[g] - pairs_inside[g], pairs_outside[g] + pairs_inside[g]
                ),
                share_no_outside_tie=_ratio(no_outside[g], size),
                isolates=int(isolates[g]),
            )
        )
    return GroupStructure(
        attribute=attribute,
        names=names,
        summaries=tuple(summaries),
        ties=tuple(tuple(int(x) for x in row) for row in ties),
        density=tuple(density_rows),
        ungrouped=int((codes < 0).sum()),
    )

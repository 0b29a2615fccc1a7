"""Result objects of an RC analysis and their JSON contract.

Everything here is already through the privacy pass: a suppressed figure carries ``None``
values, so a caller holding an :class:`RCAnalysis` cannot reach an unsuppressed number. The
``to_dict()`` methods produce exactly the JSON documented in ``docs/cli/rc.md`` and
``bridgework/schemas/rc-analysis.schema.json`` (floats rounded to :data:`DECIMALS` places).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bridgework.analysis.reported import ReportedEstimate, reported_icc
from bridgework.analysis.stats import OneWayAnova

__all__ = [
    "DECIMALS",
    "Cell",
    "Overall",
    "RCAnalysis",
    "ReciprocityGap",
    "Reliability",
    "WorkgroupSummary",
    "rounded",
]

#: Decimal places of figures in JSON output.
DECIMALS = 4


def rounded(value: float | None) -> float | None:
    """``value`` rounded to :data:`DECIMALS`, ``None`` for missing or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), DECIMALS)


@dataclass(frozen=True)
class Cell:
    """Directed rater workgroup → target workgroup figure of the RC matrix."""

    rater: str
    target: str
    n: int | None
    rc: float | None
    ci: tuple[float, float] | None
    band: str | None
    suppressed: bool
    reason: str | None
    dimensions: Mapping[str, float | None] | None
    communication: float | None
    relationship: float | None
    #: Answers behind each dimension mean (a respondent may skip some items).
    dimension_n: Mapping[str, int] | None = None
    #: Dimension or subscale means hidden in a shown cell, with the reason.
    hidden_parts: Mapping[str, str] = field(default_factory=dict)
    #: Date the values date from, when published earlier than the page (live results).
    as_of: str | None = None

    @property
    def within(self) -> bool:
        """Whether raters rate their own workgroup (a diagonal cell)."""
        return self.rater == self.target

    def to_dict(self) -> dict[str, Any]:
        return {
            "rater": self.rater,
            "target": self.target,
            "n": self.n,
            "rc": rounded(self.rc),
            "ci": None if self.ci is None else [rounded(self.ci[0]), rounded(self.ci[1])],
            "band": self.band,
            "suppressed": self.suppressed,
            "reason": self.reason,
            "dimensions": None
            if self.dimensions is None
            else {key: rounded(value) for key, value in self.dimensions.items()},
            "communication": rounded(self.communication),
            "relationship": rounded(self.relationship),
            "dimension_n": None if self.dimension_n is None else dict(self.dimension_n),
            "hidden_parts": dict(self.hidden_parts),
            **({"as_of": self.as_of} if self.as_of else {}),
        }


@dataclass(frozen=True)
class WorkgroupSummary:
    """RC received (others rating this workgroup), given (it rating others) and within.

    ``suppressed`` maps each hidden figure's name to the reason.
    """

    workgroup: str
    n_respondents: int
    rc_received: float | None
    n_received: int
    rc_given: float | None
    n_given: int
    within: float | None
    suppressed: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "workgroup": self.workgroup,
            "n_respondents": self.n_respondents,
            "rc_received": rounded(self.rc_received),
            "n_received": self.n_received,
            "rc_given": rounded(self.rc_given),
            "n_given": self.n_given,
            "within": rounded(self.within),
            "suppressed": dict(self.suppressed),
        }


@dataclass(frozen=True)
class Overall:
    """Whole-matrix RC, each named for how it weights.

    ``respondent_weighted``: mean over respondents of each respondent's mean index;
    ``role_balanced``: mean of the matrix cells, so every rater → target pair of roles counts
    once however many people fill it; ``within`` / ``between``: role-balanced means of the
    diagonal / off-diagonal cells.
    """

    respondent_weighted: float | None
    role_balanced: float | None
    within: float | None
    between: float | None
    n_respondents: int
    n_cells: int
    suppressed: Mapping[str, str]
    #: Respondents behind each figure (``within``: respondent → own-group ratings).
    counts: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "respondent_weighted": rounded(self.respondent_weighted),
            "role_balanced": rounded(self.role_balanced),
            "within": rounded(self.within),
            "between": rounded(self.between),
            "n_respondents": self.n_respondents,
            "n_cells": self.n_cells,
            "suppressed": dict(self.suppressed),
        }


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha (all items, each subscale), ICC(1)/ICC(2) with their ANOVA, rwg(j)."""

    alpha: float | None
    alpha_communication: float | None
    alpha_relationship: float | None
    icc1: float | None
    icc2: float | None
    anova: OneWayAnova | None
    rwg: Mapping[str, float | None]
    n_complete: int
    #: Respondents behind each figure: ``alpha``, ``icc`` and ``rwg:<workgroup>``.
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def reported_icc1(self) -> ReportedEstimate:
        """ICC(1) as readers see it (below 0 shown as 0, with a note): :func:`reported_icc`."""
        return reported_icc(self.icc1)

    @property
    def reported_icc2(self) -> ReportedEstimate:
        """ICC(2) as readers see it (below 0 shown as 0, with a note): :func:`reported_icc`."""
        return reported_icc(self.icc2)

    @property
    def icc_note(self) -> str | None:
        """The note for an ICC reported as 0 from below; ``None`` when neither was floored."""
        return self.reported_icc1.note or self.reported_icc2.note

    def to_dict(self, *, raw: bool = False) -> dict[str, Any]:
        """The reported figures (an ICC below 0 as 0, with ``icc_note``); ``raw=True`` adds
        ``raw``: the ICC estimates as computed, for an analyst who asks for them."""
        anova = None
        if self.anova is not None:
            anova = {
                name: (rounded(value) if isinstance(value, float) else value)
                for name, value in vars(self.anova).items()
            }
        return {
            "alpha": rounded(self.alpha),
            "alpha_communication": rounded(self.alpha_communication),
            "alpha_relationship": rounded(self.alpha_relationship),
            "icc1": rounded(self.reported_icc1.value),
            "icc2": rounded(self.reported_icc2.value),
            "icc_note": self.icc_note,
            "anova": anova,
            "rwg": {key: rounded(value) for key, value in self.rwg.items()},
            "n_complete": self.n_complete,
        } | ({"raw": {"icc1": rounded(self.icc1), "icc2": rounded(self.icc2)}} if raw else {})


@dataclass(frozen=True)
class ReciprocityGap:
    """``a_to_b − b_to_a`` for a pair of workgroups; ``None`` when either cell is suppressed."""

    a: str
    b: str
    a_to_b: float | None
    b_to_a: float | None
    gap: float | None
    suppressed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "a_to_b": rounded(self.a_to_b),
            "b_to_a": rounded(self.b_to_a),
            "gap": rounded(self.gap),
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True)
class RCAnalysis:
    """One RC analysis, already suppressed; ``to_dict()`` is the ``rc analyze`` JSON."""

    workgroups: tuple[str, ...]
    cells: tuple[Cell, ...]
    workgroups_summary: tuple[WorkgroupSummary, ...]
    overall: Overall
    reliability: Reliability
    reciprocity: tuple[ReciprocityGap, ...]
    settings: Mapping[str, Any]

    def cell(self, rater: str, target: str) -> Cell:
        """The cell ``rater → target``.

        Raises
        ------
        KeyError
            When there is no such cell.
        """
        for cell in self.cells:
            if cell.rater == rater and cell.target == target:
                return cell
        raise KeyError((rater, target))

    def summary(self, workgroup: str) -> WorkgroupSummary:
        """The summary row of ``workgroup``."""
        for row in self.workgroups_summary:
            if row.workgroup == workgroup:
                return row
        raise KeyError(workgroup)

    def to_dict(self, *, raw: bool = False) -> dict[str, Any]:
        """The JSON contract (``bridgework/schemas/rc-analysis.schema.json``); ``raw=True``
        adds the raw ICC estimates (``reliability.raw``, see :meth:`Reliability.to_dict`)."""
        return {
            "workgroups": list(self.workgroups),
            "cells": [cell.to_dict() for cell in self.cells],
            "workgroups_summary": [row.to_dict() for row in self.workgroups_summary],
            "overall": self.overall.to_dict(),
            "reliability": self.reliability.to_dict(raw=raw),
            "reciprocity": [gap.to_dict() for gap in self.reciprocity],
            "settings": dict(self.settings),
        }

"""RC results as published figures: flattening an analysis for the publication rule and back.

An :class:`~bridgework.analysis.rc_results.RCAnalysis` (and a wave comparison) is turned into
one record per figure — a cell's index, each of its dimension and subscale means, RC received
and given, the overall figures, the reliability figures, each change since the previous wave —
with the respondents behind it and the totals it belongs to, so that
:func:`bridgework.analysis.publication.publish` can decide, figure by figure, what a new
publication may show. The published records are turned back into the same result objects, so
pages, print pages and downloads render a publication exactly as they render an analysis.

Keys are tuples of strings (JSON-safe once joined by :func:`key_text`).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from bridgework.analysis import privacy
from bridgework.analysis.publication import Published, publish
from bridgework.analysis.rc import role_balanced_mean
from bridgework.analysis.rc_compare import CellChange, Change, RCComparison
from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.analysis.rc_results import (
    Cell,
    Overall,
    RCAnalysis,
    ReciprocityGap,
    Reliability,
    WorkgroupSummary,
)

__all__ = [
    "RCPublication",
    "key_text",
    "publish_rc",
    "text_key",
]

OVERALL = ("respondent_weighted", "role_balanced", "within", "between")
#: Reason of every figure never shown: one text, so a reason changing after one more answer
#: cannot tell whether a group went from nobody to somebody.
NOT_YET = (
    "not shown: fewer than {k} respondents stand behind it, or showing it could reveal a "
    "figure that has fewer"
)
CHANGE_OVERALL = ("respondent_weighted", "role_balanced")
_NO_RESPONDENTS = "no respondents"


def key_text(key: tuple) -> str:
    """A figure key as stored text."""
    return json.dumps(list(key), ensure_ascii=False)


def text_key(text: str) -> tuple:
    return tuple(json.loads(text))


@dataclass(frozen=True)
class RCPublication:
    """Published figures of one wave and what is needed to rebuild the result objects."""

    figures: Mapping[tuple, Published]
    structure: Mapping[str, Any]

    def to_json(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return {key_text(k): v.to_json() for k, v in self.figures.items()}, dict(self.structure)

    @classmethod
    def from_json(cls, figures: Mapping[str, Any], structure: Mapping[str, Any]) -> RCPublication:
        return cls({text_key(k): Published.from_json(v) for k, v in figures.items()}, structure)

    def analysis(self) -> RCAnalysis | None:
        if not self.structure.get("has_answers"):
            return None
        return _rebuild_analysis(self.figures, self.structure)

    def comparison(self) -> RCComparison | None:
        if not self.structure.get("comparison"):
            return None
        return _rebuild_comparison(self.figures, self.structure)

    def as_of_notes(self) -> list[tuple[tuple, str]]:
        """Shown figures whose values are older than this publication."""
        latest = self.structure.get("published_on")
        return sorted(
            (key, record.as_of)
            for key, record in self.figures.items()
            if record.shown and record.as_of and record.as_of != latest
        )


def _shown(key: tuple, count: int, values: Mapping[str, Any] | None, reason: str | None):
    hidden = values is None
    return privacy.Shown(key, int(count or 0), hidden, reason if hidden else None, values)


def _fresh(
    analysis: RCAnalysis | None,
    comparison: RCComparison | None,
    before: Mapping[tuple, Published] | None,
    raters: list[str],
    targets: list[str],
    k: int,
) -> tuple[dict[tuple, privacy.Shown], list[privacy.Total], set[tuple]]:
    fresh: dict[tuple, privacy.Shown] = {}
    totals: list[privacy.Total] = []
    small = privacy._REASON_SMALL.format(k=k)
    cells = {(c.rater, c.target): c for c in analysis.cells} if analysis else {}
    grid = [(r, t) for r in raters for t in targets]
    for r, t in grid:
        cell = cells.get((r, t))
        n = cell.n if cell and cell.n else 0
        reason = cell.reason if cell and cell.reason and n >= k else small
        values = None
        if cell is not None and not cell.suppressed:
            values = {
                "rc": cell.rc,
                "ci": list(cell.ci) if cell.ci else None,
                "band": cell.band,
            }
        fresh[("cell", r, t)] = _shown(("cell", r, t), n, values, reason)
        dim_keys = []
        for d in DIMENSIONS:
            key = ("dim", r, t, d)
            dim_keys.append(key)
            count = (cell.dimension_n or {}).get(d, 0) if cell else 0
            value = (cell.dimensions or {}).get(d) if values is not None else None
            why = (cell.hidden_parts or {}).get(d) if cell else None
            fresh[key] = _shown(
                key,
                count,
                None if value is None else {"mean": value},
                why if why and count >= k else (reason if values is None else small),
            )
        for name in ("communication", "relationship"):
            key = (name, r, t)
            value = getattr(cell, name) if cell is not None and values is not None else None
            fresh[key] = _shown(key, n, None if value is None else {"mean": value}, reason)
        totals.append(privacy.Total(("cell", r, t), tuple(dim_keys), False))
        totals.append(privacy.Total(("communication", r, t), tuple(dim_keys[:4]), False))
        totals.append(privacy.Total(("relationship", r, t), tuple(dim_keys[4:]), False))

    summaries = {s.workgroup: s for s in analysis.workgroups_summary} if analysis else {}
    for w in sorted(set(raters) | set(targets)):
        row = summaries.get(w)
        for name, count, value, parts, disjoint in (
            (
                "received",
                row.n_received if row else 0,
                row.rc_received if row else None,
                tuple(("cell", g, w) for g in raters if g != w and w in targets),
                True,
            ),
            (
                "given",
                row.n_given if row else 0,
                row.rc_given if row else None,
                tuple(("cell", w, t) for t in targets if t != w and w in raters),
                False,
            ),
        ):
            key = (name, w)
            why = (row.suppressed.get(f"rc_{name}") if row else None) or small
            fresh[key] = _shown(key, count, None if value is None else {"rc": value}, why)
            totals.append(privacy.Total(key, parts, disjoint))

    overall = analysis.overall if analysis else None
    all_cells = tuple(("cell", r, t) for r, t in grid)
    # Role-balanced, within and between are means of shown cells: rebuilt from the published
    # cells, never published on their own.
    for name in ("respondent_weighted",):
        key = ("overall", name)
        count = overall.counts.get(name, 0) if overall else 0
        value = getattr(overall, name) if overall else None
        why = (overall.suppressed.get(name) if overall else None) or small
        fresh[key] = _shown(key, count, None if value is None else {"value": value}, why)
        parts = all_cells
        if name == "within":
            parts = tuple(c for c in all_cells if c[1] == c[2])
        elif name == "between":
            parts = tuple(c for c in all_cells if c[1] != c[2])
        totals.append(privacy.Total(key, parts, name == "within"))

    if analysis is not None:
        rel = analysis.reliability
        counts = rel.counts
        alpha = None
        if rel.alpha is not None:
            alpha = {
                "alpha": rel.alpha,
                "alpha_communication": rel.alpha_communication,
                "alpha_relationship": rel.alpha_relationship,
            }
        fresh[("reliability", "alpha")] = _shown(
            ("reliability", "alpha"), counts.get("alpha", 0), alpha, small
        )
        icc = None if rel.icc1 is None else {"icc1": rel.icc1, "icc2": rel.icc2}
        fresh[("reliability", "icc")] = _shown(
            ("reliability", "icc"), counts.get("icc", 0), icc, small
        )
        for w, value in rel.rwg.items():
            key = ("rwg", w)
            fresh[key] = _shown(
                key, counts.get(f"rwg:{w}", 0), None if value is None else {"value": value}, small
            )

    final: set[tuple] = set()
    if comparison is not None:
        befores = before or {}
        for r, t in grid:
            key = ("before", r, t)
            final.add(key)
            try:
                n_before = comparison.cell(r, t).n_before
            except KeyError:
                n_before = 0
            record = befores.get(("cell", r, t))
            fresh[key] = _shown(key, n_before, {} if record and record.shown else None, small)
        changes = {(c.rater, c.target): c for c in comparison.cells}
        for r, t in grid:
            key = ("change", r, t)
            change = changes.get((r, t))
            values = None
            shown_before = befores.get(("cell", r, t))
            if shown_before is None or not shown_before.shown:
                # The previous wave never showed this cell: its change may not show it either.
                change = None
            if change is not None and not change.change.suppressed:
                values = {
                    **_change_values(change.change),
                    "n_before": change.n_before,
                    "band_before": change.band_before,
                    "band_after": change.band_after,
                }
            count = change.n_after if change else 0
            why = (change.change.reason if change else None) or small
            fresh[key] = _shown(key, count, values, why)
            totals.append(privacy.Total(key, (("cell", r, t), ("before", r, t)), True))
        for name in CHANGE_OVERALL:
            key = ("change_overall", name)
            change = comparison.overall.get(name)
            values = None if change is None or change.suppressed else _change_values(change)
            count = overall.counts.get(name, 0) if overall else 0
            why = (change.reason if change else None) or small
            fresh[key] = _shown(key, count, values, why)
            befores_keys = tuple(("before", r, t) for r, t in grid)
            totals.append(privacy.Total(key, (*all_cells, *befores_keys, ("overall", name)), False))
    return fresh, totals, final


def _change_values(change: Change) -> dict[str, Any]:
    return {
        "before": change.before,
        "after": change.after,
        "difference": change.difference,
        "ci": list(change.ci) if change.ci else None,
        "p_value": change.p_value,
        "effect_size": change.effect_size,
    }


def publish_rc(
    previous: RCPublication | None,
    analysis: RCAnalysis | None,
    comparison: RCComparison | None,
    *,
    before: RCPublication | None,
    raters: list[str],
    targets: list[str],
    min_group_size: int,
    as_of: str,
    labels: Mapping[str, str] | None = None,
) -> RCPublication:
    """The next publication of a wave's RC figures under the rule of
    :mod:`bridgework.analysis.publication`.

    Parameters
    ----------
    previous : RCPublication or None
        The wave's last publication.
    analysis, comparison : the figures computed now (already through the privacy pass).
    before : RCPublication or None
        The previous wave's final publication, whose figures the comparison must agree with.
    raters, targets : list of str
        Every workgroup that could answer and every group that could be rated, from the wave's
        set-up (not from the answers: a column appearing would say someone rated it).
    min_group_size : int
    as_of : str
        ISO date of this publication.
    labels : mapping, optional
        ``{"before": name, "after": name}`` of the compared waves.
    """
    k = min_group_size
    fresh, totals, final = _fresh(
        analysis, comparison, before.figures if before else None, raters, targets, k
    )
    prior = dict(previous.figures) if previous else {}
    if before is not None:
        prior.update(
            {
                ("before", *key[1:]): record
                for key, record in before.figures.items()
                if key[0] == "cell"
            }
        )
    figures = publish(
        prior,
        fresh,
        totals,
        min_group_size=k,
        as_of=as_of,
        final=final,
    )
    figures = {
        key: record
        if record.shown
        else Published(record.count, None, NOT_YET.format(k=k), record.as_of)
        for key, record in figures.items()
    }
    structure: dict[str, Any] = {
        "has_answers": analysis is not None
        or bool(previous and previous.structure.get("has_answers")),
        "raters": list(raters),
        "targets": list(targets),
        "published_on": as_of,
        "min_group_size": k,
        "settings": dict(analysis.settings)
        if analysis
        else dict((previous.structure.get("settings") if previous else None) or {}),
        "comparison": None,
    }
    if comparison is not None:
        structure["comparison"] = {
            "before": comparison.before,
            "after": comparison.after,
            "settings": dict(comparison.settings),
            **(labels or {}),
        }
    elif previous is not None and previous.structure.get("comparison"):
        structure["comparison"] = previous.structure["comparison"]
    return RCPublication(figures, structure)


def _get(figures: Mapping[Hashable, Published], key: tuple) -> Published:
    return figures.get(key) or Published(0, None, _NO_RESPONDENTS, None)


def _rebuild_analysis(
    figures: Mapping[tuple, Published], structure: Mapping[str, Any]
) -> RCAnalysis:
    raters, targets = structure["raters"], structure["targets"]
    settings = dict(structure["settings"])
    latest = structure.get("published_on")
    cells = []
    for r in raters:
        for t in targets:
            record = _get(figures, ("cell", r, t))
            if not record.shown:
                cells.append(
                    Cell(r, t, None, None, None, None, True, record.reason, None, None, None)
                )
                continue
            v = record.values
            dims, hidden, counts = {}, {}, {}
            for d in DIMENSIONS:
                part = _get(figures, ("dim", r, t, d))
                dims[d] = part.values["mean"] if part.shown else None
                counts[d] = part.count
                if not part.shown:
                    hidden[d] = part.reason or _NO_RESPONDENTS
            composites = {}
            for name in ("communication", "relationship"):
                part = _get(figures, (name, r, t))
                composites[name] = part.values["mean"] if part.shown else None
                if not part.shown:
                    hidden[name] = part.reason or _NO_RESPONDENTS
            cells.append(
                Cell(
                    rater=r,
                    target=t,
                    n=record.count,
                    rc=v["rc"],
                    ci=tuple(v["ci"]) if v.get("ci") else None,
                    band=v["band"],
                    suppressed=False,
                    reason=None,
                    dimensions=dims,
                    communication=composites["communication"],
                    relationship=composites["relationship"],
                    dimension_n=counts,
                    hidden_parts=hidden,
                    as_of=record.as_of if record.as_of != latest else None,
                )
            )
    lookup = {(c.rater, c.target): c for c in cells}
    summaries = []
    for w in sorted(set(raters) | set(targets)):
        hidden: dict[str, str] = {}
        values = {}
        counts = {}
        for name in ("received", "given"):
            record = _get(figures, (name, w))
            values[name] = record.values["rc"] if record.shown else None
            counts[name] = record.count
            if not record.shown:
                hidden[f"rc_{name}"] = record.reason or _NO_RESPONDENTS
        own = lookup.get((w, w))
        within = own.rc if own is not None and not own.suppressed else None
        if within is None:
            hidden["within"] = (own.reason if own else None) or _NO_RESPONDENTS
        summaries.append(
            WorkgroupSummary(
                workgroup=w,
                n_respondents=counts["given"],
                rc_received=values["received"],
                n_received=counts["received"],
                rc_given=values["given"],
                n_given=counts["given"],
                within=within,
                suppressed=hidden,
            )
        )
    overall_values, overall_hidden, overall_counts = {}, {}, {}
    record = _get(figures, ("overall", "respondent_weighted"))
    overall_values["respondent_weighted"] = record.values["value"] if record.shown else None
    overall_counts["respondent_weighted"] = record.count
    if not record.shown:
        overall_hidden["respondent_weighted"] = record.reason or _NO_RESPONDENTS
    shown_cells = [c for c in cells if not c.suppressed]
    for name, chosen in (
        ("role_balanced", shown_cells),
        ("within", [c for c in shown_cells if c.within]),
        ("between", [c for c in shown_cells if not c.within]),
    ):
        overall_values[name] = role_balanced_mean(chosen)
        overall_counts[name] = sum(c.n or 0 for c in chosen)
        if overall_values[name] is None:
            overall_hidden[name] = "no cell with enough respondents"
    gaps = []
    for i, a in enumerate(raters):
        for b in raters[i + 1 :]:
            ab, ba = lookup.get((a, b)), lookup.get((b, a))
            if ab is None or ba is None:
                continue
            hidden_pair = ab.suppressed or ba.suppressed
            if hidden_pair and ab.reason == ba.reason == _NO_RESPONDENTS:
                continue
            gaps.append(
                ReciprocityGap(
                    a=a,
                    b=b,
                    a_to_b=None if hidden_pair else ab.rc,
                    b_to_a=None if hidden_pair else ba.rc,
                    gap=None if hidden_pair else ab.rc - ba.rc,
                    suppressed=hidden_pair,
                )
            )
    alpha = _get(figures, ("reliability", "alpha"))
    icc = _get(figures, ("reliability", "icc"))
    rwg = {
        key[1]: (record.values["value"] if record.shown else None)
        for key, record in sorted(figures.items())
        if key[0] == "rwg"
    }
    reliability = Reliability(
        alpha=alpha.values["alpha"] if alpha.shown else None,
        alpha_communication=alpha.values["alpha_communication"] if alpha.shown else None,
        alpha_relationship=alpha.values["alpha_relationship"] if alpha.shown else None,
        icc1=icc.values["icc1"] if icc.shown else None,
        icc2=icc.values["icc2"] if icc.shown else None,
        anova=None,
        rwg=rwg,
        n_complete=0,
        counts={"alpha": alpha.count, "icc": icc.count},
    )
    return RCAnalysis(
        workgroups=tuple(sorted(set(raters) | set(targets))),
        cells=tuple(cells),
        workgroups_summary=tuple(summaries),
        overall=Overall(
            respondent_weighted=overall_values["respondent_weighted"],
            role_balanced=overall_values["role_balanced"],
            within=overall_values["within"],
            between=overall_values["between"],
            n_respondents=overall_counts["respondent_weighted"],
            n_cells=sum(not c.suppressed for c in cells),
            suppressed=overall_hidden,
            counts=overall_counts,
        ),
        reliability=reliability,
        reciprocity=tuple(gaps),
        settings=settings,
    )


def _change(record: Published) -> Change:
    if not record.shown:
        return Change(None, None, None, None, None, None, True, record.reason or _NO_RESPONDENTS)
    v = record.values
    return Change(
        before=v["before"],
        after=v["after"],
        difference=v["difference"],
        ci=tuple(v["ci"]) if v.get("ci") else None,
        p_value=v["p_value"],
        effect_size=v["effect_size"],
        suppressed=False,
        reason=None,
    )


def _rebuild_comparison(
    figures: Mapping[tuple, Published], structure: Mapping[str, Any]
) -> RCComparison:
    meta = structure["comparison"]
    cells = []
    for r in structure["raters"]:
        for t in structure["targets"]:
            record = _get(figures, ("change", r, t))
            v = record.values or {}
            cells.append(
                CellChange(
                    rater=r,
                    target=t,
                    n_before=v.get("n_before") if record.shown else None,
                    n_after=record.count if record.shown else None,
                    change=_change(record),
                    band_before=v.get("band_before"),
                    band_after=v.get("band_after"),
                )
            )
    return RCComparison(
        before=meta["before"],
        after=meta["after"],
        workgroups=tuple(sorted(set(structure["raters"]) | set(structure["targets"]))),
        cells=tuple(cells),
        overall={name: _change(_get(figures, ("change_overall", name))) for name in CHANGE_OVERALL},
        settings=dict(meta["settings"]),
    )

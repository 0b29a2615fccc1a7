"""Comparing two RC survey waves, cell by cell and overall, through the privacy pass.

For each rater → target cell and for overall RC this gives the difference (after − before),
a percentile bootstrap CI of the difference (respondents resampled within their rater
workgroup, independently in each wave), a two-sided permutation p-value (wave labels shuffled
among the respondents of a rater workgroup), Cohen's d on respondent → target indices, and
whether the cell moved from one tie-strength band to another.

Waves are treated as independent samples: surveys are confidential, so the same person is not
linked across waves. A cell is compared only where both waves show it; the comparison then
runs its own privacy pass so that differences cannot be combined with overall changes to
recover a hidden cell.

References
----------
Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Good, P. (2005). *Permutation, Parametric and Bootstrap Tests of Hypotheses*. 3rd ed. Springer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bridgework.analysis import privacy
from bridgework.analysis.rc import analyze_rc, resolve_seed, select_wave
from bridgework.analysis.rc_instrument import BUILTIN_INSTRUMENT, Instrument
from bridgework.analysis.rc_results import RCAnalysis, rounded
from bridgework.analysis.rc_scoring import BAND_BASIS, RCSettings, ScoredResponses, score_responses
from bridgework.analysis.stats import (
    bootstrap_sums,
    cohens_d,
    percentile_interval,
    permutation_p_value,
    permutation_sums,
)

__all__ = ["CellChange", "Change", "RCComparison", "compare_waves"]


@dataclass(frozen=True)
class Change:
    """Before, after, difference and its uncertainty for one overall figure."""

    before: float | None
    after: float | None
    difference: float | None
    ci: tuple[float, float] | None
    p_value: float | None
    effect_size: float | None
    suppressed: bool
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": rounded(self.before),
            "after": rounded(self.after),
            "difference": rounded(self.difference),
            "ci": None if self.ci is None else [rounded(self.ci[0]), rounded(self.ci[1])],
            "p_value": rounded(self.p_value),
            "effect_size": rounded(self.effect_size),
            "suppressed": self.suppressed,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class CellChange:
    """Change of one rater → target cell between waves, with band movement."""

    rater: str
    target: str
    n_before: int
    n_after: int
    change: Change
    band_before: str | None
    band_after: str | None

    @property
    def band_changed(self) -> bool:
        """Whether the cell moved from one band to another (only for shown cells)."""
        return not self.change.suppressed and self.band_before != self.band_after

    def to_dict(self) -> dict[str, Any]:
        return {
            "rater": self.rater,
            "target": self.target,
            "n_before": self.n_before,
            "n_after": self.n_after,
            **self.change.to_dict(),
            "band_before": self.band_before,
            "band_after": self.band_after,
            "band_changed": self.band_changed,
        }


@dataclass(frozen=True)
class RCComparison:
    """Two waves compared; ``to_dict()`` is the ``rc compare`` JSON contract."""

    before: str
    after: str
    workgroups: tuple[str, ...]
    cells: tuple[CellChange, ...]
    overall: Mapping[str, Change]
    settings: Mapping[str, Any]

    def cell(self, rater: str, target: str) -> CellChange:
        """The change of cell ``rater → target``."""
        for cell in self.cells:
            if (cell.rater, cell.target) == (rater, target):
                return cell
        raise KeyError((rater, target))

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "after": self.after,
            "workgroups": list(self.workgroups),
            "cells": [cell.to_dict() for cell in self.cells],
            "overall": {name: change.to_dict() for name, change in self.overall.items()},
            "settings": dict(self.settings),
        }


def _aligned(scored: ScoredResponses, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Index matrix and group codes of ``scored`` re-indexed to the workgroups ``names``."""
    position = np.array([names.index(name) for name in scored.workgroups], dtype=np.int64)
    index = np.full((scored.index.shape[0], len(names)), np.nan)
    index[:, position] = scored.index
    return index, position[scored.group]


def _respondent_means(index: np.ndarray) -> np.ndarray:
    present = ~np.isnan(index)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nansum(index, axis=1) / present.sum(axis=1)


def _interval(low: np.ndarray, high: np.ndarray, at: tuple) -> tuple[float, float] | None:
    if np.isnan(low[at]) or np.isnan(high[at]):
        return None
    return float(low[at]), float(high[at])


def _shows(view: RCAnalysis, rater: str, target: str) -> bool:
    try:
        return not view.cell(rater, target).suppressed
    except KeyError:
        return False


def _pooled(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums.sum(axis=(1, 2)) / counts.sum(axis=(1, 2))


def compare_waves(
    frame: pd.DataFrame,
    *,
    before: str,
    after: str,
    instrument: Instrument = BUILTIN_INSTRUMENT,
    settings: RCSettings | None = None,
    permutations: int = 1000,
) -> RCComparison:
    """Compare wave ``after`` with wave ``before``, cell by cell and overall.

    Parameters
    ----------
    frame : DataFrame
        Long format with a ``wave`` column holding both waves.
    before, after : str
        Wave names.
    instrument : Instrument
    settings : RCSettings, optional
        As for :func:`~bridgework.analysis.rc.analyze_rc`; ``bootstrap`` replicates give the
        CIs of the differences.
    permutations : int, default 1000
        Label permutations for the p-values; 0 for none.

    Returns
    -------
    RCComparison

    Examples
    --------
    >>> from bridgework.analysis.rc import DIMENSIONS, LONG_COLUMNS
    >>> rows = [(w, f"{w}{i}", "A", "B", d, s) for w, s in (("w1", 3), ("w2", 5))
    ...         for i in range(5) for d in DIMENSIONS]
    >>> frame = pd.DataFrame(rows, columns=["wave", *LONG_COLUMNS])
    >>> result = compare_waves(frame, before="w1", after="w2",
    ...                        settings=RCSettings(bootstrap=0, seed=1), permutations=0)
    >>> change = result.cell("A", "B")
    >>> change.change.difference, change.band_before, change.band_after, change.band_changed
    (2.0, 'weak', 'strong', True)

    Notes
    -----
    O(rows) to score plus O((B + P) · R · W) for B bootstrap replicates and P permutations.
    """
    settings = settings or RCSettings()
    if permutations < 0:
        raise ValueError("permutations cannot be negative")
    if "wave" not in frame.columns:
        raise ValueError("comparing waves needs a wave column")
    if str(before) == str(after):
        raise ValueError("before and after must be different waves")
    seed = resolve_seed(settings.seed)
    rng = np.random.default_rng(seed)
    quiet = RCSettings(
        min_group_size=settings.min_group_size,
        min_items=settings.min_items,
        bands=settings.bands,
        bootstrap=0,
        seed=seed,
    )
    frames = {label: select_wave(frame, label) for label in (before, after)}
    views: dict[str, RCAnalysis] = {
        label: analyze_rc(part, instrument=instrument, settings=quiet)
        for label, part in frames.items()
    }
    scored = {
        label: score_responses(part, instrument=instrument, min_items=settings.min_items)
        for label, part in frames.items()
    }
    names = tuple(sorted(set(scored[before].workgroups) | set(scored[after].workgroups)))
    w = len(names)
    index_b, group_b = _aligned(scored[before], names)
    index_a, group_a = _aligned(scored[after], names)
    mask_b, mask_a = ~np.isnan(index_b), ~np.isnan(index_a)

    def cell_stats(index, group, mask):
        key = group[:, None] * w + np.arange(w)[None, :]
        n = np.bincount(key[mask], minlength=w * w).reshape(w, w)
        sums = np.bincount(key[mask], weights=index[mask], minlength=w * w).reshape(w, w)
        with np.errstate(invalid="ignore", divide="ignore"):
            return n, sums / n

    n_b, rc_b = cell_stats(index_b, group_b, mask_b)
    n_a, rc_a = cell_stats(index_a, group_a, mask_a)
    diff = rc_a - rc_b
    means_b, means_a = _respondent_means(index_b), _respondent_means(index_a)
    has_b, has_a = ~np.isnan(means_b), ~np.isnan(means_a)
    rw_diff = (
        float(means_a[has_a].mean() - means_b[has_b].mean())
        if has_a.any() and has_b.any()
        else np.nan
    )
    # Role-balanced change: over the cells both waves show, so that hidden cells' values
    # cannot be recovered from it.
    common = np.zeros((w, w), dtype=bool)
    for g in range(w):
        for t in range(w):
            if n_b[g, t] > 0 and n_a[g, t] > 0:
                common[g, t] = all(
                    _shows(views[label], names[g], names[t]) for label in (before, after)
                )
    rb_diff = float(diff[common].mean()) if common.any() else np.nan

    ci_cells = ci_rw = ci_rb = None
    if settings.bootstrap > 0:
        sb, cb = bootstrap_sums(index_b, mask_b, group_b, w, settings.bootstrap, rng)
        sa, ca = bootstrap_sums(index_a, mask_a, group_a, w, settings.bootstrap, rng)
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = sa / ca - sb / cb
        ci_cells = percentile_interval(boot, settings.confidence)
        rb_sb, rb_cb = bootstrap_sums(
            means_b[:, None], has_b[:, None], group_b, w, settings.bootstrap, rng
        )
        rb_sa, rb_ca = bootstrap_sums(
            means_a[:, None], has_a[:, None], group_a, w, settings.bootstrap, rng
        )
        ci_rw = percentile_interval(
            _pooled(rb_sa, rb_ca) - _pooled(rb_sb, rb_cb), settings.confidence
        )
        ci_rb = percentile_interval(
            np.nanmean(np.where(common, boot, np.nan), axis=(1, 2))
            if common.any()
            else np.full(settings.bootstrap, np.nan),
            settings.confidence,
        )

    p_cells = p_rw = p_rb = None
    if permutations > 0:
        labels = np.concatenate([np.zeros(len(group_b), bool), np.ones(len(group_a), bool)])
        groups = np.concatenate([group_b, group_a])
        stacked = np.vstack([index_b, index_a])
        sa, ca, sb, cb = permutation_sums(
            stacked, ~np.isnan(stacked), groups, labels, w, permutations, rng
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            perm = sa / ca - sb / cb
        p_cells = permutation_p_value(diff, perm)
        means = np.concatenate([means_b, means_a])[:, None]
        sa, ca, sb, cb = permutation_sums(
            means, ~np.isnan(means), groups, labels, w, permutations, rng
        )
        p_rw = permutation_p_value(np.array(rw_diff), _pooled(sa, ca) - _pooled(sb, cb))
        if common.any():
            p_rb = permutation_p_value(
                np.array(rb_diff), np.nanmean(np.where(common, perm, np.nan), axis=(1, 2))
            )

    # Privacy: a cell is compared only if both waves show it; then the comparison's own pass.
    raters = [g for g in range(w) if n_b[g].sum() + n_a[g].sum() > 0]
    targets = [t for t in range(w) if n_b[:, t].sum() + n_a[:, t].sum() > 0]
    grid = [(g, t) for g in raters for t in targets if n_b[g, t] + n_a[g, t] > 0]

    def hidden_in_waves(g, t):
        for label in (before, after):
            try:
                cell = views[label].cell(names[g], names[t])
            except KeyError:
                return f"not rated in wave {label}"
            if cell.suppressed:
                return f"suppressed in wave {label}: {cell.reason}"
        return None

    figures = [
        privacy.Figure(("cell", g, t), int(min(n_b[g, t], n_a[g, t])), hidden=hidden_in_waves(g, t))
        for g, t in grid
    ]
    totals = []
    overall_sources = {
        "respondent_weighted": (grid, int(min(has_b.sum(), has_a.sum()))),
        "role_balanced": ([c for c in grid if common[c]], int(min(has_b.sum(), has_a.sum()))),
    }
    for name, (parts, count) in overall_sources.items():
        hidden = None
        for label in (before, after):
            if name in views[label].overall.suppressed:
                hidden = f"suppressed in wave {label}: {views[label].overall.suppressed[name]}"
        figures.append(privacy.Figure(("overall", name), count, hidden=hidden))
        totals.append(
            privacy.Total(
                ("overall", name),
                tuple(("cell", *c) for c in parts),
                False,
                f"the overall {name.replace('_', '-')} change",
            )
        )
    shown = privacy.suppress(figures, totals, min_group_size=settings.min_group_size)

    bands = settings.bands
    cells = []
    for g, t in grid:
        status = shown[("cell", g, t)]
        visible = not status.suppressed
        in_b = group_b == g
        in_a = group_a == g
        change = Change(
            before=float(rc_b[g, t]) if visible else None,
            after=float(rc_a[g, t]) if visible else None,
            difference=float(diff[g, t]) if visible else None,
            ci=_interval(*ci_cells, (g, t)) if visible and ci_cells is not None else None,
            p_value=float(p_cells[g, t]) if visible and p_cells is not None else None,
            effect_size=cohens_d(index_b[in_b & mask_b[:, t], t], index_a[in_a & mask_a[:, t], t])
            if visible
            else None,
            suppressed=status.suppressed,
            reason=status.reason,
        )
        cells.append(
            CellChange(
                rater=names[g],
                target=names[t],
                n_before=int(n_b[g, t]),
                n_after=int(n_a[g, t]),
                change=change,
                band_before=bands.classify(rc_b[g, t]) if visible else None,
                band_after=bands.classify(rc_a[g, t]) if visible else None,
            )
        )

    overall = {}
    for name, difference, ci, p in (
        ("respondent_weighted", rw_diff, ci_rw, p_rw),
        ("role_balanced", rb_diff, ci_rb, p_rb),
    ):
        status = shown[("overall", name)]
        visible = not status.suppressed and not np.isnan(difference)
        if name == "respondent_weighted":
            values = (
                (float(means_b[has_b].mean()), float(means_a[has_a].mean()))
                if visible
                else (None, None)
            )
            effect = cohens_d(means_b[has_b], means_a[has_a]) if visible else None
        else:
            values = (
                (float(rc_b[common].mean()), float(rc_a[common].mean()))
                if visible
                else (None, None)
            )
            effect = None
        overall[name] = Change(
            before=values[0],
            after=values[1],
            difference=float(difference) if visible else None,
            ci=_interval(ci[0][None], ci[1][None], (0,)) if visible and ci is not None else None,
            p_value=float(p) if visible and p is not None else None,
            effect_size=effect,
            suppressed=not visible,
            reason=status.reason if status.suppressed else (None if visible else "no respondents"),
        )

    return RCComparison(
        before=str(before),
        after=str(after),
        workgroups=names,
        cells=tuple(cells),
        overall=overall,
        settings={
            "min_group_size": settings.min_group_size,
            "bands": list(bands.cutoffs),
            "band_labels": list(bands.labels),
            "band_basis": BAND_BASIS,
            "min_items": settings.min_items,
            "seed": seed,
            "bootstrap": settings.bootstrap,
            "permutations": permutations,
            "confidence": settings.confidence,
            "instrument": instrument.name,
            "frequency_scale": instrument.frequency_scale,
        },
    )

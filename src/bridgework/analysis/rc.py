"""Relational Coordination: the matrix, its summaries, bands, reliability — privacy applied.

Relational Coordination (RC; Gittell) measures how each workgroup in a focal work process
experiences each other workgroup — and its own — on seven dimensions answered 1–5. This
module is the one place RC figures are computed; the survey's web pages, the exports, the API
and ``bridgework rc analyze`` all call :func:`analyze_rc`, which returns an
:class:`~bridgework.analysis.rc_results.RCAnalysis` that has already been through the privacy
pass (:mod:`bridgework.analysis.privacy`), so no caller can obtain an unsuppressed figure.

Figures (see ``docs/methods/relational-coordination.md``):

* **cells** — rater workgroup → target workgroup: mean respondent → target index, ``n``
  respondents, per-dimension and subscale means, and a percentile bootstrap CI that resamples
  respondents within the rater workgroup;
* **within** (diagonal) and **between** (off-diagonal) RC; **RC received** (how other
  workgroups rate a workgroup) and **RC given** (how it rates others), both pooled over the
  respondent → target indices, i.e. cell means weighted by ``n``;
* **overall** RC, *respondent-weighted* (mean over respondents of their own mean index) and
  *role-balanced* (mean of the cells);
* **bands** — weak / moderate / strong by conventional cut-offs (3.5 and 4.0);
* **reciprocity gaps** — ``rc(A→B) − rc(B→A)``;
* **reliability** — Cronbach's alpha, rwg(j) per workgroup, ICC(1)/ICC(2) with their ANOVA.

The instrument (:mod:`~bridgework.analysis.rc_instrument`) and scoring
(:mod:`~bridgework.analysis.rc_scoring`) live in their own modules and are re-exported here.

References
----------
Gittell, J. H. & Ali, H. N. (2021). *Relational Analytics: Guidelines for Analysis and Action*.
Routledge.
Valentine, M. A., Nembhard, I. M. & Edmondson, A. C. (2015). Measuring teamwork in health care
settings: a review of survey instruments. *Medical Care* 53(4), e16–e30.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bridgework.analysis import privacy
from bridgework.analysis.rc_instrument import (
    ADEQUACY_ANSWER_KEY,
    BUILTIN_INSTRUMENT,
    DIMENSIONS,
    Instrument,
    Item,
)
from bridgework.analysis.rc_reliability import rc_reliability
from bridgework.analysis.rc_results import (
    Cell,
    Overall,
    RCAnalysis,
    ReciprocityGap,
    WorkgroupSummary,
)
from bridgework.analysis.rc_scoring import (
    BAND_BASIS,
    LONG_COLUMNS,
    Bands,
    RCSettings,
    ScoredResponses,
    instrument_mask,
    score_responses,
)
from bridgework.analysis.stats import bootstrap_sums, percentile_interval

__all__ = [
    "ADEQUACY_ANSWER_KEY",
    "BAND_BASIS",
    "BUILTIN_INSTRUMENT",
    "DIMENSIONS",
    "LONG_COLUMNS",
    "Bands",
    "Instrument",
    "Item",
    "MatrixFigures",
    "RCAnalysis",
    "RCSettings",
    "analyze_rc",
    "check_rc_suppression",
    "matrix_figures",
    "resolve_seed",
    "role_balanced_mean",
    "select_wave",
]


def resolve_seed(seed: int | None) -> int:
    """``seed``, or a fresh random one when ``None`` (reported so a run can be repeated)."""
    if seed is not None:
        return int(seed)
    return int(np.random.SeedSequence().entropy % (2**32))


def select_wave(frame: pd.DataFrame, wave: str | None) -> pd.DataFrame:
    """Rows of ``wave``; without a ``wave`` argument the data must hold at most one wave.

    Raises
    ------
    ValueError
        Asking for a wave the data lacks, or several waves present and none chosen.
    """
    if "wave" not in frame.columns:
        if wave is not None:
            raise ValueError(f"wave {wave!r} requested but the data has no wave column")
        return frame
    waves = frame["wave"].astype(str)
    present = sorted(set(waves.unique().tolist()))
    if wave is None:
        if len(present) > 1:
            raise ValueError(f"the data holds several waves ({', '.join(present)}); choose one")
        return frame
    if str(wave) not in present:
        raise ValueError(f"wave {wave!r} not found; the data holds {', '.join(present)}")
    return frame[waves == str(wave)]


@dataclass(frozen=True, eq=False)
class MatrixFigures:
    """Unsuppressed cell arrays (workgroups × workgroups); internal to the analysis path.

    Never shown as such: :func:`analyze_rc` passes them through the privacy pass.
    """

    n: np.ndarray
    sums: np.ndarray
    rc: np.ndarray
    dims: np.ndarray
    communication: np.ndarray
    relationship: np.ndarray
    ci_low: np.ndarray | None
    ci_high: np.ndarray | None
    dim_n: np.ndarray
    communication_n: np.ndarray
    relationship_n: np.ndarray


def _cell_mean(key: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the answered ``values`` per cell, and how many answers each rests on."""
    present = ~np.isnan(values)
    counts = np.bincount(key[present], minlength=size)
    sums = np.bincount(key[present], weights=values[present], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts, counts


def matrix_figures(
    scored: ScoredResponses, *, bootstrap: int, confidence: float, rng: np.random.Generator
) -> MatrixFigures:
    """Cell ``n``, means, dimension and subscale means, and bootstrap CIs of every cell.

    Notes
    -----
    Means are ``bincount`` sums over the dense respondent × target arrays: O(R · W · 7).
    The bootstrap is :func:`~bridgework.analysis.stats.bootstrap_sums`, O(B · R · W).
    """
    w = len(scored.workgroups)
    key = scored.group[:, None] * w + np.arange(w)[None, :]
    qualified = scored.qualified
    n = np.bincount(key[qualified], minlength=w * w).reshape(w, w)
    sums = np.bincount(key[qualified], weights=scored.index[qualified], minlength=w * w)
    sums = sums.reshape(w, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        rc = sums / n
    flat_key = key.ravel()
    per_dim = [
        _cell_mean(flat_key, scored.dims[:, :, d].ravel(), w * w) for d in range(len(DIMENSIONS))
    ]
    dims = np.stack([mean for mean, _ in per_dim], axis=-1).reshape(w, w, len(DIMENSIONS))
    dim_n = np.stack([count for _, count in per_dim], axis=-1).reshape(w, w, len(DIMENSIONS))
    communication, communication_n = _cell_mean(flat_key, scored.communication.ravel(), w * w)
    relationship, relationship_n = _cell_mean(flat_key, scored.relationship.ravel(), w * w)
    ci_low = ci_high = None
    if bootstrap > 0:
        boot_sums, boot_counts = bootstrap_sums(
            scored.index, qualified, scored.group, w, bootstrap, rng
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            ci_low, ci_high = percentile_interval(boot_sums / boot_counts, confidence)
    return MatrixFigures(
        n,
        sums,
        rc,
        dims,
        communication.reshape(w, w),
        relationship.reshape(w, w),
        ci_low,
        ci_high,
        dim_n,
        communication_n.reshape(w, w),
        relationship_n.reshape(w, w),
    )


def _visible(
    shown: privacy.SuppressionResult,
    key: tuple,
    value: float | None,
    label: str,
    hidden: dict[str, str],
) -> float | None:
    """``value`` if the figure ``key`` may be shown, else ``None`` with the reason recorded."""
    status = shown.figures.get(key)
    if status is None or status.suppressed or value is None:
        hidden[label] = (status.reason if status is not None else None) or "no respondents"
        return None
    return float(value)


def _cell_part_figures(
    m: MatrixFigures,
    g: int,
    t: int,
    comm_mask: np.ndarray,
    figures: list[privacy.Figure],
    totals: list[privacy.Total],
) -> tuple[list[privacy.Figure], list[privacy.Total]]:
    """A cell's dimension means and subscale means as figures of their own.

    Each rests on the answers given to it, which can be fewer than the cell's ``n`` (a
    respondent may skip up to ``7 - min_items`` items). The cell's index and each subscale are
    totals over their dimensions (same respondents: not disjoint), so a hidden dimension
    cannot be worked out from the index, the subscale and the other dimensions.
    """
    cell = ("cell", g, t)
    dim_keys = []
    for i, d in enumerate(DIMENSIONS):
        key = ("dim", g, t, d)
        dim_keys.append(key)
        figures.append(privacy.Figure(key, int(m.dim_n[g, t, i])))
    comm_keys = tuple(k for k, member in zip(dim_keys, comm_mask, strict=True) if member)
    rel_keys = tuple(k for k, member in zip(dim_keys, comm_mask, strict=True) if not member)
    figures.append(privacy.Figure(("communication", g, t), int(m.communication_n[g, t])))
    figures.append(privacy.Figure(("relationship", g, t), int(m.relationship_n[g, t])))
    totals.append(privacy.Total(cell, tuple(dim_keys), False, "the RC index of this cell"))
    totals.append(
        privacy.Total(("communication", g, t), comm_keys, False, "the communication mean")
    )
    totals.append(privacy.Total(("relationship", g, t), rel_keys, False, "the relationship mean"))
    return figures, totals


def role_balanced_mean(cells: list[Cell]) -> float | None:
    """Mean of the shown cells' RC (each pair of workgroups once), ``None`` without any.

    Only shown cells enter, so the figure adds nothing to what the cells already show.
    """
    values = sorted(c.rc for c in cells if not c.suppressed and c.rc is not None)
    return float(np.mean(values)) if values else None


def analyze_rc(
    frame: pd.DataFrame,
    *,
    instrument: Instrument = BUILTIN_INSTRUMENT,
    settings: RCSettings | None = None,
    wave: str | None = None,
) -> RCAnalysis:
    """Every RC figure of one wave, through the privacy pass.

    Parameters
    ----------
    frame : DataFrame
        Long format: ``respondent_id, respondent_workgroup, target_workgroup, dimension,
        score`` and optionally ``wave``
        (see :func:`~bridgework.analysis.rc_scoring.score_responses`).
    instrument : Instrument, default BUILTIN_INSTRUMENT
        Answer keys and subscales (e.g. the adequacy recode of the frequency item).
    settings : RCSettings, optional
        Minimum group size, minimum items, bands, bootstrap replicates, confidence, seed.
    wave : str, optional
        Which wave to analyse when the data holds several.

    Returns
    -------
    RCAnalysis
        Cells, workgroup summaries, overall, reliability, reciprocity gaps and the settings
        (with the seed actually used). ``to_dict()`` gives the JSON contract.

    Raises
    ------
    ValueError
        Invalid answers (see ``score_responses``) or wave selection.

    Examples
    --------
    >>> rows = [(f"r{i}", "Nurses", "Pharmacy", d, 4) for i in range(5) for d in DIMENSIONS]
    >>> result = analyze_rc(pd.DataFrame(rows, columns=LONG_COLUMNS),
    ...                     settings=RCSettings(bootstrap=0, seed=1))
    >>> cell = result.cell("Nurses", "Pharmacy")
    >>> cell.n, cell.rc, cell.band, cell.suppressed
    (5, 4.0, 'moderate', False)

    Notes
    -----
    O(rows) to score, O(R · W) for the figures and O(B · R · W) for the bootstrap, with R
    respondents, W workgroups and B replicates.
    """
    settings = settings or RCSettings()
    frame = select_wave(frame, wave)
    scored = score_responses(frame, instrument=instrument, min_items=settings.min_items)
    seed = resolve_seed(settings.seed)
    figures = matrix_figures(
        scored,
        bootstrap=settings.bootstrap,
        confidence=settings.confidence,
        rng=np.random.default_rng(seed),
    )
    return _assemble(scored, figures, instrument, settings, seed, wave)


def _assemble(
    scored: ScoredResponses,
    m: MatrixFigures,
    instrument: Instrument,
    settings: RCSettings,
    seed: int,
    wave: str | None,
) -> RCAnalysis:
    names = scored.workgroups
    w = len(names)
    sizes = np.bincount(scored.group, minlength=w)
    raters = [g for g in range(w) if sizes[g] > 0]
    targets = [t for t in range(w) if scored.rated[t]]
    grid = [(g, t) for g in raters for t in targets]
    qualified = scored.qualified
    other = np.arange(w)[None, :] != scored.group[:, None]

    figures = [
        privacy.Figure(
            ("cell", g, t),
            int(m.n[g, t]),
            {"rc": m.rc[g, t]},
        )
        for g, t in grid
    ]
    totals: list[privacy.Total] = []
    comm_mask = instrument_mask(instrument, "communication")
    for g, t in grid:
        figures, totals = _cell_part_figures(m, g, t, comm_mask, figures, totals)
    received, given = {}, {}
    gives = np.bincount(scored.group[(qualified & other).any(axis=1)], minlength=w)
    for x in range(w):
        column = [(g, x) for g in raters if g != x and x in targets]
        row = [(x, t) for t in targets if t != x and x in raters]
        n_col = sum(int(m.n[c]) for c in column)
        n_row_pairs = sum(int(m.n[c]) for c in row)
        received[x] = (sum(m.sums[c] for c in column) / n_col if n_col else None, n_col)
        given[x] = (
            sum(m.sums[c] for c in row) / n_row_pairs if n_row_pairs else None,
            int(gives[x]),
        )
        figures.append(privacy.Figure(("received", x), n_col))
        figures.append(privacy.Figure(("given", x), int(gives[x])))
        totals.append(
            privacy.Total(
                ("received", x),
                tuple(("cell", *c) for c in column),
                True,
                f"RC received by {names[x]}",
            )
        )
        totals.append(
            privacy.Total(
                ("given", x), tuple(("cell", *c) for c in row), False, f"RC given by {names[x]}"
            )
        )

    any_index = qualified.any(axis=1)
    with np.errstate(invalid="ignore"):
        respondent_means = np.nanmean(np.where(qualified, scored.index, np.nan)[any_index], axis=1)
    n_respondents = int(any_index.sum())
    filled = [(g, t) for g, t in grid if m.n[g, t] > 0]
    overall_values = {
        "respondent_weighted": float(respondent_means.mean()) if n_respondents else None,
    }
    overall_counts = {"respondent_weighted": n_respondents}
    figures.append(privacy.Figure(("overall", "respondent_weighted"), n_respondents))
    totals.append(
        privacy.Total(
            ("overall", "respondent_weighted"),
            tuple(("cell", *c) for c in grid),
            False,
            "overall RC (respondent-weighted)",
        )
    )

    shown = privacy.suppress(figures, totals, min_group_size=settings.min_group_size)
    bands = settings.bands

    cells = []
    for g, t in grid:
        status = shown[("cell", g, t)]
        visible = not status.suppressed
        ci = None
        if visible and m.ci_low is not None and not np.isnan(m.ci_low[g, t]):
            ci = (float(m.ci_low[g, t]), float(m.ci_high[g, t]))
        hidden_parts: dict[str, str] = {}
        dimensions = None
        if visible:
            dimensions = {
                d: _visible(shown, ("dim", g, t, d), m.dims[g, t, i], d, hidden_parts)
                for i, d in enumerate(DIMENSIONS)
            }
        composites = {
            name: _visible(shown, (name, g, t), value, name, hidden_parts) if visible else None
            for name, value in (
                ("communication", m.communication[g, t]),
                ("relationship", m.relationship[g, t]),
            )
        }
        cells.append(
            Cell(
                rater=names[g],
                target=names[t],
                n=int(m.n[g, t]),
                rc=float(m.rc[g, t]) if visible else None,
                ci=ci,
                band=bands.classify(m.rc[g, t]) if visible else None,
                suppressed=status.suppressed,
                reason=status.reason,
                dimensions=dimensions,
                communication=composites["communication"],
                relationship=composites["relationship"],
                dimension_n={d: int(m.dim_n[g, t, i]) for i, d in enumerate(DIMENSIONS)},
                hidden_parts=hidden_parts if visible else {},
            )
        )

    summaries = []
    for x in range(w):
        hidden: dict[str, str] = {}
        rc_received = _visible(shown, ("received", x), received[x][0], "rc_received", hidden)
        rc_given = _visible(shown, ("given", x), given[x][0], "rc_given", hidden)
        diagonal_key = ("cell", x, x)
        within_value = m.rc[x, x] if diagonal_key in shown.figures and m.n[x, x] else None
        within = _visible(shown, diagonal_key, within_value, "within", hidden)
        summaries.append(
            WorkgroupSummary(
                workgroup=names[x],
                n_respondents=int(sizes[x]),
                rc_received=rc_received,
                n_received=received[x][1],
                rc_given=rc_given,
                n_given=given[x][1],
                within=within,
                suppressed=hidden,
            )
        )

    overall_hidden: dict[str, str] = {}
    overall_shown = {
        name: _visible(shown, ("overall", name), value, name, overall_hidden)
        for name, value in overall_values.items()
    }
    # Means of cell means are taken over the cells shown only: over hidden cells they would
    # give the hidden cells' sum back (weighted by 1/n, which no row or column total covers).
    shown_cells = [c for c in cells if not c.suppressed and c.rc is not None]
    for name, chosen in (
        ("role_balanced", shown_cells),
        ("within", [c for c in shown_cells if c.within]),
        ("between", [c for c in shown_cells if not c.within]),
    ):
        overall_shown[name] = role_balanced_mean(chosen)
        overall_counts[name] = sum(c.n or 0 for c in chosen)
        if overall_shown[name] is None:
            overall_hidden[name] = "no cell with enough respondents"

    gaps = []
    for i, a in enumerate(raters):
        for b in raters[i + 1 :]:
            if a not in targets or b not in targets or not (m.n[a, b] and m.n[b, a]):
                continue
            ab, ba = cells[grid.index((a, b))], cells[grid.index((b, a))]
            hidden_pair = ab.suppressed or ba.suppressed
            gaps.append(
                ReciprocityGap(
                    a=names[a],
                    b=names[b],
                    a_to_b=None if hidden_pair else ab.rc,
                    b_to_a=None if hidden_pair else ba.rc,
                    gap=None if hidden_pair else ab.rc - ba.rc,
                    suppressed=hidden_pair,
                )
            )

    return RCAnalysis(
        workgroups=names,
        cells=tuple(cells),
        workgroups_summary=tuple(summaries),
        overall=Overall(
            respondent_weighted=overall_shown["respondent_weighted"],
            role_balanced=overall_shown["role_balanced"],
            within=overall_shown["within"],
            between=overall_shown["between"],
            n_respondents=n_respondents,
            n_cells=len(filled),
            suppressed=overall_hidden,
            counts=overall_counts,
        ),
        reliability=rc_reliability(scored, instrument, settings.min_group_size),
        reciprocity=tuple(gaps),
        settings=_settings_dict(settings, instrument, seed, wave),
    )


def check_rc_suppression(result: RCAnalysis) -> list[str]:
    """Every way a (possibly hand-made or reloaded) RC result could show too few answers.

    The validator beside :func:`analyze_rc`: a shown cell resting on fewer than the minimum
    group size, a shown dimension mean resting on fewer answers, a shown cell whose hidden
    dimensions could be derived (exactly one hidden, or hidden ones resting together on too
    few answers), and a hidden cell that still carries values.

    Examples
    --------
    >>> rows = [(f"r{i}", "A", "B", d, 4) for i in range(5) for d in DIMENSIONS]
    >>> check_rc_suppression(analyze_rc(pd.DataFrame(rows, columns=LONG_COLUMNS),
    ...                                 settings=RCSettings(bootstrap=0, seed=1)))
    []
    """
    k = int(result.settings["min_group_size"])
    problems = []
    for cell in result.cells:
        name = f"{cell.rater} → {cell.target}"
        if cell.suppressed:
            if cell.rc is not None or cell.dimensions or cell.communication or cell.relationship:
                problems.append(f"{name} is suppressed but carries values")
            continue
        if cell.n is not None and cell.n < k:
            problems.append(f"{name} rests on {cell.n} respondents but is shown")
        counts = dict(cell.dimension_n or {})
        dims = dict(cell.dimensions or {})
        hidden = [d for d in DIMENSIONS if dims.get(d) is None and counts.get(d, 0) > 0]
        for d in DIMENSIONS:
            if dims.get(d) is not None and counts.get(d, 0) < k:
                problems.append(f"{name} shows {d} from {counts.get(d, 0)} answers")
        if len(hidden) == 1 or (hidden and max(counts[d] for d in hidden) < k):
            problems.append(f"{name} shows its index while {', '.join(hidden)} can be derived")
    return problems


def _settings_dict(
    settings: RCSettings, instrument: Instrument, seed: int, wave: str | None
) -> dict[str, object]:
    return {
        "min_group_size": settings.min_group_size,
        "bands": list(settings.bands.cutoffs),
        "band_labels": list(settings.bands.labels),
        "band_basis": BAND_BASIS,
        "min_items": settings.min_items,
        "seed": seed,
        "bootstrap": settings.bootstrap,
        "confidence": settings.confidence,
        "instrument": instrument.name,
        "frequency_scale": instrument.frequency_scale,
        "wave": wave,
    }

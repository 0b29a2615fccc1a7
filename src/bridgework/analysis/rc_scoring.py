"""Scoring RC answers: from long-format answers to respondent → target indices.

The unit of RC is one respondent's view of one target workgroup. This module turns answer
rows (``respondent_id, respondent_workgroup, target_workgroup, dimension, score``) into dense
arrays — respondents × target workgroups × dimensions — from which every figure is an
average, so the rest of the analysis is vectorised numpy and scales to millions of answers.

* A **respondent → target RC index** is the mean of the answered dimensions, computed only
  when at least ``min_items`` (default 5) of the 7 are answered; otherwise that respondent does
  not count for that target at all (their partial answers are not used anywhere).
* The **communication** (frequent, timely, accurate, problem-solving) and **relationship**
  (shared goals, shared knowledge, mutual respect) subscales are the means of the answered
  items of each subscale, for the same qualifying respondent-target pairs.

References
----------
Gittell, J. H. & Ali, H. N. (2021). *Relational Analytics: Guidelines for Analysis and Action*.
Routledge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bridgework.analysis.privacy import DEFAULT_MIN_GROUP_SIZE, check_min_group_size
from bridgework.analysis.rc_instrument import BUILTIN_INSTRUMENT, DIMENSIONS, Instrument

__all__ = [
    "BAND_BASIS",
    "LONG_COLUMNS",
    "NOT_ANSWERED",
    "Bands",
    "RCSettings",
    "ScoredResponses",
    "score_responses",
]

#: Columns of the long format every RC function accepts.
LONG_COLUMNS = ("respondent_id", "respondent_workgroup", "target_workgroup", "dimension", "score")
#: Texts (compared in upper case) that mean "not answered" in the score column.
NOT_ANSWERED = frozenset({"", "NA", "N/A"})
#: How the default band cut-offs must be described wherever they are shown.
BAND_BASIS = "conventional cut-offs, not validated norms"
# Band edges are compared after rounding, so a mean of 4.0 computed as 3.9999999999 is 4.0.
_BAND_DECIMALS = 9


@dataclass(frozen=True)
class Bands:
    """Tie-strength bands: below ``cutoffs[0]`` weak, above ``cutoffs[1]`` strong, else moderate.

    The defaults (3.5 and 4.0) are conventional cut-offs used in RC practice, not validated
    norms; networks may set their own.

    Examples
    --------
    >>> bands = Bands()
    >>> [bands.classify(x) for x in (3.49, 3.5, 4.0, 4.01)]
    ['weak', 'moderate', 'moderate', 'strong']
    """

    cutoffs: tuple[float, float] = (3.5, 4.0)
    labels: tuple[str, str, str] = ("weak", "moderate", "strong")

    def __post_init__(self) -> None:
        low, high = self.cutoffs
        if not 1 <= low <= high <= 5:
            raise ValueError("band cut-offs must satisfy 1 ≤ low ≤ high ≤ 5")
        if len(self.labels) != 3 or len(set(self.labels)) != 3:
            raise ValueError("bands need three distinct labels")

    def classify(self, value: float | None) -> str | None:
        """Band label of ``value`` (``None`` for a missing value)."""
        if value is None or np.isnan(value):
            return None
        rounded = round(float(value), _BAND_DECIMALS)
        if rounded < self.cutoffs[0]:
            return self.labels[0]
        if rounded > self.cutoffs[1]:
            return self.labels[2]
        return self.labels[1]


@dataclass(frozen=True)
class RCSettings:
    """Every choice an RC analysis depends on; echoed in its output so it can be reproduced.

    Parameters
    ----------
    min_group_size : int, default 5
        Fewest respondents behind any figure shown; never below 3.
    min_items : int, default 5
        Answered dimensions (of 7) needed for a respondent → target index.
    bands : Bands
        Tie-strength cut-offs.
    bootstrap : int, default 1000
        Bootstrap replicates for confidence intervals; 0 for none.
    confidence : float, default 0.95
        Level of the intervals.
    seed : int or None
        Seed of the random generator; ``None`` picks one, which the result reports.
    """

    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    min_items: int = 5
    bands: Bands = field(default_factory=Bands)
    bootstrap: int = 1000
    confidence: float = 0.95
    seed: int | None = None

    def __post_init__(self) -> None:
        check_min_group_size(self.min_group_size)
        if not 1 <= self.min_items <= len(DIMENSIONS):
            raise ValueError(f"min_items must be between 1 and {len(DIMENSIONS)}")
        if self.bootstrap < 0:
            raise ValueError("bootstrap replicates cannot be negative")
        if not 0 < self.confidence < 1:
            raise ValueError("confidence must be between 0 and 1")


@dataclass(frozen=True, eq=False)
class ScoredResponses:
    """Dense scored answers: respondents × workgroups (sorted) × dimensions.

    Respondents are ordered by workgroup, then by their answers (see ``_canonical_order``).

    ``dims[r, t, d]`` is respondent r's score of target t on dimension d, NaN when unanswered
    or when the pair did not qualify for an index; ``index``, ``communication`` and
    ``relationship`` are (respondents × workgroups), NaN where not computed. ``group[r]`` is
    the code of respondent r's own workgroup; ``rated[w]`` says whether workgroup w appears as
    a target at all.
    """

    workgroups: tuple[str, ...]
    respondent_ids: np.ndarray
    group: np.ndarray
    rated: np.ndarray
    dims: np.ndarray
    index: np.ndarray
    communication: np.ndarray
    relationship: np.ndarray

    @property
    def qualified(self) -> np.ndarray:
        """Where a respondent → target index exists."""
        return ~np.isnan(self.index)


def _as_scores(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(column):
        return column.to_numpy(dtype=float, na_value=np.nan)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    texts = pd.Series(uniques, dtype=object).astype(str).str.strip()
    blank = texts.str.upper().isin(NOT_ANSWERED)
    parsed = pd.to_numeric(texts.where(~blank), errors="coerce")
    if (parsed.isna() & ~blank).any():
        raise ValueError("scores must be numbers from 1 to 5, or empty / NA")
    lookup = np.append(parsed.to_numpy(dtype=float, na_value=np.nan), np.nan)
    return lookup[codes]


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a text column, with its distinct values as text, sorted.

    Categorical and string columns are factorised directly (no per-row conversion); other
    values are compared by their text, so ``1`` and ``"1"`` are the same workgroup.
    """
    codes, uniques = pd.factorize(column)
    if (codes < 0).any() or column.isna().any():
        raise ValueError(f"column {column.name} has missing values")
    texts = np.array([str(value) for value in uniques], dtype=object)
    distinct, remap = np.unique(texts, return_inverse=True)
    return remap[codes], distinct


def score_responses(
    frame: pd.DataFrame,
    *,
    instrument: Instrument = BUILTIN_INSTRUMENT,
    min_items: int = 5,
) -> ScoredResponses:
    """Score long-format answers into respondent → target indices and subscales.

    Parameters
    ----------
    frame : DataFrame
        Columns :data:`LONG_COLUMNS`; ``score`` is the answer position 1–5 (numbers or text),
        NaN/empty/``"NA"`` for "no answer". Other columns are ignored.
    instrument : Instrument
        Supplies the answer key (e.g. the adequacy recode of the frequency item) and subscales.
    min_items : int, default 5
        Answered dimensions needed for an index.

    Returns
    -------
    ScoredResponses

    Raises
    ------
    ValueError
        Missing columns, unknown dimensions, scores outside 1–5 or not whole, a respondent
        with two workgroups, or the same answer twice. (The file readers in
        ``bridgework.datasets.rc_responses`` report these by row first; this is the guard for
        callers handing over a DataFrame directly.)

    Examples
    --------
    >>> rows = [("r1", "A", "B", d, 4) for d in DIMENSIONS[:5]]
    >>> scored = score_responses(pd.DataFrame(rows, columns=LONG_COLUMNS))
    >>> scored.workgroups, scored.index.tolist()
    (('A', 'B'), [[nan, 4.0]])

    Notes
    -----
    Vectorised: factorising the text columns and one scatter into a dense
    (respondents × workgroups × 7) array, O(rows + respondents · workgroups).
    """
    missing = [column for column in LONG_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    respondent, respondent_ids = _codes(frame["respondent_id"])
    rater_codes, rater_names = _codes(frame["respondent_workgroup"])
    target_codes, target_names = _codes(frame["target_workgroup"])
    workgroups = tuple(sorted(set(rater_names.tolist()) | set(target_names.tolist())))
    position = {name: code for code, name in enumerate(workgroups)}
    rater = np.array([position[name] for name in rater_names], dtype=np.int64)[rater_codes]
    target = np.array([position[name] for name in target_names], dtype=np.int64)[target_codes]
    dim_codes, dim_names = _codes(frame["dimension"])
    unknown = sorted(set(dim_names.tolist()) - set(DIMENSIONS))
    if unknown:
        raise ValueError(f"unknown dimension(s): {', '.join(unknown)}")
    dimension = np.array([DIMENSIONS.index(name) for name in dim_names], dtype=np.int64)[dim_codes]

    answers = _as_scores(frame["score"])
    answered = ~np.isnan(answers)
    valid = np.isin(answers[answered], (1, 2, 3, 4, 5))
    if not valid.all():
        raise ValueError("scores must be whole numbers from 1 to 5, or missing")
    scores = np.full(answers.shape, np.nan)
    table = instrument.score_table()
    scores[answered] = table[dimension[answered], answers[answered].astype(np.int64)]

    n_resp, n_wg, n_dim = len(respondent_ids), len(workgroups), len(DIMENSIONS)
    group = np.full(n_resp, -1, dtype=np.int64)
    group[respondent] = rater
    if (group[respondent] != rater).any():
        raise ValueError("a respondent is given more than one workgroup")
    flat = (respondent * n_wg + target) * n_dim + dimension
    if np.bincount(flat, minlength=n_resp * n_wg * n_dim).max(initial=0) > 1:
        raise ValueError("the same respondent answers a dimension for a target more than once")
    dims = np.full(n_resp * n_wg * n_dim, np.nan)
    dims[flat] = scores
    dims = dims.reshape(n_resp, n_wg, n_dim)

    present = ~np.isnan(dims)
    qualifies = present.sum(axis=2) >= min_items
    dims[~qualifies] = np.nan
    filled = np.nan_to_num(dims)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = filled.sum(axis=2) / present.sum(axis=2)
        comm = instrument_mask(instrument, "communication")
        rel = ~comm
        communication = filled[:, :, comm].sum(axis=2) / present[:, :, comm].sum(axis=2)
        relationship = filled[:, :, rel].sum(axis=2) / present[:, :, rel].sum(axis=2)
    index[~qualifies] = np.nan
    communication[~qualifies] = np.nan
    relationship[~qualifies] = np.nan
    order = _canonical_order(group, dims)
    return ScoredResponses(
        workgroups=workgroups,
        respondent_ids=respondent_ids[order],
        group=group[order],
        rated=np.isin(np.arange(n_wg), target),
        dims=dims[order],
        index=index[order],
        communication=communication[order],
        relationship=relationship[order],
    )


def _canonical_order(group: np.ndarray, dims: np.ndarray) -> np.ndarray:
    """Respondents ordered by workgroup, then by their answers (never by their labels).

    Floating-point sums depend on the order of their terms, and the bootstrap draws
    respondents by position: ordering by content makes every figure (to the last bit) and
    every interval independent of how respondents happen to be labelled. Respondents with
    identical answers are interchangeable, so the order among them does not matter.
    """
    flat = np.nan_to_num(dims.reshape(len(group), -1), nan=-1.0)
    # lexsort sorts by the last key first: workgroup is the primary key.
    return np.lexsort((*flat.T[::-1], group)) if len(group) else np.arange(0)


def instrument_mask(instrument: Instrument, subscale: str) -> np.ndarray:
    """Boolean mask over :data:`DIMENSIONS` of the items in ``subscale``."""
    members = set(instrument.subscale_members(subscale))
    return np.array([key in members for key in DIMENSIONS])

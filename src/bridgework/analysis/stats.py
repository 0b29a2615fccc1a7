"""Statistics behind RC figures: reliability, agreement, resampling and effect sizes.

* :func:`cronbach_alpha` — internal consistency of the items of a scale;
* :func:`rwg_j` — within-group agreement on a multi-item scale (James, Demaree & Wolf 1984);
* :func:`one_way_anova` and :func:`icc_from_anova` — ICC(1) and ICC(2) of a measure by group
  (Bliese 2000), with the ANOVA table they come from;
* :func:`bootstrap_sums` — respondent-level bootstrap, stratified by group, vectorised as
  count-weighted matrix products so 1,000 replicates of a 100,000-respondent matrix take
  seconds, not hours; :func:`percentile_interval` turns replicates into intervals;
* :func:`permutation_sums` and :func:`permutation_p_value` — label-permutation tests
  (respondents swap waves within their group);
* :func:`cohens_d` — standardised mean difference with a pooled SD.

Everything takes numpy arrays and is pure.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
*Psychometrika* 16, 297–334.
James, L. R., Demaree, R. G. & Wolf, G. (1984). Estimating within-group interrater reliability
with and without response bias. *Journal of Applied Psychology* 69, 85–98.
LeBreton, J. M. & Senter, J. L. (2008). Answers to 20 questions about interrater reliability
and interrater agreement. *Organizational Research Methods* 11, 815–852.
Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In Klein &
Kozlowski (eds.), *Multilevel Theory, Research, and Methods in Organizations*. Jossey-Bass.
Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*. 2nd ed. Erlbaum.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import stats as _scipy_stats

__all__ = [
    "IntraclassCorrelation",
    "OneWayAnova",
    "bootstrap_sums",
    "cohens_d",
    "cronbach_alpha",
    "icc_from_anova",
    "one_way_anova",
    "percentile_interval",
    "permutation_p_value",
    "permutation_sums",
    "rwg_j",
    "uniform_null_variance",
]

#: Draws held in memory at once while resampling (replicates × respondents of one group).
_CHUNK_DRAWS = 4_000_000


def cronbach_alpha(items: np.ndarray) -> float | None:
    """Cronbach's alpha of a scale, from complete rows.

    Parameters
    ----------
    items : ndarray, shape (n, k)
        One row per rating, one column per item; rows with any NaN are dropped (listwise).

    Returns
    -------
    float or None
        ``k / (k - 1) · (1 - Σ var(item) / var(Σ items))`` with sample variances (ddof 1);
        ``None`` with fewer than two items, fewer than two complete rows, or no variance.

    Examples
    --------
    >>> cronbach_alpha(np.array([[1, 2], [2, 3], [3, 3], [4, 5]]))
    0.96

    Notes
    -----
    O(n · k).
    """
    data = np.asarray(items, dtype=float)
    if data.ndim != 2 or data.shape[1] < 2:
        return None
    data = data[~np.isnan(data).any(axis=1)]
    if data.shape[0] < 2:
        return None
    k = data.shape[1]
    total_variance = data.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return None
    return float(k / (k - 1) * (1 - data.var(axis=0, ddof=1).sum() / total_variance))


def uniform_null_variance(n_options: int) -> float:
    """Variance of answers given at random on an ``n_options``-point scale: ``(A² − 1) / 12``.

    >>> uniform_null_variance(5)
    2.0
    """
    return (n_options**2 - 1) / 12


def rwg_j(mean_item_variance: float, n_items: int, n_options: int = 5) -> float:
    """Within-group agreement rwg(J) on a J-item scale.

    Parameters
    ----------
    mean_item_variance : float
        Mean over the J items of the observed within-group variance of each item.
    n_items : int
        J, the number of items.
    n_options : int, default 5
        Answer options; the null is a uniform (random-answer) distribution.

    Returns
    -------
    float
        ``J(1 − s̄²/σ²E) / (J(1 − s̄²/σ²E) + s̄²/σ²E)``, in [0, 1]. When the observed variance
        exceeds the random-answer variance the ratio is truncated to 1, giving 0, as
        recommended by LeBreton & Senter (2008).

    Examples
    --------
    >>> rwg_j(0.5, 7)
    0.9545454545454546
    >>> rwg_j(3.0, 7)
    0.0

    Notes
    -----
    O(1).
    """
    ratio = min(mean_item_variance / uniform_null_variance(n_options), 1.0)
    agreement = n_items * (1 - ratio)
    return float(agreement / (agreement + ratio)) if agreement + ratio > 0 else 0.0


@dataclass(frozen=True)
class OneWayAnova:
    """One-way ANOVA table of a measure by group; ``k0`` is the adjusted mean group size."""

    n: int
    n_groups: int
    df_between: int
    df_within: int
    ss_between: float
    ss_within: float
    ms_between: float
    ms_within: float
    f: float | None
    p_value: float | None
    k0: float


@dataclass(frozen=True)
class IntraclassCorrelation:
    """ICC(1): share of variance due to group; ICC(2): reliability of group means."""

    icc1: float | None
    icc2: float | None


def one_way_anova(values: np.ndarray, groups: np.ndarray) -> OneWayAnova | None:
    """One-way ANOVA of ``values`` by ``groups`` (integer or label codes).

    Returns
    -------
    OneWayAnova or None
        ``None`` with fewer than two groups or no within-group degrees of freedom.

    Examples
    --------
    >>> table = one_way_anova(np.array([1., 2, 3, 4, 5, 6]), np.array([0, 0, 0, 1, 1, 1]))
    >>> table.ss_between, table.ss_within, table.f
    (13.5, 4.0, 13.5)

    Notes
    -----
    ``k0 = (N − Σ n_g² / N) / (G − 1)`` (Bliese 2000) handles unequal group sizes. O(N).
    """
    values = np.asarray(values, dtype=float)
    _, codes = np.unique(np.asarray(groups), return_inverse=True)
    n = values.size
    n_groups = int(codes.max()) + 1 if n else 0
    if n_groups < 2 or n - n_groups < 1:
        return None
    sizes = np.bincount(codes, minlength=n_groups).astype(float)
    means = np.bincount(codes, weights=values, minlength=n_groups) / sizes
    grand = values.mean()
    ss_between = float((sizes * (means - grand) ** 2).sum())
    ss_within = float(((values - means[codes]) ** 2).sum())
    df_between, df_within = n_groups - 1, n - n_groups
    ms_between, ms_within = ss_between / df_between, ss_within / df_within
    if ms_within > 0:
        f = ms_between / ms_within
        p_value = float(_scipy_stats.f.sf(f, df_between, df_within))
    else:
        f, p_value = None, None
    k0 = (n - (sizes**2).sum() / n) / df_between
    return OneWayAnova(
        n,
        n_groups,
        df_between,
        df_within,
        ss_between,
        ss_within,
        ms_between,
        ms_within,
        f,
        p_value,
        float(k0),
    )


def icc_from_anova(table: OneWayAnova | None) -> IntraclassCorrelation:
    """ICC(1) and ICC(2) from a one-way ANOVA table.

    ``ICC(1) = (MSB − MSW) / (MSB + (k0 − 1) MSW)`` and ``ICC(2) = (MSB − MSW) / MSB``
    (Bliese 2000). Either is ``None`` when undefined (zero denominator).

    Examples
    --------
    >>> icc_from_anova(one_way_anova(np.array([1., 2, 3, 4, 5, 6]), np.array([0, 0, 0, 1, 1, 1])))
    IntraclassCorrelation(icc1=0.8064516129032258, icc2=0.9259259259259259)
    """
    if table is None:
        return IntraclassCorrelation(None, None)
    msb, msw = table.ms_between, table.ms_within
    denominator = msb + (table.k0 - 1) * msw
    icc1 = (msb - msw) / denominator if denominator > 0 else None
    icc2 = (msb - msw) / msb if msb > 0 else None
    return IntraclassCorrelation(icc1, icc2)


def _stratum_members(strata: np.ndarray, n_strata: int) -> list[np.ndarray]:
    order = np.argsort(strata, kind="stable")
    bounds = np.searchsorted(strata[order], np.arange(n_strata + 1))
    return [order[bounds[g] : bounds[g + 1]] for g in range(n_strata)]


def _chunks(total: int, members: int) -> Iterator[tuple[int, int]]:
    size = max(1, _CHUNK_DRAWS // max(members, 1))
    for start in range(0, total, size):
        yield start, min(total, start + size)


def bootstrap_sums(
    values: np.ndarray,
    mask: np.ndarray,
    strata: np.ndarray,
    n_strata: int,
    replicates: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Respondent-level bootstrap of group × column sums, resampling within each group.

    Parameters
    ----------
    values : ndarray, shape (n, t)
        One row per respondent (e.g. their RC index for each target); NaN where missing.
    mask : ndarray of bool, shape (n, t)
        Where ``values`` is present (NaN elsewhere is ignored).
    strata : ndarray of int, shape (n,)
        Group code 0..``n_strata``-1 of each respondent; each group keeps its size.
    n_strata, replicates : int
    rng : numpy.random.Generator

    Returns
    -------
    sums, counts : ndarray, shape (replicates, n_strata, t)
        Per replicate, the sum of present values and the number of them, by group and column;
        ``sums / counts`` are the replicate means. Respondents, not answers, are resampled,
        so one respondent's answers stay together.

    Examples
    --------
    >>> sums, counts = bootstrap_sums(np.array([[1.], [3.]]), np.array([[True], [True]]),
    ...                               np.array([0, 0]), 1, 200, np.random.default_rng(0))
    >>> sorted(set((sums / counts).ravel().tolist()))
    [1.0, 2.0, 3.0]

    Notes
    -----
    Each replicate draws a multinomial count per respondent (uniform draws then a
    ``bincount``) and takes a count-weighted matrix product, so the cost is
    O(replicates · n · t) in BLAS, in chunks of about four million draws of memory.
    """
    values = np.where(mask, values, 0.0).astype(float)
    weights = mask.astype(float)
    sums = np.zeros((replicates, n_strata, values.shape[1]))
    counts = np.zeros_like(sums)
    for g, members in enumerate(_stratum_members(strata, n_strata)):
        size = members.size
        if size == 0:
            continue
        group_values, group_weights = values[members], weights[members]
        for start, stop in _chunks(replicates, size):
            b = stop - start
            draws = rng.integers(0, size, size=(b, size))
            draws += (np.arange(b) * size)[:, None]
            multiplicity = np.bincount(draws.ravel(), minlength=b * size).reshape(b, size)
            multiplicity = multiplicity.astype(float)
            sums[start:stop, g] = multiplicity @ group_values
            counts[start:stop, g] = multiplicity @ group_weights
    return sums, counts


def percentile_interval(
    replicates: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval along axis 0, ignoring NaN replicates.

    Examples
    --------
    >>> low, high = percentile_interval(np.arange(101.0)[:, None])
    >>> round(float(low[0]), 6), round(float(high[0]), 6)
    (2.5, 97.5)
    """
    alpha = (1 - confidence) / 2
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            low = np.nanquantile(replicates, alpha, axis=0)
            high = np.nanquantile(replicates, 1 - alpha, axis=0)
    return low, high


def permutation_sums(
    values: np.ndarray,
    mask: np.ndarray,
    strata: np.ndarray,
    labels: np.ndarray,
    n_strata: int,
    permutations: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Group × column sums of two samples after shuffling sample labels within each group.

    Parameters
    ----------
    values, mask : ndarray, shape (n, t)
        Respondents of both samples stacked.
    strata : ndarray of int, shape (n,)
        Group of each respondent; labels are only exchanged inside a group.
    labels : ndarray of bool, shape (n,)
        ``True`` for the second sample ("after").
    n_strata, permutations : int
    rng : numpy.random.Generator

    Returns
    -------
    sums_after, counts_after, sums_before, counts_before : ndarray
        Each of shape (permutations, n_strata, t).

    Examples
    --------
    >>> s1, c1, s0, c0 = permutation_sums(
    ...     np.array([[1.], [2.], [3.]]), np.ones((3, 1), bool), np.zeros(3, int),
    ...     np.array([False, True, True]), 1, 50, np.random.default_rng(1))
    >>> bool(np.all(c1 == 2)), bool(np.all(s0 + s1 == 6))
    (True, True)

    Notes
    -----
    Each permutation ranks uniform draws within the group (an exact random permutation) and
    takes a matrix product: O(permutations · n · (t + log n)).
    """
    values = np.where(mask, values, 0.0).astype(float)
    weights = mask.astype(float)
    t = values.shape[1]
    sums_after = np.zeros((permutations, n_strata, t))
    counts_after = np.zeros_like(sums_after)
    sums_before = np.zeros_like(sums_after)
    counts_before = np.zeros_like(sums_after)
    for g, members in enumerate(_stratum_members(strata, n_strata)):
        size = members.size
        if size == 0:
            continue
        n_after = int(labels[members].sum())
        group_values, group_weights = values[members], weights[members]
        total_sum, total_count = group_values.sum(axis=0), group_weights.sum(axis=0)
        for start, stop in _chunks(permutations, size):
            ranks = np.argsort(rng.random((stop - start, size)), axis=1)
            indicator = (ranks < n_after).astype(float)
            sums_after[start:stop, g] = indicator @ group_values
            counts_after[start:stop, g] = indicator @ group_weights
        sums_before[:, g] = total_sum - sums_after[:, g]
        counts_before[:, g] = total_count - counts_after[:, g]
    return sums_after, counts_after, sums_before, counts_before


def permutation_p_value(observed: np.ndarray, replicated: np.ndarray) -> np.ndarray:
    """Two-sided permutation p-value ``(1 + #{|d*| ≥ |d|}) / (1 + P)``, NaN where undefined.

    Examples
    --------
    >>> float(permutation_p_value(np.array(2.0), np.array([0.5, -3.0, 1.0, 2.0])))
    0.6
    """
    observed = np.asarray(observed, dtype=float)
    replicated = np.asarray(replicated, dtype=float)
    tolerance = 1e-12 * np.maximum(1.0, np.abs(observed))
    extreme = np.abs(replicated) >= np.abs(observed) - tolerance
    valid = ~np.isnan(replicated)
    p = (1 + (extreme & valid).sum(axis=0)) / (1 + valid.sum(axis=0))
    return np.where(np.isnan(observed), np.nan, p)


def cohens_d(before: np.ndarray, after: np.ndarray) -> float | None:
    """Cohen's d of ``after − before`` with the pooled standard deviation (ddof 1).

    Returns ``None`` with fewer than two observations in either sample or no variance.

    Examples
    --------
    >>> cohens_d(np.array([1., 2, 3]), np.array([2., 3, 4]))
    1.0
    """
    a = np.asarray(before, dtype=float)
    b = np.asarray(after, dtype=float)
    if a.size < 2 or b.size < 2:
        return None
    pooled = ((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / (a.size + b.size - 2)
    if pooled <= 0:
        return None
    return float((b.mean() - a.mean()) / np.sqrt(pooled))

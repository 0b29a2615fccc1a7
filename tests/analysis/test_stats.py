"""Tests for bridgework.analysis.stats against hand computations and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from bridgework.analysis.stats import (
    bootstrap_sums,
    cohens_d,
    cronbach_alpha,
    icc_from_anova,
    one_way_anova,
    percentile_interval,
    permutation_p_value,
    permutation_sums,
    rwg_j,
    uniform_null_variance,
)


def test_cronbach_alpha_hand_computed():
    # item variances 5/3 and 19/12, total variance 25/4: alpha = 2 (1 - 3.25 / 6.25) = 0.96
    items = np.array([[1, 2], [2, 3], [3, 3], [4, 5]])
    assert cronbach_alpha(items) == pytest.approx(0.96)


def test_cronbach_alpha_drops_incomplete_rows_and_handles_degenerate_input():
    items = np.array([[1, 2], [2, 3], [3, 3], [4, 5], [np.nan, 1]])
    assert cronbach_alpha(items) == pytest.approx(0.96)
    assert cronbach_alpha(np.ones((5, 3))) is None
    assert cronbach_alpha(np.array([[1.0, 2.0]])) is None
    assert cronbach_alpha(np.array([[1.0], [2.0]])) is None


def test_rwg_j_hand_computed():
    # s² = 0.5, σ²E = 2 → ratio 0.25; J = 7: 7·0.75 / (7·0.75 + 0.25) = 5.25 / 5.5
    assert rwg_j(0.5, 7) == pytest.approx(5.25 / 5.5)
    assert rwg_j(0.0, 7) == 1.0
    assert rwg_j(2.5, 7) == 0.0  # more variance than random answers: truncated to 0
    assert uniform_null_variance(7) == 4.0


def test_one_way_anova_matches_scipy_and_hand_values():
    values = np.array([1.0, 2, 3, 4, 5, 6, 2, 9])
    groups = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    table = one_way_anova(values, groups)
    f, p = scipy_stats.f_oneway(values[groups == 0], values[groups == 1], values[groups == 2])
    assert table.f == pytest.approx(f)
    assert table.p_value == pytest.approx(p)
    assert (table.df_between, table.df_within) == (2, 5)
    # k0 = (8 − (9 + 9 + 4) / 8) / 2
    assert table.k0 == pytest.approx((8 - 22 / 8) / 2)


def test_icc_hand_computed():
    table = one_way_anova(np.array([1.0, 2, 3, 4, 5, 6]), np.array([0, 0, 0, 1, 1, 1]))
    # MSB = 13.5, MSW = 1, k0 = 3
    icc = icc_from_anova(table)
    assert icc.icc1 == pytest.approx(12.5 / 15.5)
    assert icc.icc2 == pytest.approx(12.5 / 13.5)
    assert icc_from_anova(None).icc1 is None
    assert one_way_anova(np.array([1.0, 2.0]), np.array([0, 0])) is None


def test_bootstrap_keeps_group_sizes_and_resamples_whole_respondents():
    values = np.array([[1.0, 5.0], [2.0, np.nan], [4.0, 4.0], [3.0, 3.0]])
    mask = ~np.isnan(values)
    strata = np.array([0, 0, 1, 1])
    sums, counts = bootstrap_sums(values, mask, strata, 2, 300, np.random.default_rng(0))
    assert sums.shape == (300, 2, 2)
    # column 0 is always present: each group keeps its two respondents
    assert np.all(counts[:, :, 0] == 2)
    # respondent 1 has no column-1 value: count of column 1 in group 0 is how often r0 drawn
    assert set(np.unique(counts[:, 0, 1])) <= {0, 1, 2}
    means = sums[:, 0, 0] / counts[:, 0, 0]
    assert set(np.round(means, 6)) <= {1.0, 1.5, 2.0}


def test_bootstrap_mean_matches_plain_loop_in_distribution():
    rng = np.random.default_rng(5)
    values = rng.normal(3, 1, size=(200, 1))
    sums, counts = bootstrap_sums(
        values, np.ones_like(values, bool), np.zeros(200, int), 1, 2000, np.random.default_rng(1)
    )
    fast = (sums / counts)[:, 0, 0]
    loop_rng = np.random.default_rng(2)
    slow = [values[loop_rng.integers(0, 200, 200), 0].mean() for _ in range(2000)]
    assert fast.std() == pytest.approx(np.std(slow), rel=0.1)
    assert fast.std() == pytest.approx(values.std(ddof=0) / np.sqrt(200), rel=0.1)


def test_percentile_interval_ignores_nan():
    replicates = np.concatenate([np.arange(101.0), [np.nan] * 10])[:, None]
    low, high = percentile_interval(replicates, 0.9)
    assert (low[0], high[0]) == pytest.approx((5.0, 95.0))


def test_permutation_sums_preserve_totals_and_group_sizes():
    values = np.arange(10.0)[:, None]
    strata = np.array([0] * 5 + [1] * 5)
    labels = np.array([0, 1, 0, 1, 1, 1, 0, 0, 0, 1], bool)
    sa, ca, sb, _cb = permutation_sums(
        values, np.ones_like(values, bool), strata, labels, 2, 100, np.random.default_rng(0)
    )
    assert np.all(ca[:, 0, 0] == 3)
    assert np.all(ca[:, 1, 0] == 2)
    assert np.allclose(sa[:, 0, 0] + sb[:, 0, 0], 10.0)
    assert np.allclose(sa[:, 1, 0] + sb[:, 1, 0], 35.0)


def test_permutation_p_value_two_sided_hand_computed():
    assert permutation_p_value(np.array(2.0), np.array([0.5, -3.0, 1.0, 2.0])) == 0.6
    assert np.isnan(permutation_p_value(np.array(np.nan), np.array([1.0])))


def test_permutation_test_finds_a_real_shift_and_not_a_null_one():
    rng = np.random.default_rng(3)
    before, after = rng.normal(3, 0.5, 60), rng.normal(3.6, 0.5, 60)
    values = np.concatenate([before, after])[:, None]
    labels = np.r_[np.zeros(60, bool), np.ones(60, bool)]
    sa, ca, sb, cb = permutation_sums(
        values, np.ones_like(values, bool), np.zeros(120, int), labels, 1, 500, rng
    )
    p = permutation_p_value(np.array(after.mean() - before.mean()), (sa / ca - sb / cb)[:, 0, 0])
    assert p < 0.01
    result = scipy_stats.permutation_test(
        (before, after), lambda a, b: b.mean() - a.mean(), n_resamples=500, random_state=1
    )
    assert result.pvalue < 0.01


def test_cohens_d_hand_computed():
    assert cohens_d(np.array([1.0, 2, 3]), np.array([2.0, 3, 4])) == pytest.approx(1.0)
    assert cohens_d(np.array([1.0]), np.array([2.0, 3])) is None
    assert cohens_d(np.array([1.0, 1.0]), np.array([1.0, 1.0])) is None

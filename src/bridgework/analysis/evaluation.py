"""What a coffee programme changed: a randomised comparison of matched and held-out people.

Each round of a programme may hold out a random share of its participants (see
:class:`bridgework.matching.Policy` ``holdout``). Because who is held out is decided by a seeded
draw, not by anyone's choice, the held-out people are a fair comparison group for the matched
ones. Two questions are answered here:

* :func:`compare_tie_formation` — of the people matched and of those held out, what share later
  report a working tie with someone in another organisation (for example in the next network
  wave)? The difference of the two shares, its Newcombe hybrid-score interval and Fisher's
  exact p-value.
* :func:`compare_rc_change` — did Relational Coordination between the workgroups that were
  bridged by matches move more than between the other workgroup pairs? The difference of the
  mean changes, a percentile bootstrap interval and a permutation p-value.
  :func:`rc_changes` turns two waves' RC scores per workgroup pair into those changes.

Every result carries a plain-language ``caution`` when the numbers are too small to read much
into them; :func:`small_numbers_caution` writes it. Everything is pure (numpy and scipy).

References
----------
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873–890.
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*Journal of the American Statistical Association* 22, 209–212.
Fisher, R. A. (1935). *The Design of Experiments*. Oliver & Boyd.
Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Gittell, J. H. & Ali, H. N. (2021). *Relational Analytics*. Edward Elgar.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _scipy_stats

__all__ = [
    "MIN_GROUP_FOR_CONFIDENCE",
    "MeanComparison",
    "ProportionComparison",
    "compare_rc_change",
    "compare_tie_formation",
    "newcombe_interval",
    "rc_changes",
    "small_numbers_caution",
    "wilson_interval",
]

#: Below this many people (or workgroup pairs) in either group a result carries a caution.
MIN_GROUP_FOR_CONFIDENCE = 30

#: Exact permutation tests are used up to this many distinct relabelings, Monte Carlo above.
_EXACT_PERMUTATIONS = 20_000


@dataclass(frozen=True)
class ProportionComparison:
    """Shares of two groups with an outcome, and their difference (treated minus control)."""

    treated_n: int
    treated_events: int
    control_n: int
    control_events: int
    treated_share: float | None
    control_share: float | None
    difference: float | None
    ci: tuple[float, float] | None
    p_value: float | None
    confidence: float
    caution: str | None

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready form (for pages and exports)."""
        return {
            "treated_n": self.treated_n,
            "treated_events": self.treated_events,
            "control_n": self.control_n,
            "control_events": self.control_events,
            "treated_share": self.treated_share,
            "control_share": self.control_share,
            "difference": self.difference,
            "ci": list(self.ci) if self.ci else None,
            "p_value": self.p_value,
            "confidence": self.confidence,
            "caution": self.caution,
        }


@dataclass(frozen=True)
class MeanComparison:
    """Mean of a measure in two groups, and their difference (treated minus control)."""

    treated_n: int
    control_n: int
    treated_mean: float | None
    control_mean: float | None
    difference: float | None
    ci: tuple[float, float] | None
    p_value: float | None
    confidence: float
    exact: bool
    caution: str | None

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready form (for pages and exports)."""
        return {
            "treated_n": self.treated_n,
            "control_n": self.control_n,
            "treated_mean": self.treated_mean,
            "control_mean": self.control_mean,
            "difference": self.difference,
            "ci": list(self.ci) if self.ci else None,
            "p_value": self.p_value,
            "confidence": self.confidence,
            "exact": self.exact,
            "caution": self.caution,
        }


def _check_confidence(confidence: float) -> float:
    if not 0.5 <= confidence < 1:
        raise ValueError("confidence must be in [0.5, 1)")
    return float(_scipy_stats.norm.ppf(1 - (1 - confidence) / 2))


def wilson_interval(events: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``events / n``.

    Parameters
    ----------
    events, n : int
        Successes and trials, ``0 <= events <= n``, ``n >= 1``.
    confidence : float
        Coverage, for example 0.95.

    Returns
    -------
    (low, high) : tuple of float
        Always inside [0, 1], and never of zero width even at 0 or ``n`` events — why it is
        preferred to the Wald interval for the small groups a programme produces.

    Examples
    --------
    >>> low, high = wilson_interval(0, 10)
    >>> round(low, 4), round(high, 4)
    (0.0, 0.2775)

    Notes
    -----
    O(1). Wilson (1927); Newcombe (1998) method 3.
    """
    if n < 1 or not 0 <= events <= n:
        raise ValueError("need n >= 1 and 0 <= events <= n")
    z = _check_confidence(confidence)
    p = events / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(
    events_1: int, n_1: int, events_2: int, n_2: int, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for the difference of two proportions ``p1 - p2``.

    Parameters
    ----------
    events_1, n_1, events_2, n_2 : int
        Events and group sizes of the two independent groups.
    confidence : float
        Coverage.

    Returns
    -------
    (low, high) : tuple of float
        Inside [-1, 1].

    Examples
    --------
    Newcombe's (1998) worked example, 56/70 against 48/80:

    >>> low, high = newcombe_interval(56, 70, 48, 80)
    >>> round(low, 4), round(high, 4)
    (0.0524, 0.3339)

    Notes
    -----
    O(1). Method 10 of Newcombe (1998): combines the two Wilson intervals; good coverage down to
    small groups and no aberrations at 0 or ``n`` events.
    """
    p1, p2 = events_1 / n_1, events_2 / n_2
    l1, u1 = wilson_interval(events_1, n_1, confidence=confidence)
    l2, u2 = wilson_interval(events_2, n_2, confidence=confidence)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return max(-1.0, low), min(1.0, high)


def small_numbers_caution(
    treated_n: int, control_n: int, *, unit: str = "people", minimum: int = MIN_GROUP_FOR_CONFIDENCE
) -> str | None:
    """A plain-language caution when either group is small, else ``None``.

    Examples
    --------
    >>> small_numbers_caution(40, 40) is None
    True
    >>> small_numbers_caution(12, 3)
    'Only 12 matched and 3 held-out people: a difference this size could easily be chance. Read it as a hint, not a finding.'
    """  # noqa: E501
    if treated_n == 0 or control_n == 0:
        missing = "matched" if treated_n == 0 else "held-out"
        return f"There are no {missing} {unit} yet, so nothing can be compared."
    if min(treated_n, control_n) < minimum:
        return (
            f"Only {treated_n} matched and {control_n} held-out {unit}: a difference this size "
            "could easily be chance. Read it as a hint, not a finding."
        )
    return None


def _as_bools(values: Iterable[bool]) -> np.ndarray:
    array = np.asarray(list(values), dtype=object)
    if array.size and not all(isinstance(v, bool | np.bool_) for v in array):
        raise ValueError("outcomes must be True or False")
    return array.astype(bool)


def compare_tie_formation(
    matched: Iterable[bool], held_out: Iterable[bool], *, confidence: float = 0.95
) -> ProportionComparison:
    """Share of matched and of held-out people who later report a tie, and the difference.

    Parameters
    ----------
    matched, held_out : iterable of bool
        One outcome per person: did they later report a tie (for example, a working tie across
        organisations in the next network wave)? People who did not answer are left out by the
        caller, not counted as ``False``.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    ProportionComparison
        Shares, difference (matched minus held out), Newcombe's interval, Fisher's exact
        two-sided p-value and a caution when the groups are small. With an empty group the
        figures are ``None`` and only the caution says why.

    Examples
    --------
    >>> result = compare_tie_formation([True, True, True], [False, False, False])
    >>> result.difference, round(result.p_value, 3)
    (1.0, 0.1)

    Notes
    -----
    O(n). The holdout is drawn at random, so the difference estimates the effect of being
    matched on tie formation (an intention-to-treat contrast: matched people who never met are
    still "matched").
    """
    _check_confidence(confidence)
    t, c = _as_bools(matched), _as_bools(held_out)
    tn, te, cn, ce = len(t), int(t.sum()), len(c), int(c.sum())
    caution = small_numbers_caution(tn, cn)
    if tn == 0 or cn == 0:
        return ProportionComparison(
            tn,
            te,
            cn,
            ce,
            te / tn if tn else None,
            ce / cn if cn else None,
            None,
            None,
            None,
            confidence,
            caution,
        )
    table = [[te, tn - te], [ce, cn - ce]]
    p_value = float(_scipy_stats.fisher_exact(table, alternative="two-sided").pvalue)
    return ProportionComparison(
        treated_n=tn,
        treated_events=te,
        control_n=cn,
        control_events=ce,
        treated_share=te / tn,
        control_share=ce / cn,
        difference=te / tn - ce / cn,
        ci=newcombe_interval(te, tn, ce, cn, confidence=confidence),
        p_value=min(1.0, p_value),
        confidence=confidence,
        caution=caution,
    )


def _permutation_p(t: np.ndarray, c: np.ndarray, rng: np.random.Generator, resamples: int):
    pooled = np.concatenate([t, c])
    n, k = len(pooled), len(t)
    observed = abs(t.mean() - c.mean())
    total = pooled.sum()
    # A tolerance keeps ties (equal differences computed in another order) counted as extreme.
    tolerance = 1e-9 * max(1.0, float(np.abs(pooled).max()))
    if math.comb(n, k) <= _EXACT_PERMUTATIONS:
        sums = np.array([pooled[list(idx)].sum() for idx in itertools.combinations(range(n), k)])
        diffs = np.abs(sums / k - (total - sums) / (n - k))
        return float(np.mean(diffs >= observed - tolerance)), True
    keys = rng.random((resamples, n)).argsort(axis=1)[:, :k]
    sums = pooled[keys].sum(axis=1)
    diffs = np.abs(sums / k - (total - sums) / (n - k))
    # (count + 1) / (resamples + 1): a Monte Carlo p-value is never exactly 0.
    return float((np.sum(diffs >= observed - tolerance) + 1) / (resamples + 1)), False


def compare_rc_change(
    bridged: Sequence[float],
    other: Sequence[float],
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> MeanComparison:
    """Mean RC change between bridged workgroup pairs against the other pairs.

    Parameters
    ----------
    bridged : sequence of float
        RC change (later wave minus earlier wave) of each workgroup pair that matched people
        bridged during the programme.
    other : sequence of float
        The same for workgroup pairs that were not bridged (or were bridged only by held-out
        people).
    confidence : float
        Coverage of the bootstrap interval.
    resamples : int
        Bootstrap replicates, and Monte Carlo permutations when an exact test is too large.
    seed : int
        Seeds the resampling, so a page shows the same interval every time.

    Returns
    -------
    MeanComparison
        Means, difference (bridged minus other), percentile bootstrap interval, two-sided
        permutation p-value (exact when there are at most 20,000 relabelings) and a caution.

    Examples
    --------
    >>> result = compare_rc_change([0.5, 0.7], [0.0, 0.1, -0.1])
    >>> round(result.difference, 3), result.p_value, result.exact
    (0.6, 0.1, True)

    Notes
    -----
    O(resamples × n) time and memory. Workgroup pairs are the units; a pair's change is itself
    an average over respondents, so small pairs are noisy — suppressed cells should be left out
    by the caller.
    """
    _check_confidence(confidence)
    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    t = np.asarray(bridged, dtype=float)
    c = np.asarray(other, dtype=float)
    if not (np.isfinite(t).all() and np.isfinite(c).all()):
        raise ValueError("changes must be finite numbers")
    caution = small_numbers_caution(len(t), len(c), unit="workgroup pairs")
    if len(t) == 0 or len(c) == 0:
        return MeanComparison(
            len(t),
            len(c),
            float(t.mean()) if len(t) else None,
            float(c.mean()) if len(c) else None,
            None,
            None,
            None,
            confidence,
            False,
            caution,
        )
    rng = np.random.default_rng(seed)
    boot_t = t[rng.integers(0, len(t), (resamples, len(t)))].mean(axis=1)
    boot_c = c[rng.integers(0, len(c), (resamples, len(c)))].mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(boot_t - boot_c, [alpha, 1 - alpha])
    p_value, exact = _permutation_p(t, c, rng, resamples)
    difference = float(t.mean() - c.mean())
    return MeanComparison(
        treated_n=len(t),
        control_n=len(c),
        treated_mean=float(t.mean()),
        control_mean=float(c.mean()),
        difference=difference,
        ci=(float(min(low, difference)), float(max(high, difference))),
        p_value=p_value,
        confidence=confidence,
        exact=exact,
        caution=caution,
    )


def rc_changes(
    before: Mapping[tuple[str, str], float],
    after: Mapping[tuple[str, str], float],
    bridged: Iterable[tuple[str, str]],
) -> tuple[list[float], list[float]]:
    """Split RC changes between two waves into bridged and other workgroup pairs.

    Parameters
    ----------
    before, after : mapping ``(rater workgroup, target workgroup) -> RC``
        Shown (not suppressed) RC cells of two waves.
    bridged : iterable of ``(workgroup, workgroup)``
        Workgroup pairs that matches connected; order does not matter, and a bridged pair
        counts both directions of the RC matrix.

    Returns
    -------
    (bridged_changes, other_changes) : tuple of lists of float
        ``after - before`` for cells present in both waves, rater ≠ target, sorted by cell.

    Examples
    --------
    >>> before = {("a", "b"): 3.0, ("b", "a"): 3.5, ("a", "c"): 4.0, ("a", "a"): 4.5}
    >>> after = {("a", "b"): 3.4, ("b", "a"): 3.5, ("a", "c"): 3.9, ("a", "a"): 4.6}
    >>> rc_changes(before, after, [("b", "a")])
    ([0.4, 0.0], [-0.1])

    Notes
    -----
    O(cells).
    """
    pairs = {frozenset(p) for p in bridged if p[0] != p[1]}
    inside: list[float] = []
    outside: list[float] = []
    for cell in sorted(set(before) & set(after)):
        if cell[0] == cell[1]:
            continue
        change = round(float(after[cell]) - float(before[cell]), 10)
        (inside if frozenset(cell) in pairs else outside).append(change)
    return inside, outside

"""Reliability and agreement of RC data: Cronbach's alpha, rwg(j), ICC(1) and ICC(2).

These tell an analyst whether the seven items hang together as one scale (alpha) and whether
it is meaningful to average a workgroup's respondents into one rating (rwg(j), ICC(1),
ICC(2)), the checks Gittell's validation work reports before any matrix is read.

References
----------
Gittell, J. H., Seidner, R. & Wimbush, J. (2010). A relational model of how high-performance
work systems work. *Organization Science* 21(2), 490–506.
Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In Klein &
Kozlowski (eds.), *Multilevel Theory, Research, and Methods in Organizations*. Jossey-Bass.
"""

from __future__ import annotations

import numpy as np

from bridgework.analysis.rc_instrument import DIMENSIONS, Instrument
from bridgework.analysis.rc_results import Reliability
from bridgework.analysis.rc_scoring import ScoredResponses, instrument_mask
from bridgework.analysis.stats import cronbach_alpha, icc_from_anova, one_way_anova, rwg_j

__all__ = ["rc_reliability"]


def rc_reliability(
    scored: ScoredResponses, instrument: Instrument, min_group_size: int
) -> Reliability:
    """Cronbach's alpha, rwg(j) per rater workgroup and ICC(1)/ICC(2), privacy-aware.

    * alpha: over every qualifying respondent → target rating with all seven items answered;
    * rwg(j): J = 7, null = uniform on 5 options; the observed item variance is pooled within
      the targets a workgroup's respondents rated (raters agree about the same referent);
      only for workgroups with at least ``min_group_size`` respondents;
    * ICC(1)/ICC(2): one-way ANOVA of each respondent's mean index by rater workgroup, over
      workgroups of at least ``min_group_size`` respondents (smaller ones would make the
      between-group sum of squares a figure about too few people).

    Everything is ``None`` when fewer than ``min_group_size`` respondents are behind it.

    Notes
    -----
    O(R · W · 7).
    """
    w = len(scored.workgroups)
    qualified = scored.qualified
    ratings = scored.dims[qualified]
    complete = ~np.isnan(ratings).any(axis=1)
    n_people = int(qualified.any(axis=1).sum())
    comm = instrument_mask(instrument, "communication")
    alphas = [None, None, None]
    # Alpha uses complete ratings only: it must rest on enough people who gave one.
    with_complete = (~np.isnan(scored.dims).any(axis=2) & qualified).any(axis=1)
    n_alpha = int(with_complete.sum())
    if n_people >= min_group_size and n_alpha >= min_group_size:
        alphas = [
            cronbach_alpha(ratings),
            cronbach_alpha(ratings[:, comm]),
            cronbach_alpha(ratings[:, ~comm]),
        ]

    key = (scored.group[:, None] * w + np.arange(w)[None, :]).ravel()
    size = w * w
    pooled_ss = np.zeros((w, len(DIMENSIONS)))
    pooled_df = np.zeros((w, len(DIMENSIONS)))
    for d in range(len(DIMENSIONS)):
        values = scored.dims[:, :, d].ravel()
        present = ~np.isnan(values)
        count = np.bincount(key[present], minlength=size)
        total = np.bincount(key[present], weights=values[present], minlength=size)
        squares = np.bincount(key[present], weights=values[present] ** 2, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            ss = np.where(count > 1, squares - total**2 / np.maximum(count, 1), 0.0)
        pooled_ss[:, d] = np.maximum(ss, 0).reshape(w, w).sum(axis=1)
        pooled_df[:, d] = np.maximum(count - 1, 0).reshape(w, w).sum(axis=1)
    sizes = np.bincount(scored.group[qualified.any(axis=1)], minlength=w)
    rwg: dict[str, float | None] = {}
    for g in range(w):
        if sizes[g] >= min_group_size and (pooled_df[g] > 0).all():
            rwg[scored.workgroups[g]] = rwg_j(
                float((pooled_ss[g] / pooled_df[g]).mean()), len(DIMENSIONS)
            )
        elif np.bincount(scored.group, minlength=w)[g] > 0:
            rwg[scored.workgroups[g]] = None

    has_index = qualified.any(axis=1)
    with np.errstate(invalid="ignore"):
        means = np.nanmean(np.where(qualified, scored.index, np.nan)[has_index], axis=1)
    groups = scored.group[has_index]
    large = sizes[groups] >= min_group_size
    anova = one_way_anova(means[large], groups[large]) if large.sum() >= min_group_size else None
    icc = icc_from_anova(anova)
    return Reliability(
        alpha=alphas[0],
        alpha_communication=alphas[1],
        alpha_relationship=alphas[2],
        icc1=icc.icc1,
        icc2=icc.icc2,
        anova=anova,
        rwg=rwg,
        n_complete=int(complete.sum()),
        counts={
            "alpha": n_alpha,
            "icc": int(large.sum()),
            **{f"rwg:{scored.workgroups[g]}": int(sizes[g]) for g in range(w) if sizes[g]},
        },
    )

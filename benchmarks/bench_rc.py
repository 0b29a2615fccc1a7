"""Benchmark: RC analysis of 100,000 respondents × 12 target workgroups (8.4 M answer rows).

Stages, each timed (median of ``--repeat`` runs):

1. read + validate the long CSV (``bridgework.datasets.rc_responses.read_rc_responses``);
2. analyse without bootstrap (``bridgework.analysis.rc.analyze_rc``, privacy pass included);
3. 1,000 bootstrap replicates of the full matrix (``bridgework.analysis.stats.bootstrap_sums``);
4. the named baseline: a plain pandas implementation (``read_csv`` + ``groupby``) of the same
   point figures — respondent → target index with the min-items rule, cell means and counts,
   dimension means, RC received and given, overall — no validation and no privacy pass.

Prints the times, the ratio baseline / ours and peak memory. Targets: read → analyse < 10 s,
bootstrap < 60 s on a 2-core machine. ``--quick`` runs a small size as a smoke test.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bridgework.analysis.rc import DIMENSIONS, RCSettings, analyze_rc
from bridgework.analysis.rc_scoring import score_responses
from bridgework.analysis.stats import bootstrap_sums, percentile_interval
from bridgework.datasets.rc_responses import read_rc_responses


def generate(path: Path, respondents: int, targets: int, seed: int = 0) -> int:
    """Write a long-format CSV of random answers (about 8% not answered); return its rows."""
    rng = np.random.default_rng(seed)
    names = np.array([f"Workgroup {g:02d}" for g in range(targets)], dtype=object)
    ids = np.array([f"r{r:06d}" for r in range(respondents)], dtype=object)
    own = rng.integers(0, targets, respondents)
    rows = respondents * targets * len(DIMENSIONS)
    person = np.repeat(np.arange(respondents), targets * len(DIMENSIONS))
    target = np.tile(np.repeat(np.arange(targets), len(DIMENSIONS)), respondents)
    dimension = np.tile(np.arange(len(DIMENSIONS)), respondents * targets)
    base = rng.normal(3.7, 0.5, respondents)[person]
    scores = np.clip(np.rint(base + rng.normal(0, 0.8, rows)), 1, 5).astype(int)
    score_text = np.array(["", "1", "2", "3", "4", "5"], dtype=object)
    scores[rng.random(rows) < 0.08] = 0
    frame = pd.DataFrame(
        {
            "respondent_id": pd.Categorical.from_codes(person, categories=ids),
            "respondent_workgroup": pd.Categorical.from_codes(own[person], categories=names),
            "target_workgroup": pd.Categorical.from_codes(target, categories=names),
            "dimension": pd.Categorical.from_codes(dimension, categories=list(DIMENSIONS)),
            "score": pd.Categorical.from_codes(scores, categories=score_text),
        }
    )
    frame.to_csv(path, index=False)
    return rows


def baseline(path: Path, min_items: int = 5) -> dict[str, object]:
    """The same point figures with plain pandas groupby (no validation, no privacy)."""
    frame = pd.read_csv(path)
    frame = frame.dropna(subset=["score"])
    pair = frame.groupby(["respondent_id", "target_workgroup"], observed=True)
    index = pair["score"].agg(["mean", "count"]).reset_index()
    index = index[index["count"] >= min_items]
    groups = frame.groupby("respondent_id")["respondent_workgroup"].first()
    index["rater"] = index["respondent_id"].map(groups)
    cells = index.groupby(["rater", "target_workgroup"])["mean"].agg(["mean", "count"])
    keep = frame.merge(index[["respondent_id", "target_workgroup"]])
    keep["rater"] = keep["respondent_id"].map(groups)
    dims = keep.groupby(["rater", "target_workgroup", "dimension"])["score"].mean()
    between = index[index["rater"] != index["target_workgroup"]]
    received = between.groupby("target_workgroup")["mean"].mean()
    given = between.groupby("rater")["mean"].mean()
    respondent_weighted = index.groupby("respondent_id")["mean"].mean().mean()
    role_balanced = cells["mean"].mean()
    return {
        "cells": cells,
        "dims": dims,
        "received": received,
        "given": given,
        "overall": (respondent_weighted, role_balanced),
    }


def _timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke-test size")
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--targets", type=int, default=12)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per stage (median)")
    args = parser.parse_args(argv)
    if args.quick:
        args.respondents, args.replicates, args.repeat = 600, 100, 3

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.csv"
        start = time.perf_counter()
        rows = generate(path, args.respondents, args.targets)
        print(
            f"generated {rows:,} answer rows ({args.respondents:,} respondents × "
            f"{args.targets} targets × 7) in {time.perf_counter() - start:.1f} s"
        )
        # Above the command line's default of a million rows: raised as an analyst raises it.
        os.environ.setdefault("BRIDGEWORK_MAX_ROWS", str(max(rows, 1_000_000)))
        read_s, responses = _timed(lambda: read_rc_responses(path), args.repeat)
        options = RCSettings(bootstrap=0, seed=1)
        analyze_s, result = _timed(
            lambda: analyze_rc(responses.frame, settings=options), args.repeat
        )
        scored = score_responses(responses.frame)
        w = len(scored.workgroups)

        def boot():
            sums, counts = bootstrap_sums(
                scored.index, scored.qualified, scored.group, w, args.replicates,
                np.random.default_rng(1),
            )  # fmt: skip
            with np.errstate(invalid="ignore", divide="ignore"):
                return percentile_interval(sums / counts)

        boot_s, _ = _timed(boot, args.repeat)
        base_s, base = _timed(lambda: baseline(path), args.repeat)

    ours = read_s + analyze_s
    # The two implementations must agree before their times mean anything.
    for cell in result.cells:
        if not cell.suppressed:
            expected = base["cells"].loc[(cell.rater, cell.target), "mean"]
            assert abs(cell.rc - expected) < 1e-9, (cell, expected)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"read + validate       {read_s:8.2f} s")
    print(f"analyze (no boot)     {analyze_s:8.2f} s")
    print(f"read → analyze        {ours:8.2f} s   (target < 10 s)")
    print(f"bootstrap ×{args.replicates:<5}      {boot_s:8.2f} s   (target < 60 s)")
    print(f"baseline pandas groupby (read_csv + groupby, no validation/privacy) {base_s:8.2f} s")
    print(f"ratio baseline / ours {base_s / ours:8.2f}")
    print(f"peak memory           {peak_mb:8.0f} MB")
    print(f"median of {args.repeat} run(s) per stage; the machine is shared, figures are noisy")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

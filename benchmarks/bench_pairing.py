"""Benchmark of the pairing engine against named baselines, in one run.

1. Quality: scalable vs exact (rustworkx blossom) total score on 1,000 / 3,000 / 5,000 people,
   same candidate graph and seed (target ≥ 97%).
2. Speed: 20,000 people, scalable vs exact (speed-up); 100,000 (< 6 s) and 1,000,000 (< 60 s)
   people end to end from CSV (read, validate, pair, check, write), each in a fresh process
   so its peak memory (max RSS) is its own; a plain shuffle of the same people is timed too.
3. Outcomes: 12 simulated fortnightly rounds of a 500-person, 6-agency programme, engine vs a
   plain shuffle (what most tools do): repeat rate, cross-organisation share, weak-tie bridges.

The machine is shared and has 2 cores, so timings are noisy: each timing is the median of
``--repeat`` runs (default 1 for the large sizes; quote medians).

Usage: ``python benchmarks/bench_pairing.py [--quick] [--skip-exact-20k] [--skip-million]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from bridgework.datasets import pairing_io
from bridgework.matching import Participant, PastMatch, Policy, check_matching, pair

AGENCIES = (
    "Child Welfare",
    "Probation",
    "Behavioral Health",
    "Public Health",
    "Schools",
    "Housing",
)
WORKGROUPS = (
    "case planners",
    "probation officers",
    "therapists",
    "nurses",
    "teachers",
    "housing officers",
    "family court staff",
    "supervisors",
)
WEAK_TIES = [
    ("case planners", "probation officers"),
    ("therapists", "teachers"),
    ("nurses", "housing officers"),
    ("family court staff", "case planners"),
]
INTERESTS = tuple(f"interest {k}" for k in range(30))
ZONES = ("Europe/London", "Europe/London", "Europe/Paris", "UTC-05:00", "")
ROUND = date(2025, 6, 2)


def programme(n: int, seed: int) -> pd.DataFrame:
    """A synthetic programme: 6 agencies of unequal size, 8 workgroups, 20 towns, interests."""
    rng = np.random.default_rng(seed)
    agency = rng.choice(len(AGENCIES), size=n, p=[0.3, 0.2, 0.15, 0.15, 0.1, 0.1])
    modes = rng.choice(["either", "video", "in person"], size=n, p=[0.6, 0.3, 0.1])
    count = rng.integers(0, 4, size=n)
    picks = rng.integers(0, len(INTERESTS), size=(n, 3))
    interests = [
        ";".join(INTERESTS[j] for j in row[:c]) for row, c in zip(picks, count, strict=True)
    ]
    return pd.DataFrame(
        {
            "id": [f"p{i:07d}" for i in range(n)],
            "organisation": np.array(AGENCIES)[agency],
            "team": [f"team {t}" for t in rng.integers(0, 10, size=n)],
            "workgroup": np.array(WORKGROUPS)[rng.integers(0, len(WORKGROUPS), size=n)],
            "location": [f"town {t}" for t in rng.integers(0, 20, size=n)],
            "time_zone": np.array(ZONES)[rng.integers(0, len(ZONES), size=n)],
            "mode": modes,
            "interests": interests,
        }
    )


def history(frame: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    """Random past meetings over the last year."""
    rng = np.random.default_rng(seed + 1)
    n = len(frame)
    a = rng.integers(0, n, size=rows)
    b = (a + rng.integers(1, n, size=rows)) % n
    days = rng.integers(1, 365, size=rows)
    ids = frame["id"].to_numpy()
    dates = pd.to_datetime(ROUND) - pd.to_timedelta(days, unit="D")
    return pd.DataFrame({"a": ids[a], "b": ids[b], "date": dates.strftime("%Y-%m-%d")})


def write_inputs(folder: Path, n: int, seed: int = 1) -> tuple[Path, Path, Path]:
    frame = programme(n, seed)
    people, past, rc = folder / f"p{n}.csv", folder / f"h{n}.csv", folder / "rc.json"
    frame.to_csv(people, index=False)
    history(frame, n // 2, seed).to_csv(past, index=False)
    cells = [
        {"rater": a, "target": b, "rc": 2.4, "band": "weak", "suppressed": False}
        for a, b in WEAK_TIES
    ]
    rc.write_text(json.dumps({"cells": cells}))
    return people, past, rc


def end_to_end(people: str, past: str, rc: str, out: str, solver: str) -> dict[str, float]:
    """Read, validate, pair, check and write, timed (run in a fresh process)."""
    started = time.perf_counter()
    roster = pairing_io.read_participants(people)
    past_frame = pairing_io.read_history(past, participants=roster)
    weak = pairing_io.read_rc_weak_ties(rc)
    read = time.perf_counter()
    result = pair(
        roster, history=past_frame, weak_ties=weak, round_date=ROUND, seed=7, solver=solver
    )
    paired = time.perf_counter()
    broken = check_matching(result.matches, roster, history=past_frame, round_date=ROUND)
    pairing_io.write_pairing_csv(result, out)
    done = time.perf_counter()
    shuffle_start = time.perf_counter()
    order = np.random.default_rng(7).permutation(len(roster))
    _ = roster.ids[order].reshape(-1, 2) if len(order) % 2 == 0 else None
    shuffle = time.perf_counter() - shuffle_start
    return {
        "seconds": done - started,
        "read": read - started,
        "pair": paired - read,
        "check_write": done - paired,
        "matched": result.stats.matched,
        "people": len(roster),
        "violations": len(broken),
        "shuffle_seconds": shuffle,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child(args: list[str]) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def quality(sizes: list[int], folder: Path) -> None:
    print("\n## Quality: scalable vs exact (rustworkx) total score, same candidate graph")
    print(f"{'people':>8} {'exact':>12} {'scalable':>12} {'ratio':>7} {'t_exact':>8} {'t_scal':>7}")
    for n in sizes:
        for seed in (1, 2):
            people, past, rc = write_inputs(folder, n, seed)
            roster = pairing_io.read_participants(people)
            hist = pairing_io.read_history(past, participants=roster)
            weak = pairing_io.read_rc_weak_ties(rc)
            runs = {}
            for solver in ("exact", "scalable"):
                started = time.perf_counter()
                result = pair(
                    roster, history=hist, weak_ties=weak, round_date=ROUND, seed=seed, solver=solver
                )
                runs[solver] = (result.total_score, time.perf_counter() - started)
            ratio = runs["scalable"][0] / runs["exact"][0]
            print(
                f"{n:>8} {runs['exact'][0]:>12.1f} {runs['scalable'][0]:>12.1f} {ratio:>7.2%} "
                f"{runs['exact'][1]:>8.2f} {runs['scalable'][1]:>7.2f}"
                + ("" if ratio >= 0.97 else "  BELOW 97%")
            )


def speed(n: int, folder: Path, skip_exact: bool) -> None:
    print(f"\n## Speed at {n:,} people: scalable vs exact (rustworkx blossom), end to end")
    people, past, rc = write_inputs(folder, n)
    scalable = _child([str(people), str(past), str(rc), str(folder / "o.csv"), "scalable"])
    print(
        f"scalable: {scalable['seconds']:.2f} s (pair {scalable['pair']:.2f} s), "
        f"peak {scalable['peak_mb']:.0f} MB"
    )
    if skip_exact:
        print("exact: skipped (--skip-exact-20k)")
        return
    exact = _child([str(people), str(past), str(rc), str(folder / "o.csv"), "exact"])
    print(
        f"exact:    {exact['seconds']:.2f} s (pair {exact['pair']:.2f} s), "
        f"peak {exact['peak_mb']:.0f} MB"
    )
    print(f"speed-up: {exact['seconds'] / scalable['seconds']:.1f}x")


def scale(sizes: list[tuple[int, float]], folder: Path, repeat: int) -> None:
    print("\n## End to end from CSV (read + validate + pair + check + write), fresh process each")
    print(
        f"{'people':>10} {'median s':>9} {'target':>7} {'read':>6} {'pair':>6} {'chk+wr':>7} "
        f"{'peak MB':>8} {'matched':>9} {'shuffle s':>9}"
    )
    for n, target in sizes:
        people, past, rc = write_inputs(folder, n)
        runs = [
            _child([str(people), str(past), str(rc), str(folder / "o.csv"), "scalable"])
            for _ in range(repeat)
        ]
        seconds = statistics.median(r["seconds"] for r in runs)
        last = runs[-1]
        verdict = "ok" if seconds < target else "SLOW"
        print(
            f"{n:>10,} {seconds:>9.2f} {target:>6.0f}s {last['read']:>6.2f} {last['pair']:>6.2f} "
            f"{last['check_write']:>7.2f} {max(r['peak_mb'] for r in runs):>8.0f} "
            f"{int(last['matched']):>9,} {last['shuffle_seconds']:>9.3f} {verdict}"
            + (f" VIOLATIONS {last['violations']}" if last["violations"] else "")
        )


def _shuffle_round(n: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    order = rng.permutation(n).tolist()
    groups = [tuple(order[k : k + 2]) for k in range(0, n - n % 2, 2)]
    if n % 2:
        groups[-1] = (*groups[-1], order[-1])
    return groups


def simulate(n: int, rounds: int) -> None:
    print(f"\n## {rounds} fortnightly rounds, {n} people, 6 agencies: engine vs plain shuffle")
    frame = programme(n, seed=11)
    people = [
        Participant(
            r.id,
            r.organisation,
            r.team,
            r.workgroup,
            r.location,
            r.time_zone,
            "in_person" if r.mode == "in person" else r.mode,
            frozenset(x for x in r.interests.split(";") if x),
        )
        for r in frame.itertuples()
    ]
    org = frame["organisation"].to_numpy()
    wg = frame["workgroup"].to_numpy()
    weak = {frozenset(p) for p in WEAK_TIES}
    index = {p.id: k for k, p in enumerate(people)}
    totals = {
        name: {"pairs": 0, "repeats": 0, "cross": 0, "bridges": 0, "rule": 0}
        for name in ("engine", "shuffle")
    }
    past: dict[str, list[PastMatch]] = {"engine": [], "shuffle": []}
    met: dict[str, set[frozenset[int]]] = {"engine": set(), "shuffle": set()}
    rng = np.random.default_rng(5)
    start = date(2025, 1, 6)
    for k in range(rounds):
        day = start + timedelta(days=14 * k)
        result = pair(
            people,
            history=past["engine"],
            weak_ties=WEAK_TIES,
            round_date=day,
            seed=100 + k,
            policy=Policy(),
        )
        groups = {
            "engine": [tuple(index[m] for m in match.members) for match in result.matches],
            "shuffle": _shuffle_round(n, rng),
        }
        for name, found in groups.items():
            for group in found:
                for x in range(len(group)):
                    for y in range(x + 1, len(group)):
                        a, b = group[x], group[y]
                        stats = totals[name]
                        stats["pairs"] += 1
                        stats["repeats"] += frozenset((a, b)) in met[name]
                        stats["cross"] += org[a] != org[b]
                        stats["bridges"] += frozenset((wg[a], wg[b])) in weak
                        stats["rule"] += org[a] == org[b]
                        met[name].add(frozenset((a, b)))
                        past[name].append(PastMatch(people[a].id, people[b].id, day))
    print(f"{'':>8} {'repeat rate':>12} {'cross-org':>10} {'weak-tie bridges':>17}")
    for name, stats in totals.items():
        print(
            f"{name:>8} {stats['repeats'] / stats['pairs']:>12.2%} "
            f"{stats['cross'] / stats['pairs']:>10.2%} {stats['bridges']:>17,}"
        )
    e, s = totals["engine"], totals["shuffle"]
    print(
        f"ratio engine/shuffle: weak-tie bridges {e['bridges'] / max(s['bridges'], 1):.1f}x, "
        f"cross-org share {e['cross'] / e['pairs'] / (s['cross'] / s['pairs']):.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke sizes")
    parser.add_argument("--skip-exact-20k", action="store_true", help="do not run exact at 20k")
    parser.add_argument("--skip-million", action="store_true", help="do not run 1,000,000")
    parser.add_argument("--repeat", type=int, default=1, help="runs per end-to-end size")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(end_to_end(*args.child)))
        return
    print("Pairing benchmark (2-core shared machine: timings are noisy; medians quoted)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.quick:
            quality([300, 600], folder)
            speed(2000, folder, skip_exact=False)
            scale([(5000, 6.0)], folder, 1)
            simulate(120, 3)
            return
        quality([1000, 3000, 5000], folder)
        speed(20000, folder, skip_exact=args.skip_exact_20k)
        sizes = [(100_000, 6.0)] + ([] if args.skip_million else [(1_000_000, 60.0)])
        scale(sizes, folder, args.repeat)
        simulate(500, 12)


if __name__ == "__main__":
    main()

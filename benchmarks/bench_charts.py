"""Benchmark: rendering the results pictures, against rendering them on every page view.

Pictures of a 12-workgroup RC wave (a 12 × 12 heatmap, the map of its 132 ties, the change of
its 144 cells) and a 20-row bar chart, rendered by :func:`bridgework.charts.render.render_svg`
(Vega-Lite through vl-convert, then sanitised): the first render in a process (the renderer
starting), a warm render of a spec not seen before, and a page view that finds the picture in
the cache. The named baseline is rendering on every view (no cache); the ratio is what the
cache saves per picture. Timings are medians of ``--repeat`` runs; the machine may be shared.
Run: ``python benchmarks/bench_charts.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from types import SimpleNamespace as Row

import django
from django.conf import settings

settings.configure(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    USE_TZ=True,
)
django.setup()

from bridgework.charts.bars import bar_spec  # noqa: E402
from bridgework.charts.rc import rc_change_spec, rc_heatmap_spec, rc_tie_map_spec  # noqa: E402
from bridgework.charts.render import render_svg  # noqa: E402

BANDS = ["weak", "moderate", "strong"]


def _heatmap(size: int, seed: int) -> dict:
    rng = random.Random(seed)
    names = [f"Workgroup {i}" for i in range(size)]
    rows = []
    for rater in names:
        row = []
        for target in names:
            hidden = rng.random() < 0.15
            rc = None if hidden else rng.uniform(1, 5)
            band = None if hidden else BANDS[min(2, int((rc - 1) / 1.4))]
            row.append(Row(cell=Row(rater=rater, target=target, rc=rc, band=band,
                                    n=None if hidden else rng.randint(5, 40),
                                    suppressed=hidden)))  # fmt: skip
        rows.append((rater, row))
    return {"targets": names, "rows": rows}


def _specs(seed: int) -> dict[str, dict]:
    heatmap = _heatmap(12, seed)
    changes = [
        Row(rater=h.cell.rater, target=h.cell.target,
            change=Row(suppressed=h.cell.suppressed, difference=None if h.cell.suppressed
                       else random.Random(seed).uniform(-1, 1), ci=(-0.4, 0.6)))
        for _, row in heatmap["rows"] for h in row
    ]  # fmt: skip
    bars = [(f"Organisation {i}", float(i * 4 + seed), f"{i * 4 + seed}%") for i in range(20)]
    return {
        "heatmap 12 × 12": rc_heatmap_spec(heatmap),
        "tie map, 132 ties": rc_tie_map_spec(heatmap, BANDS),
        "change, 144 rows": rc_change_spec(changes),
        "bars, 20 rows": bar_spec(bars, axis_title="Response rate"),
    }


def _time(draw) -> float:
    started = time.perf_counter()
    draw()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    first = _time(lambda: render_svg(_specs(0)["bars, 20 rows"], chart_id="c", title="t",
                                     description="d"))  # fmt: skip
    print(f"first render in the process (renderer starting): {1000 * first:.0f} ms")
    print(f"{'picture':<20} {'render':>10} {'cached':>10} {'ratio':>8}")
    for name in _specs(0):
        unseen = [_specs(seed)[name] for seed in range(1, args.repeat + 1)]
        fresh = [
            _time(lambda s=spec: render_svg(s, chart_id="c", title="t", description="d"))
            for spec in unseen
        ]
        seen = _specs(1)[name]
        cached = [
            _time(lambda s=seen: render_svg(s, chart_id="c", title="t", description="d"))
            for _ in range(args.repeat)
        ]
        render, hit = statistics.median(fresh), statistics.median(cached)
        print(f"{name:<20} {1000 * render:>8.1f}ms {1000 * hit:>8.1f}ms {render / hit:>7.1f}×")


if __name__ == "__main__":
    main()

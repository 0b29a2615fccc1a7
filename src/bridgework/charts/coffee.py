"""Pictures of a coffee programme's dashboard, from the one
:func:`bridgework.programmes.dashboard.programme_dashboard` figures object the page's tables
and sentences use: participation over rounds, matches between organisations as a heat
matrix, the ratings as bars, and "what it changed" as estimates with their intervals.
Ratings and the comparisons are drawn only where the page shows them."""

from __future__ import annotations

from typing import Any

from bridgework.charts.bars import bar_spec
from bridgework.charts.palette import BAR, BAR_OTHER, VIRIDIS, text_colour, viridis
from bridgework.charts.render import render_svg
from bridgework.charts.specs import base, number

__all__ = [
    "coffee_effects_svg",
    "coffee_matches_svg",
    "coffee_participation_svg",
    "coffee_ratings_svg",
]

OUTCOMES = (("matched", "Matched"), ("sit_out", "Sat out"), ("holdout", "Held out"))


def coffee_participation_spec(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Stacked bars (layer ``bars``, one segment per outcome and round)."""
    order = [_round_label(r) for r in rounds]
    values = [
        {"round": _round_label(r), "outcome": label, "people": r[key]}
        for r in rounds
        for key, label in OUTCOMES
    ]
    return base(
        data={"values": values},
        width={"step": 56},
        height=240,
        layer=[
            {
                "name": "bars",
                "mark": {"type": "bar", "width": {"band": 0.7}, "stroke": "#ffffff"},
                "encoding": {
                    "x": {
                        "field": "round",
                        "type": "ordinal",
                        "sort": order,
                        "title": "Round",
                        "axis": {"labelAngle": 0},
                    },
                    "y": {
                        "field": "people",
                        "type": "quantitative",
                        "title": "People",
                        "stack": "zero",
                    },
                    "color": {
                        "field": "outcome",
                        "type": "nominal",
                        "title": "Outcome",
                        "scale": {
                            "domain": [label for _, label in OUTCOMES],
                            "range": [BAR, BAR_OTHER, "#d55e00"],
                        },
                    },
                    "order": {"field": "outcome", "sort": "descending"},
                },
            },
        ],
    )


def _round_label(row: dict[str, Any]) -> str:
    return str(row["round"].number)


def coffee_participation_svg(d: Any) -> str:
    if not d.rounds:
        return ""
    return render_svg(
        coffee_participation_spec(d.rounds),
        chart_id="chart-coffee-participation",
        title="People taking part in each round",
        description=(
            "One stacked bar per round: people matched (blue), sitting out (grey) and held "
            "out (orange). The participants table below holds the same data."
        ),
    )


def coffee_matches_spec(organisations: list[str], matrix: list[list[int]]) -> dict[str, Any]:
    """The organisation × organisation heat matrix (layer ``cells``, one per pair of
    organisations), each cell labelled with its number of pairs."""
    top = max([n for row in matrix for n in row] + [1])
    values = [
        {"a": a, "b": b, "pairs": n, "label": str(n), "ink": text_colour(viridis(n / top))}
        for a, row in zip(organisations, matrix, strict=True)
        for b, n in zip(organisations, row, strict=True)
    ]
    stops = [top * i / 8 for i in range(9)]
    axis = {"labelLimit": 160}
    return base(
        data={"values": values},
        width={"step": 64},
        height={"step": 44},
        encoding={
            "x": {
                "field": "b",
                "type": "nominal",
                "sort": organisations,
                "title": None,
                "axis": {**axis, "orient": "top", "labelAngle": -30},
            },
            "y": {
                "field": "a",
                "type": "nominal",
                "sort": organisations,
                "title": None,
                "axis": axis,
            },
        },
        layer=[
            {
                "name": "cells",
                "mark": {"type": "rect", "stroke": "#ffffff", "strokeWidth": 2},
                "encoding": {
                    "color": {
                        "field": "pairs",
                        "type": "quantitative",
                        "title": "Pairs matched",
                        "scale": {"domain": stops, "range": list(VIRIDIS), "interpolate": "rgb"},
                    }
                },
            },
            {
                "name": "labels",
                "mark": {"type": "text"},
                "encoding": {
                    "text": {"field": "label"},
                    "fill": {"field": "ink", "type": "nominal", "scale": None},
                },
            },
        ],
    )


def coffee_matches_svg(d: Any) -> str:
    if not d.organisations:
        return ""
    return render_svg(
        coffee_matches_spec(list(d.organisations), [list(r) for r in d.matrix]),
        chart_id="chart-coffee-matches",
        title="Pairs matched, by the two people's organisations",
        description=(
            "A heat matrix of organisations against organisations: each cell is labelled with "
            "its number of pairs and brighter the more there are. The table below holds the "
            "same data."
        ),
    )


def coffee_ratings_svg(d: Any) -> str:
    if not d.ratings:
        return ""
    spec = bar_spec(
        [(str(score), n, str(n)) for score, n in d.ratings],
        axis_title="People (usefulness, 1 not useful – 5 very useful)",
    )
    return render_svg(
        spec,
        chart_id="chart-coffee-ratings",
        title="How useful people found their meeting",
        description=(
            "One bar per usefulness score from 1 to 5: how many people gave it. The table "
            "below holds the same data."
        ),
    )


def coffee_effects_spec(d: Any) -> dict[str, Any] | None:
    """The forest plot of what the pairings changed: one row per comparison the page states
    (layer ``estimates_<row>``: the difference between matched and held out, or bridged and
    other workgroup pairs; layer ``intervals_<row>``: its 95% interval), each on its own scale
    (Vega needs each layer's name unique, hence the row number)."""
    rows = []
    if d.rc is not None and d.rc.difference is not None:
        rows.append(
            (
                "RC change: bridged − other workgroup pairs (RC points)",
                d.rc.difference,
                d.rc.ci,
                number(d.rc.difference),
            )
        )
    if d.ties is not None and d.ties.difference is not None:
        ci = tuple(100 * v for v in d.ties.ci) if d.ties.ci else None
        rows.append(
            (
                "Naming a colleague elsewhere: matched − held out (percentage points)",
                100 * d.ties.difference,
                ci,
                str(round(100 * d.ties.difference)),
            )
        )
    if not rows:
        return None
    panels = []
    for title, value, ci, label in rows:
        reach = max([abs(value), *(abs(v) for v in (ci or ())), 1e-9]) * 1.25
        x = {"type": "quantitative", "scale": {"domain": [-reach, reach]}, "title": title}
        datum = {
            "value": value,
            "low": ci[0] if ci else None,
            "high": ci[1] if ci else None,
            "label": label,
        }
        layers = [
            {
                "name": f"zero_{len(panels)}",
                "mark": {"type": "rule", "color": BAR_OTHER, "strokeDash": [4, 3]},
                "encoding": {"x": {**x, "datum": 0}},
            },
            {
                "name": f"estimates_{len(panels)}",
                "mark": {"type": "point", "filled": True, "size": 110, "color": BAR, "opacity": 1},
                "encoding": {"x": {**x, "field": "value"}},
            },
            {
                "name": f"estimate_labels_{len(panels)}",
                "mark": {"type": "text", "dy": -14},
                "encoding": {"x": {**x, "field": "value"}, "text": {"field": "label"}},
            },
        ]
        if ci:
            layers.insert(
                1,
                {
                    "name": f"intervals_{len(panels)}",
                    "mark": {"type": "rule", "color": BAR, "strokeWidth": 2},
                    "encoding": {"x": {**x, "field": "low"}, "x2": {"field": "high"}},
                },
            )
        panels.append(
            {
                "data": {"name": f"effect_{len(panels)}", "values": [datum]},
                "width": 420,
                "height": 40,
                "layer": layers,
            }
        )
    # Each comparison on its own scale: RC points and percentage points do not share an axis.
    return base(vconcat=panels, spacing=24, resolve={"scale": {"x": "independent"}})


def coffee_effects_svg(d: Any) -> str:
    spec = coffee_effects_spec(d)
    if spec is None:
        return ""
    return render_svg(
        spec,
        chart_id="chart-coffee-effects",
        title="What the pairings changed: differences with their 95% intervals",
        description=(
            "Each row is one comparison: the point is the difference between those paired "
            "and those held out (or the workgroup pairs bridged and the others), the line "
            "its 95% interval; an interval that crosses the dashed zero line may be chance. "
            "The sentences above hold the same figures."
        ),
    )

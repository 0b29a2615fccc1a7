"""Pictures of RC results: the heatmap, the map of ties between workgroups and the change
between waves. Each takes the rows of the table it stands beside
(:func:`bridgework.surveys.results.heatmap` cells, a comparison's cells), so picture and
table show the same figures and hide the same ones: a suppressed cell is drawn grey and
hatched, labelled "suppressed", with no value, no n and no range anywhere in the SVG.
"""

from __future__ import annotations

import math
from typing import Any

from bridgework.charts.palette import (
    BAND_COLOURS,
    BAND_DASHES,
    BAR,
    SUPPRESSED_FILL,
    SUPPRESSED_LINE,
    VIRIDIS,
    text_colour,
    viridis,
)
from bridgework.charts.render import render_svg
from bridgework.charts.specs import base, number

__all__ = [
    "rc_change_spec",
    "rc_change_svg",
    "rc_heatmap_spec",
    "rc_heatmap_svg",
    "rc_tie_map_spec",
    "rc_tie_map_svg",
]

#: The RC scale.
LOW, HIGH = 1.0, 5.0
SUPPRESSED = "suppressed"


def _band_labels(analysis: Any) -> list[str]:
    return list(analysis.settings.get("band_labels", ())) if analysis is not None else []


def _scale_position(rc: float) -> float:
    return (rc - LOW) / (HIGH - LOW)


def rc_heatmap_spec(heatmap: dict[str, Any]) -> dict[str, Any]:
    """Vega-Lite spec of the heatmap from the rows the heatmap table shows.

    One rectangle per cell: shown cells (layer ``cells``) coloured on viridis over 1–5 and
    labelled with their value, band and n; suppressed cells (layer ``suppressed``) grey,
    labelled "suppressed" only; pairs nobody rated are left empty, as the table's "–".
    """
    targets = list(heatmap["targets"])
    raters = [rater for rater, _ in heatmap["rows"]]
    values = []
    for rater, row in heatmap["rows"]:
        for target, h in zip(targets, row, strict=True):
            cell = h.cell
            if cell is None:
                continue
            if cell.suppressed or cell.rc is None:
                values.append(
                    {
                        "rater": rater,
                        "target": target,
                        "kind": SUPPRESSED,
                        "label": SUPPRESSED,
                        "ink": "#000000",
                    }
                )
                continue
            ink = text_colour(viridis(_scale_position(cell.rc)))
            label = f"{number(cell.rc)}\n{cell.band}\nn {cell.n}"
            values.append(
                {
                    "rater": rater,
                    "target": target,
                    "kind": "shown",
                    "rc": cell.rc,
                    "label": label,
                    "ink": ink,
                }
            )
    x = {
        "field": "target",
        "type": "nominal",
        "sort": targets,
        "title": "Rated group",
        "axis": {"orient": "top", "labelAngle": -30, "labelLimit": 180},
    }
    y = {
        "field": "rater",
        "type": "nominal",
        "sort": raters,
        "title": "Rater",
        "axis": {"labelLimit": 180},
    }
    stops = [LOW + (HIGH - LOW) * i / (len(VIRIDIS) - 1) for i in range(len(VIRIDIS))]
    return base(
        data={"values": values},
        width={"step": 92},
        height={"step": 64},
        encoding={"x": x, "y": y},
        layer=[
            {
                "name": "cells",
                "transform": [{"filter": "datum.kind === 'shown'"}],
                "mark": {"type": "rect", "stroke": "#ffffff", "strokeWidth": 2},
                "encoding": {
                    "color": {
                        "field": "rc",
                        "type": "quantitative",
                        "title": "RC (1 weak – 5 strong)",
                        "scale": {
                            "domain": stops,
                            "range": list(VIRIDIS),
                            "interpolate": "rgb",
                        },
                        "legend": {"gradientLength": 220, "values": [1, 2, 3, 4, 5]},
                    }
                },
            },
            {
                "name": "suppressed",
                "transform": [{"filter": f"datum.kind === '{SUPPRESSED}'"}],
                "mark": {
                    "type": "rect",
                    "fill": SUPPRESSED_FILL,
                    "stroke": "#ffffff",
                    "strokeWidth": 2,
                },
            },
            {
                "name": "labels",
                "mark": {
                    "type": "text",
                    "lineBreak": "\n",
                    "fontSize": 13,
                    "lineHeight": 15,
                    "baseline": "middle",
                    "dy": -15,
                },
                "encoding": {
                    "text": {"field": "label"},
                    "fill": {"field": "ink", "type": "nominal", "scale": None},
                },
            },
        ],
    )


def rc_heatmap_svg(figures: Any) -> str:
    """The heatmap of a wave's published figures (``WaveFigures``) as inline SVG."""
    return render_svg(
        rc_heatmap_spec(figures.heatmap),
        chart_id="chart-rc-heatmap",
        title="Heatmap: relational coordination, rater (row) → rated group (column)",
        description=(
            "Each cell is coloured on a scale from dark purple (1, weak) to yellow (5, strong) "
            "and labelled with its value, its band and its number of respondents; grey hatched "
            "cells are suppressed (too few respondents). The table below holds the same data."
        ),
    )


def _positions(names: list[str]) -> dict[str, tuple[float, float]]:
    """Workgroups evenly round a circle, the first at the top, clockwise."""
    count = len(names)
    if count == 1:
        return {names[0]: (0.0, 0.0)}
    return {
        name: (math.sin(2 * math.pi * i / count), math.cos(2 * math.pi * i / count))
        for i, name in enumerate(names)
    }


#: Node radius and the gap between a tie and its reverse, in the map's units (circle radius 1).
NODE_RADIUS = 0.16
SIDE_OFFSET = 0.035


def rc_tie_map_spec(heatmap: dict[str, Any], band_labels: list[str]) -> dict[str, Any]:
    """Vega-Lite spec of the map of workgroups (layer ``nodes``) and the ties between them
    from the heatmap's rows: one line per rated pair of different workgroups, pointing from
    rater to rated, coloured and dashed by band and as thick as its number of respondents
    (layer ``ties``); suppressed ties (layer ``suppressed_ties``) are thin grey dots with no
    band and no n. Ratings of a workgroup's own members are in the heatmap, not here."""
    names = list(dict.fromkeys([r for r, _ in heatmap["rows"]] + list(heatmap["targets"])))
    where = _positions(names)
    cells = [h.cell for _, row in heatmap["rows"] for h in row if h.cell is not None]
    between = [c for c in cells if c.rater != c.target]
    biggest = max((c.n or 0 for c in between if not c.suppressed), default=1) or 1
    ties, arrows = [], []
    for c in between:
        (x1, y1), (x2, y2) = where[c.rater], where[c.target]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        ox, oy = uy * SIDE_OFFSET, -ux * SIDE_OFFSET  # to the right of the direction
        start = (x1 + ux * NODE_RADIUS + ox, y1 + uy * NODE_RADIUS + oy)
        end = (x2 - ux * (NODE_RADIUS + 0.04) + ox, y2 - uy * (NODE_RADIUS + 0.04) + oy)
        shown = not c.suppressed and c.rc is not None and c.band in band_labels
        tie = {
            "x": start[0],
            "y": start[1],
            "x2": end[0],
            "y2": end[1],
            "band": c.band if shown else SUPPRESSED,
            "width": 1.5 + 6.5 * (c.n or 0) / biggest if shown else 1.5,
        }
        ties.append(tie)
        arrows.append(
            {
                "x": end[0],
                "y": end[1],
                "band": tie["band"],
                "angle": math.degrees(math.atan2(ux, uy)),
            }
        )
    domain = [*band_labels, SUPPRESSED]
    colours = [*BAND_COLOURS[: len(band_labels)], SUPPRESSED_LINE]
    dashes = [list(d) for d in BAND_DASHES[: len(band_labels)]] + [[1, 3]]
    colour = {
        "field": "band",
        "type": "nominal",
        "title": "Tie band",
        "scale": {"domain": domain, "range": colours},
    }
    dash = {
        "field": "band",
        "type": "nominal",
        "title": "Tie band",
        "scale": {"domain": domain, "range": dashes},
    }
    axis = {"type": "quantitative", "axis": None, "scale": {"domain": [-1.5, 1.5]}}
    x, y = {**axis, "field": "x"}, {**axis, "field": "y"}
    nodes = [
        {"x": where[n][0], "y": where[n][1], "name": n, "ly": where[n][1] - 0.3} for n in names
    ]
    return base(
        width=440,
        height=440,
        layer=[
            {
                "name": "ties",
                "data": {"values": [t for t in ties if t["band"] != SUPPRESSED]},
                "mark": {"type": "rule", "strokeCap": "butt"},
                "encoding": {
                    "x": x,
                    "y": y,
                    "x2": {"field": "x2"},
                    "y2": {"field": "y2"},
                    "color": colour,
                    "strokeDash": dash,
                    "strokeWidth": {"field": "width", "type": "quantitative", "scale": None},
                },
            },
            {
                "name": "suppressed_ties",
                "data": {"values": [t for t in ties if t["band"] == SUPPRESSED]},
                "mark": {"type": "rule", "strokeWidth": 1.5},
                "encoding": {
                    "x": x,
                    "y": y,
                    "x2": {"field": "x2"},
                    "y2": {"field": "y2"},
                    "color": colour,
                    "strokeDash": dash,
                },
            },
            {
                "name": "arrows",
                "data": {"values": arrows},
                "mark": {
                    "type": "point",
                    "shape": "triangle-up",
                    "filled": True,
                    "size": 90,
                    "opacity": 1,
                },
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": colour,
                    "angle": {"field": "angle", "type": "quantitative", "scale": None},
                },
            },
            {
                "name": "nodes",
                "data": {"values": nodes},
                "mark": {
                    "type": "circle",
                    "size": 1400,
                    "fill": BAR,
                    "opacity": 1,
                    "stroke": "#ffffff",
                    "strokeWidth": 2,
                },
                "encoding": {"x": x, "y": y},
            },
            {
                "name": "node_labels",
                "data": {"values": nodes},
                "mark": {
                    "type": "text",
                    "fontSize": 13,
                    "fontWeight": "bold",
                    "limit": 150,
                },
                "encoding": {
                    "x": x,
                    "y": {**y, "field": "ly"},
                    "text": {"field": "name"},
                },
            },
        ],
    )


def rc_tie_map_svg(figures: Any) -> str:
    """The map of ties between workgroups of a wave's published figures as inline SVG."""
    return render_svg(
        rc_tie_map_spec(figures.heatmap, _band_labels(figures.analysis)),
        chart_id="chart-rc-tie-map",
        title="Map of the workgroups and the ties between them",
        description=(
            "Each circle is a workgroup; each line points from a rater workgroup to the group "
            "it rates, coloured and dashed by band (weak: short dashes, moderate: long dashes, "
            "strong: solid) and thicker the more respondents stand behind it; grey dotted "
            "lines are suppressed ties. The heatmap table below holds the same data."
        ),
    )


def rc_change_spec(changes: list[Any]) -> dict[str, Any]:
    """Vega-Lite spec of each cell's change between waves with its range, from the rows of
    the change table: a point (layer ``changes``) and its interval (layer ``intervals``) per
    shown cell, the word "suppressed" (layer ``suppressed``) for the others."""
    values, order = [], []
    for c in changes:
        pair = f"{c.rater} → {c.target}"
        order.append(pair)
        change = c.change
        if change.suppressed or change.difference is None:
            values.append({"pair": pair, "kind": SUPPRESSED, "label": SUPPRESSED})
            continue
        low, high = change.ci if change.ci else (None, None)
        values.append(
            {
                "pair": pair,
                "kind": "shown",
                "difference": change.difference,
                "low": low,
                "high": high,
                "label": number(change.difference, "+2"),
            }
        )
    reach = max(
        [1.0]
        + [abs(v[k]) for v in values for k in ("difference", "low", "high") if v.get(k) is not None]
    )
    x = {
        "type": "quantitative",
        "scale": {"domain": [-reach * 1.15, reach * 1.15]},
        "title": "Change in RC (after minus before); the line is its range",
    }
    y = {"field": "pair", "type": "nominal", "sort": order, "title": None}
    shown = {"filter": "datum.kind === 'shown'"}
    return base(
        data={"values": values},
        width=420,
        height={"step": 30},
        layer=[
            {
                "name": "zero",
                "mark": {"type": "rule", "color": "#505a5f", "strokeDash": [4, 3]},
                "encoding": {"x": {**x, "datum": 0}},
            },
            {
                "name": "intervals",
                "transform": [shown, {"filter": "datum.low !== null"}],
                "mark": {"type": "rule", "color": BAR, "strokeWidth": 2},
                "encoding": {"x": {**x, "field": "low"}, "x2": {"field": "high"}, "y": y},
            },
            {
                "name": "changes",
                "transform": [shown],
                "mark": {"type": "point", "filled": True, "size": 80, "color": BAR, "opacity": 1},
                "encoding": {"x": {**x, "field": "difference"}, "y": y},
            },
            {
                "name": "change_labels",
                "transform": [shown],
                "mark": {"type": "text", "dy": -11},
                "encoding": {"x": {**x, "field": "difference"}, "y": y, "text": {"field": "label"}},
            },
            {
                "name": "suppressed",
                "transform": [{"filter": f"datum.kind === '{SUPPRESSED}'"}],
                "mark": {"type": "text", "color": SUPPRESSED_LINE, "fontStyle": "italic"},
                "encoding": {"x": {**x, "datum": 0}, "y": y, "text": {"field": "label"}},
            },
        ],
    )


def rc_change_svg(figures: Any) -> str:
    """The change of each cell since the previous wave, as inline SVG ("" without one)."""
    if figures.comparison is None:
        return ""
    before = figures.before.name if figures.before is not None else "the previous wave"
    return render_svg(
        rc_change_spec(list(figures.comparison.cells)),
        chart_id="chart-rc-change",
        title=f"Change of each rater → rated pair since {before}",
        description=(
            "Each row is a rater → rated pair: the point is its change in RC, the line its "
            "range (a range that crosses the dashed zero line may be chance); suppressed "
            "pairs are marked as such. The change table below holds the same data."
        ),
    )

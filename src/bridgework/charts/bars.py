"""Bar charts shared by several pages: one bar per row of the table beside it, rows whose
figure the table hides drawn as the words "hidden" (layer ``suppressed``), with no bar and no
value."""

from __future__ import annotations

from typing import Any

from bridgework.charts.palette import BAR, SUPPRESSED_LINE
from bridgework.charts.specs import base

__all__ = ["HIDDEN", "bar_spec"]

HIDDEN = "hidden"


def bar_spec(
    rows: list[tuple[str, float | None, str]],
    *,
    axis_title: str,
    domain: tuple[float, float] | None = None,
    hidden_label: str = HIDDEN,
    rule: float | None = None,
) -> dict[str, Any]:
    """Horizontal bars (layer ``bars``) from ``(name, value or None when hidden, label)``
    rows, in their order, each labelled with ``label`` at its end; ``rule`` draws a dashed
    reference line at that value (say what it is in ``axis_title``)."""
    order = [name for name, _, _ in rows]
    values = [
        {
            "name": name,
            "value": value,
            "label": label if value is not None else hidden_label,
            "kind": "shown" if value is not None else HIDDEN,
        }
        for name, value, label in rows
    ]
    scale: dict[str, Any] = {"zero": True}
    if domain is not None:
        scale["domain"] = list(domain)
    else:
        top = max([v for _, v, _ in rows if v is not None] + [1])
        scale["domain"] = [min(0, *(v for _, v, _ in rows if v is not None)), top * 1.15]
    x = {
        "field": "value",
        "type": "quantitative",
        "title": axis_title,
        "scale": scale,
        "axis": {"tickCount": 5, "titleLimit": 560},
    }
    y = {"field": "name", "type": "nominal", "sort": order, "title": None}
    shown = {"filter": "datum.kind === 'shown'"}
    layers: list[dict[str, Any]] = [
        {
            "name": "bars",
            "transform": [shown],
            "mark": {"type": "bar", "color": BAR, "height": {"band": 0.7}},
            "encoding": {"x": x, "y": y},
        },
        # Labels beyond the end of each bar: right of a positive one, left of a negative one.
        {
            "name": "bar_labels",
            "transform": [shown, {"filter": "datum.value >= 0"}],
            "mark": {"type": "text", "align": "left", "dx": 4},
            "encoding": {"x": x, "y": y, "text": {"field": "label"}},
        },
        {
            "name": "negative_bar_labels",
            "transform": [shown, {"filter": "datum.value < 0"}],
            "mark": {"type": "text", "align": "right", "dx": -4},
            "encoding": {"x": x, "y": y, "text": {"field": "label"}},
        },
        {
            "name": "suppressed",
            "transform": [{"filter": f"datum.kind === '{HIDDEN}'"}],
            "mark": {
                "type": "text",
                "align": "left",
                "dx": 4,
                "fontStyle": "italic",
                "color": SUPPRESSED_LINE,
            },
            "encoding": {
                "x": {"datum": 0, "type": "quantitative", "scale": scale},
                "y": y,
                "text": {"field": "label"},
            },
        },
    ]
    if rule is not None:
        layers.append(
            {
                "name": "reference",
                "data": {"values": [{}]},
                "mark": {"type": "rule", "color": SUPPRESSED_LINE, "strokeDash": [4, 3]},
                "encoding": {"x": {"datum": rule, "type": "quantitative", "scale": scale}},
            }
        )
    return base(data={"values": values}, width=420, height={"step": 30}, layer=layers)

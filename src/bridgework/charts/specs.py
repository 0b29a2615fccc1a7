"""What every picture's Vega-Lite spec shares: the schema, fonts, colours of text and axes,
and no interactivity (the pictures are static SVG)."""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import floatformat

from bridgework.charts.palette import INK

__all__ = ["FONT", "base", "number"]

FONT = "Arial, Helvetica, sans-serif"


def base(**spec: Any) -> dict[str, Any]:
    """A spec with the house configuration; ``spec`` adds data, marks and layout."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "background": "transparent",
        "padding": {"left": 8, "top": 8, "right": 40, "bottom": 8},
        "config": {
            "aria": False,
            "font": FONT,
            "view": {"stroke": None},
            "axis": {
                "labelFontSize": 13,
                "titleFontSize": 13,
                "labelColor": INK,
                "titleColor": INK,
                "domainColor": "#505a5f",
                "tickColor": "#505a5f",
                "gridColor": "#dfe2e4",
                "labelLimit": 220,
            },
            "legend": {
                "labelFontSize": 13,
                "titleFontSize": 13,
                "labelColor": INK,
                "titleColor": INK,
                "orient": "bottom",
                "direction": "horizontal",
                "columnPadding": 24,
            },
            "text": {"fontSize": 13, "color": INK},
        },
        **spec,
    }


def number(value: float | None, places: int | str = 2) -> str:
    """A number as the tables write it (Django's ``floatformat``), so picture and table agree
    to the last digit; ``places="+2"`` writes the sign."""
    return "" if value is None else floatformat(value, places)

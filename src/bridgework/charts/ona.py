"""Pictures of the network survey and the roles self-assessment: the E-I index and the ties
within and across organisations (from the rows of the organisations table,
:func:`bridgework.ona.results.organisation_level`'s ``summary``), and the mix of
self-assessed roles (the rows of the mix table). An organisation the table shows as "too few
answers" is the same words in the picture, with no bar."""

from __future__ import annotations

from typing import Any

from bridgework.charts.bars import bar_spec
from bridgework.charts.palette import BAR, BAR_OTHER, SUPPRESSED_LINE
from bridgework.charts.render import render_svg
from bridgework.charts.specs import base, number

__all__ = ["ona_ei_index_svg", "ona_ties_spec", "ona_ties_svg", "roles_mix_svg"]

TOO_FEW = "too few answers"
TIE_KINDS = ("within the organisation", "to other organisations")


def ona_ei_index_spec(summary: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [
        (s["name"], s["ei_index"] if s["visible"] else None, number(s["ei_index"])) for s in summary
    ]
    return bar_spec(
        rows,
        axis_title="E-I index (−1: all ties within; +1: all ties outside)",
        domain=(-1, 1),
        hidden_label=TOO_FEW,
    )


def ona_ei_index_svg(org: dict[str, Any]) -> str:
    """The E-I index of each organisation (``org`` as the organisations page shows it)."""
    return render_svg(
        ona_ei_index_spec(org["summary"]),
        chart_id="chart-ona-ei-index",
        title="E-I index of each organisation",
        description=(
            "One bar per organisation, from 0 towards −1 (ties mostly within it) or +1 (ties "
            "mostly to other organisations); organisations with too few answers are marked so, "
            "with no bar. The organisations table below holds the same data."
        ),
    )


def ona_ties_spec(summary: list[dict[str, Any]]) -> dict[str, Any]:
    """Stacked bars (layer ``bars``, two per shown organisation): ties within it and ties
    from it to other organisations."""
    order = [s["name"] for s in summary]
    values = []
    for s in summary:
        if not s["visible"]:
            values.append({"name": s["name"], "kind": "hidden", "label": TOO_FEW})
            continue
        for kind, key in zip(TIE_KINDS, ("ties_within", "ties_out"), strict=True):
            values.append({"name": s["name"], "kind": "shown", "ties": s[key], "tie": kind})
    y = {"field": "name", "type": "nominal", "sort": order, "title": None}
    x = {"field": "ties", "type": "quantitative", "title": "Ties (nominations)", "stack": "zero"}
    return base(
        data={"values": values},
        width=420,
        height={"step": 30},
        layer=[
            {
                "name": "bars",
                "transform": [{"filter": "datum.kind === 'shown'"}],
                "mark": {"type": "bar", "height": {"band": 0.7}, "stroke": "#ffffff"},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "tie",
                        "type": "nominal",
                        "title": "Ties",
                        "scale": {"domain": list(TIE_KINDS), "range": [BAR, BAR_OTHER]},
                    },
                    "order": {"field": "tie", "sort": "descending"},
                },
            },
            {
                "name": "suppressed",
                "transform": [{"filter": "datum.kind === 'hidden'"}],
                "mark": {
                    "type": "text",
                    "align": "left",
                    "dx": 4,
                    "fontStyle": "italic",
                    "color": SUPPRESSED_LINE,
                },
                "encoding": {
                    "x": {"datum": 0, "type": "quantitative"},
                    "y": y,
                    "text": {"field": "label"},
                },
            },
        ],
    )


def ona_ties_svg(org: dict[str, Any]) -> str:
    """Ties within and across organisations (``org`` as the organisations page shows it)."""
    return render_svg(
        ona_ties_spec(org["summary"]),
        chart_id="chart-ona-ties",
        title="Ties within each organisation and to other organisations",
        description=(
            "One stacked bar per organisation: blue, ties within it; grey, ties from it to "
            "other organisations; organisations with too few answers are marked so, with no "
            "bar. The organisations table below holds the same data."
        ),
    )


def roles_mix_spec(mix_rows: list[dict[str, Any]], no_primary: int | None) -> dict[str, Any]:
    rows = [(r["label"], r["count"], str(r["count"])) for r in mix_rows]
    rows.append(("No main role", no_primary, str(no_primary)))
    return bar_spec(rows, axis_title="People whose main role it is")


def roles_mix_svg(mix_rows: list[dict[str, Any]], mix: Any) -> str:
    """The self-assessed roles mix: the rows of the mix table and the ``RolesMix``."""
    if mix.suppressed:
        return ""
    return render_svg(
        roles_mix_spec(mix_rows, mix.no_primary),
        chart_id="chart-roles-mix",
        title="Mix of self-assessed main roles across the network",
        description=(
            "One bar per role: how many people have it as a main role (a person can have "
            "more than one), and how many have none. The table below holds the same data."
        ),
    )

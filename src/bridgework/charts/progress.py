"""Response rates by workgroup or organisation, from the rows of the progress table
(:class:`~bridgework.waves.selectors.ProgressRow`): a group whose counts the reader may not
see is the word "hidden", with no bar."""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify

from bridgework.charts.bars import bar_spec
from bridgework.charts.render import render_svg

__all__ = ["response_rates_spec", "response_rates_svg"]


def response_rates_spec(rows: list[Any], *, threshold_percent: int) -> dict[str, Any]:
    return bar_spec(
        [(r.name, r.percent, f"{r.percent}%") for r in rows],
        axis_title=f"Response rate, % of those invited (dashed line: {threshold_percent}%)",
        domain=(0, 100),
        rule=threshold_percent,
    )


def response_rates_svg(rows: list[Any], progress: Any, grouping: str) -> str:
    """Response rates of ``rows`` (one grouping of a wave's progress), "" without rows."""
    if not rows:
        return ""
    return render_svg(
        response_rates_spec(list(rows), threshold_percent=progress.threshold_percent),
        chart_id=f"chart-response-rates-{slugify(grouping)}",
        title=f"Response rate by {grouping}",
        description=(
            f"One bar per {grouping}: the share of those invited who have responded; the "
            f"dashed line is {progress.threshold_percent}%, below which results may not "
            f"represent the group well; hidden counts are marked so, with no bar. The table "
            "below holds the same data."
        ),
    )

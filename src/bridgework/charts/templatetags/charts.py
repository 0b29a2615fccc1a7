"""``{% chart "rc_heatmap" figures %}``: a picture of :data:`bridgework.charts.CHARTS`,
inline, in a ``<div class="bw-chart">`` (nothing when there is nothing to draw).

A picture the renderer cannot draw is logged and replaced by a sentence pointing to the
table below it: the page itself never fails for a picture."""

from __future__ import annotations

import logging

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from bridgework.charts import CHARTS
from bridgework.charts.render import failed_picture

register = template.Library()
logger = logging.getLogger("bridgework.charts")


@register.simple_tag
def chart(name: str, *args):
    try:
        draw = CHARTS[name]
    except KeyError:
        raise template.TemplateSyntaxError(f"no chart named {name!r}") from None
    try:
        svg = draw(*args)
    except Exception:
        logger.exception("the chart %s could not be drawn", name)
        return mark_safe(failed_picture(name.replace("_", " ")))
    if not svg:
        return ""
    # The SVG is built from an allow-list of elements and attributes (charts.render).
    return format_html('<div class="bw-chart" data-chart="{}">{}</div>', name, mark_safe(svg))

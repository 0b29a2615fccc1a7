"""Vega-Lite specs rendered to accessible, sanitised SVG on the server.

Why Vega-Lite through vl-convert: a chart is a JSON spec (data we build and test as data),
rendered by the Vega project's own renderer embedded in the ``vl-convert-python`` wheel, with
no browser, Node or JavaScript on the page at run time; its SVG keeps text as ``<text>`` and
names each layer's marks (``<name>_marks``), which lets the tests count cells, nodes and
bars. matplotlib's SVG backend was the alternative: heavier to install, imperative plotting
code rather than a spec, and its text is drawn as paths unless told otherwise.

:func:`render_svg` renders a picture once and keeps the finished SVG in Django's shared cache,
keyed by the hash of the spec and its words, so a changed figure is a new key and never a
stale picture: rendering takes from a few ms to about 0.3 s (a 12 × 12 heatmap) on a 2-core
machine, plus about 1 s for the first in a process while the renderer starts
(``benchmarks/bench_charts.py``), where a cached picture costs one cache read. It makes the
renderer's SVG fit the page:

- ``role="img"`` named by its ``<title>`` (``aria-labelledby``) and described by its
  ``<desc>`` (``aria-describedby``); the inner
  marks lose their own roles (the table beside the picture is the accessible alternative);
- its natural width and height kept with its ``viewBox``, so the stylesheet can shrink it
  to a phone's width (``max-width: 100%; height: auto``) without ever enlarging it;
- sanitised: only SVG elements and presentation attributes on an allow-list are kept, so no
  script, event handler, link, foreign object or inline style can reach the page (the
  Content-Security-Policy forbids inline styles anyway);
- the marks of the ``suppressed`` layers hatched, so a suppressed cell is not told by its
  grey alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import xml.etree.ElementTree as ET
from typing import Any

from defusedxml.ElementTree import fromstring
from django.utils.html import escape

from bridgework.web.cache import cached

__all__ = ["CHART_CACHE_SECONDS", "failed_picture", "render_svg"]

logger = logging.getLogger(__name__)

#: The Vega-Lite version the specs are written for (one bundled with vl-convert).
VEGA_LITE_VERSION = "5.20"

#: How long a rendered picture stays cached; the key is the spec's hash, so a changed figure
#: makes a new key and never meets a stale picture.
CHART_CACHE_SECONDS = 24 * 60 * 60

SVG = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG)

_ELEMENTS = {"svg", "g", "path", "rect", "line", "circle", "ellipse", "polygon", "polyline",
             "text", "tspan", "title", "desc", "defs", "pattern", "clipPath", "linearGradient",
             "radialGradient", "stop"}  # fmt: skip
_ATTRIBUTES = {
    "class", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width",
    "height", "points", "transform", "fill", "fill-opacity", "stroke", "stroke-width",
    "stroke-opacity", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "opacity", "font-family", "font-size",
    "font-weight", "font-style", "text-anchor", "dominant-baseline", "dx", "dy", "display",
    "viewBox", "version", "clip-path", "id", "offset", "stop-color", "patternUnits",
    "patternTransform", "gradientUnits", "aria-hidden", "pointer-events",
}  # fmt: skip
_URL = re.compile(r"url\(#([\w-]+)\)")

#: The hatching drawn over suppressed marks (a pattern defined once per picture).
HATCH_ID_SUFFIX = "hatch"


def _vega_svg(text: str) -> str:
    """The raw SVG of a Vega-Lite spec given as JSON text."""
    import vl_convert

    started = time.perf_counter()
    svg = vl_convert.vegalite_to_svg(json.loads(text), vl_version=VEGA_LITE_VERSION)
    logger.debug("chart rendered in %.0f ms", 1000 * (time.perf_counter() - started))
    return svg


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sanitise(element: ET.Element) -> None:
    """Drop every element and attribute not on the allow-lists, and inner ARIA roles."""
    for child in list(element):
        if not isinstance(child.tag, str) or _local(child.tag) not in _ELEMENTS:
            element.remove(child)
            continue
        _sanitise(child)
    for name in list(element.attrib):
        value = element.attrib[name]
        local = _local(name)
        keep = local in _ATTRIBUTES and "javascript:" not in value.lower()
        if keep and "url(" in value:
            keep = all(_URL.fullmatch(part.strip()) for part in re.findall(r"url\([^)]*\)", value))
        if not keep or name != local:
            del element.attrib[name]


def _hatch(root: ET.Element, chart_id: str) -> None:
    """Hatch the marks of layers named ``suppressed…`` over their grey fill."""
    pattern_id = f"{chart_id}-{HATCH_ID_SUFFIX}"
    hatched = False
    for group in root.iter(f"{{{SVG}}}g"):
        classes = group.get("class", "").split()
        if not any(c.startswith("suppressed") and c.endswith("_marks") for c in classes):
            continue
        for mark in list(group):
            if _local(mark.tag) == "path":
                over = ET.SubElement(group, f"{{{SVG}}}path", {
                    "d": mark.get("d", ""), "fill": f"url(#{pattern_id})",
                    "class": "bw-hatch", "aria-hidden": "true",
                })  # fmt: skip
                if mark.get("transform"):
                    over.set("transform", mark.get("transform"))
                hatched = True
    if hatched:
        defs = ET.Element(f"{{{SVG}}}defs")
        pattern = ET.SubElement(defs, f"{{{SVG}}}pattern", {
            "id": pattern_id, "width": "8", "height": "8", "patternUnits": "userSpaceOnUse",
            "patternTransform": "rotate(45)",
        })  # fmt: skip
        ET.SubElement(pattern, f"{{{SVG}}}line", {
            "x1": "0", "y1": "0", "x2": "0", "y2": "8", "stroke": "#8d9296", "stroke-width": "1.5",
        })  # fmt: skip
        root.insert(0, defs)


def render_svg(spec: dict[str, Any], *, chart_id: str, title: str, description: str) -> str:
    """The picture of ``spec`` as inline SVG for a page, a print page or a PDF.

    Parameters
    ----------
    spec : dict
        A Vega-Lite spec whose data is inline (``data.values``).
    chart_id : str
        The picture's id on the page (``<title>`` and ``<desc>`` ids derive from it).
    title, description : str
        Its accessible name and description: what it shows, and where the same data is.

    Returns
    -------
    str
        One ``<svg>`` element; markup-safe (every text comes from the renderer, escaped, and
        everything else is on an allow-list).
    """
    # Through JSON first, so translated (lazy) strings become plain text and the cache key
    # is exactly what is rendered.
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    words = json.dumps([chart_id, str(title), str(description)])
    key = f"{VEGA_LITE_VERSION}|{text}|{words}"
    key = "charts:svg:" + hashlib.sha256(key.encode()).hexdigest()
    return cached(
        key,
        lambda: _accessible(_vega_svg(text), chart_id, str(title), str(description)),
        timeout=CHART_CACHE_SECONDS,
    )


def _accessible(raw: str, chart_id: str, title: str, description: str) -> str:
    """The renderer's SVG sanitised, hatched, and named as one image."""
    root = fromstring(raw)
    _sanitise(root)
    # The renderer's white background rectangle: the page's own background shows instead.
    first = next(iter(root), None)
    if first is not None and _local(first.tag) == "rect" and first.get("fill") == "white":
        root.remove(first)
    _hatch(root, chart_id)
    root.set("id", chart_id)
    root.set("class", "bw-chart__svg")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title")
    root.set("aria-describedby", f"{chart_id}-desc")
    root.set("focusable", "false")
    desc = ET.Element(f"{{{SVG}}}desc", {"id": f"{chart_id}-desc"})
    desc.text = description
    head = ET.Element(f"{{{SVG}}}title", {"id": f"{chart_id}-title"})
    head.text = title
    root.insert(0, desc)
    root.insert(0, head)
    # Written with plain tag names and one xmlns, not through ElementTree's prefix table: that
    # table is process-wide, and other libraries (WeasyPrint's PDF metadata) rewrite it.
    for element in root.iter():
        element.tag = _local(element.tag)
    root.set("xmlns", SVG)
    return ET.tostring(root, encoding="unicode")


def failed_picture(title: str) -> str:
    """What stands in for a picture the renderer could not draw (the table still follows)."""
    return (
        '<p class="govuk-body bw-chart__failed">'
        f"The picture “{escape(title)}” could not be drawn; the table below holds its data.</p>"
    )

"""Reading the pictures of a page: each ``<svg>`` of :mod:`bridgework.charts` by id, the
marks of one layer, and every piece of text or attribute a reader or a script could see."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
#: Attributes that only place or shape marks: numbers in them are coordinates, not figures.
GEOMETRY = {"d", "transform", "x", "y", "x1", "x2", "y1", "y2", "width", "height", "viewBox",
            "points", "dx", "dy", "cx", "cy", "r", "stroke-width", "stroke-dasharray",
            "font-size", "opacity", "stroke-miterlimit"}  # fmt: skip


def page_svgs(html: str) -> dict[str, ET.Element]:
    """Every chart picture on the page, by its id."""
    found = {}
    for match in re.finditer(r"<svg\b.*?</svg>", html, re.S):
        root = ET.fromstring(match.group(0))
        if root.get("id", "").startswith("chart-"):
            found[root.get("id")] = root
    return found


def marks(svg: ET.Element, layer: str) -> int:
    """How many marks the layer ``layer`` (or its numbered copies ``layer_0``, ``layer_1``
    in stacked panels) drew; the hatching over suppressed marks is not counted."""
    name = re.compile(rf"{re.escape(layer)}(_\d+)?_marks")
    return sum(
        1
        for group in svg.iter(f"{SVG}g")
        if any(name.fullmatch(c) for c in group.get("class", "").split())
        for mark in group
        if mark.get("class") != "bw-hatch"
    )


def texts(svg: ET.Element) -> list[str]:
    """Every text node and every non-geometric attribute value of the picture."""
    found = []
    for element in svg.iter():
        found += [t for t in (element.text, element.tail) if t and t.strip()]
        found += [v for k, v in element.attrib.items() if k not in GEOMETRY]
    return found


def shows_number(svg: ET.Element, value: str) -> bool:
    """Whether ``value`` (e.g. "1.43") appears anywhere: in a text or a non-geometric
    attribute, or as a whole number among the coordinates."""
    token = re.compile(rf"(?<![\d.]){re.escape(value)}(?![\d])")
    if any(value in t for t in texts(svg)):
        return True
    return any(token.search(v) for element in svg.iter() for k, v in element.attrib.items())

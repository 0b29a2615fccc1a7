"""Rendering a spec to the SVG a page embeds: accessible, sanitised, cached, and readable."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from types import SimpleNamespace as Row

import pytest
from django.template import Context, Template

from bridgework import charts
from bridgework.charts import render
from bridgework.charts.palette import BAND_COLOURS, VIRIDIS, contrast, text_colour, viridis
from bridgework.charts.specs import base
from tests.chart_svg import marks, shows_number, texts

SVG = "{http://www.w3.org/2000/svg}"


def _bars(names=("A", "B")) -> dict:
    return base(
        data={"values": [{"name": n, "value": i + 1} for i, n in enumerate(names)]},
        layer=[
            {
                "name": "bars",
                "mark": "bar",
                "encoding": {
                    "y": {"field": "name", "type": "nominal"},
                    "x": {"field": "value", "type": "quantitative"},
                },
            }
        ],
    )


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


def test_a_picture_is_an_image_named_by_its_title_and_described_by_its_desc():
    svg = ET.fromstring(render.render_svg(_bars(), chart_id="c1", title="T <1>", description="D"))
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert (title.text, title.get("id")) == ("T <1>", "c1-title")
    assert (desc.text, desc.get("id")) == ("D", "c1-desc")
    assert svg.get("aria-labelledby") == "c1-title"
    assert svg.get("aria-describedby") == "c1-desc"
    assert svg.get("viewBox")
    assert marks(svg, "bars") == 2
    # No inner roles: the picture is one image; its table is the accessible alternative.
    assert [e for e in svg.iter() if e is not svg and e.get("role")] == []


def test_a_picture_is_plain_svg_whatever_another_library_did_to_the_namespace_table():
    # WeasyPrint's PDF metadata registers the empty namespace at import, which drops the SVG
    # default prefix from ElementTree's process-wide table.
    ET.register_namespace("", "")
    try:
        out = render.render_svg(_bars(), chart_id="c2", title="t", description="d")
    finally:
        ET.register_namespace("", SVG.strip("{}"))
    assert out.startswith("<svg ")
    assert 'xmlns="http://www.w3.org/2000/svg"' in out
    assert "ns0:" not in out


def test_text_from_the_data_cannot_become_markup():
    name = "<script>x()</script><b>"
    out = render.render_svg(_bars((name, "B")), chart_id="c", title="t", description="d")
    svg = ET.fromstring(out)
    assert "<script" not in out
    assert "<b>" not in out
    assert any(name in t for t in texts(svg))  # shown as text, escaped


def test_the_sanitiser_keeps_only_allowed_elements_and_attributes(monkeypatch):
    hostile = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 10 10" width="10" height="10" onload="alert(1)">'
        "<style>svg{display:none}</style><script>alert(2)</script>"
        '<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>'
        '<a xlink:href="javascript:alert(3)"><text>link</text></a>'
        '<g class="bars_marks" style="fill:red" onclick="alert(4)">'
        '<path d="M0,0h1v1h-1Z" fill="url(https://evil.example/x)"/>'
        '<path d="M0,0h1v1h-1Z" fill="url(#ok)" role="graphics-symbol" aria-label="3.2"/>'
        "</g></svg>"
    )
    monkeypatch.setattr(render, "_vega_svg", lambda spec: hostile)
    out = render.render_svg({}, chart_id="c", title="t", description="d")
    for banned in ("onload", "onclick", "<style", "<script", "foreignObject", "javascript:",
                   "style=", "evil.example", "aria-label=", "graphics-symbol", "<a "):  # fmt: skip
        assert banned not in out, banned
    assert 'fill="url(#ok)"' in out


def test_a_spec_is_rendered_once_and_then_read_from_the_cache(monkeypatch):
    import vl_convert

    calls = []
    real = vl_convert.vegalite_to_svg
    monkeypatch.setattr(
        vl_convert, "vegalite_to_svg", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    first = render.render_svg(_bars(), chart_id="c", title="t", description="d")
    again = render.render_svg(_bars(), chart_id="c", title="t", description="d")
    assert first == again
    assert len(calls) == 1
    render.render_svg(_bars(("A", "C")), chart_id="c", title="t", description="d")
    assert len(calls) == 2  # other data, another picture


def test_suppressed_marks_are_hatched_and_counted_once():
    spec = base(
        data={"values": [{"name": "A", "value": 1}, {"name": "B", "value": 2}]},
        layer=[
            {"name": "suppressed", "mark": "rect",
             "encoding": {"y": {"field": "name", "type": "nominal"}}},
        ],
    )  # fmt: skip
    svg = ET.fromstring(render.render_svg(spec, chart_id="h", title="t", description="d"))
    assert marks(svg, "suppressed") == 2
    hatches = [e for e in svg.iter() if e.get("class") == "bw-hatch"]
    assert len(hatches) == 2
    assert all(h.get("fill") == "url(#h-hatch)" for h in hatches)
    assert svg.find(f".//{SVG}pattern").get("id") == "h-hatch"


def test_a_value_is_found_in_text_or_as_a_whole_coordinate_but_not_inside_one():
    svg = ET.fromstring(
        '<svg xmlns="http://www.w3.org/2000/svg"><path d="M41.43,2"/><text>n 5</text></svg>'
    )
    assert not shows_number(svg, "1.43")
    assert shows_number(svg, "41.43")
    assert shows_number(svg, "n 5")


def test_text_on_every_heatmap_colour_meets_wcag_aa():
    for step in range(401):
        fill = viridis(step / 400)
        assert contrast(text_colour(fill), fill) >= 4.5, fill


def test_band_colours_stand_out_from_the_page_for_graphics():
    assert all(contrast(colour, "#ffffff") >= 3 for colour in BAND_COLOURS)


def test_the_heatmap_fill_is_the_colour_its_text_colour_was_chosen_for():
    from bridgework.charts.rc import rc_heatmap_spec

    cells = [Row(rater="A", target=t, rc=rc, n=6, band="weak", suppressed=False)
             for t, rc in (("A", 1.0), ("B", 2.6), ("C", 5.0))]  # fmt: skip
    heatmap = {"targets": ["A", "B", "C"], "rows": [("A", [Row(cell=c) for c in cells])]}
    svg = ET.fromstring(
        render.render_svg(rc_heatmap_spec(heatmap), chart_id="x", title="t", description="d")
    )
    group = next(g for g in svg.iter(f"{SVG}g") if "cells_marks" in g.get("class", ""))
    fills = [_rgb(p.get("fill")) for p in group]
    expected = [_rgb(viridis((c.rc - 1) / 4)) for c in cells]
    for fill, wanted in zip(fills, expected, strict=True):
        assert max(abs(a - b) for a, b in zip(fill, wanted, strict=True)) <= 1, (fill, wanted)
    assert fills[0] == _rgb(VIRIDIS[0])
    assert fills[-1] == _rgb(VIRIDIS[-1])


def _rgb(colour: str) -> tuple[int, ...]:
    """``#rrggbb`` or ``rgb(r, g, b)`` as numbers."""
    if colour.startswith("#"):
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(int(part) for part in colour[4:-1].split(","))


def test_a_picture_that_cannot_be_drawn_leaves_a_sentence_not_an_error(monkeypatch):
    def broken(*args):
        raise ValueError("renderer failed")

    monkeypatch.setitem(charts.CHARTS, "rc_heatmap", broken)
    html = Template('{% load charts %}{% chart "rc_heatmap" figures %}').render(
        Context({"figures": object()})
    )
    assert "could not be drawn" in html
    assert "the table below holds its data" in html


def test_an_empty_picture_leaves_nothing(monkeypatch):
    monkeypatch.setitem(charts.CHARTS, "rc_change", lambda figures: "")
    html = Template('{% load charts %}{% chart "rc_change" figures %}').render(
        Context({"figures": object()})
    )
    assert html == ""

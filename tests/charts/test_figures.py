"""Each figure's picture from the rows of its table: one mark per row, the hidden rows as
words with no value, and the numbers written as the table writes them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from types import SimpleNamespace as Row

import pytest

from bridgework.analysis.evaluation import MeanComparison, ProportionComparison
from bridgework.charts import (
    coffee_effects_svg,
    rc_change_svg,
    rc_tie_map_svg,
    response_rates_svg,
    roles_mix_svg,
)
from bridgework.charts.rc import rc_tie_map_spec
from tests.chart_svg import marks, shows_number, texts

BANDS = ["weak", "moderate", "strong"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _svg(text: str) -> ET.Element:
    return ET.fromstring(text)


def _change(rater, target, difference, ci=None, suppressed=False):
    return Row(
        rater=rater,
        target=target,
        n_before=3,
        n_after=4,
        change=Row(difference=difference, ci=ci, suppressed=suppressed),
    )


def test_change_picture_has_a_point_and_interval_per_shown_pair_and_words_for_the_rest():
    cells = [
        _change("A", "B", 0.3141, (0.1, 0.52)),
        _change("B", "A", -0.2, (-0.61, 0.07)),
        _change("A", "A", None, None, suppressed=True),
    ]
    figures = Row(comparison=Row(cells=cells), before=Row(name="Spring"))
    svg = _svg(rc_change_svg(figures))
    assert marks(svg, "changes") == 2
    assert marks(svg, "intervals") == 2
    assert marks(svg, "suppressed") == 1
    written = texts(svg)
    assert "0.31" in written  # as the table's floatformat writes it
    assert "-0.20" in written
    assert "since Spring" in svg.find("{http://www.w3.org/2000/svg}title").text
    assert rc_change_svg(Row(comparison=None, before=None)) == ""


def test_tie_map_draws_each_pair_once_and_gives_suppressed_ties_no_width_from_n():
    def cell(rater, target, n, band, suppressed=False):
        return Row(cell=Row(rater=rater, target=target, n=None if suppressed else n,
                            rc=None if suppressed else 3.0, band=None if suppressed else band,
                            suppressed=suppressed))  # fmt: skip

    heatmap = {
        "targets": ["A", "B", "C"],
        "rows": [
            ("A", [cell("A", "A", 9, "strong"), cell("A", "B", 20, "weak"),
                   cell("A", "C", 5, "moderate")]),
            ("B", [cell("B", "A", 0, None, True), cell("B", "B", 6, "weak"),
                   cell("B", "C", 0, None, True)]),
        ],
    }  # fmt: skip
    spec = rc_tie_map_spec(heatmap, BANDS)
    ties = spec["layer"][0]["data"]["values"]
    hidden = spec["layer"][1]["data"]["values"]
    assert [t["band"] for t in ties] == ["weak", "moderate"]
    assert ties[0]["width"] > ties[1]["width"]  # 20 respondents against 5
    assert {t["width"] for t in hidden} == {1.5}
    assert {t["band"] for t in hidden} == {"suppressed"}
    svg = _svg(rc_tie_map_svg(Row(heatmap=heatmap, analysis=Row(settings={"band_labels": BANDS}))))
    assert marks(svg, "nodes") == 3
    assert marks(svg, "ties") == 2
    assert marks(svg, "suppressed_ties") == 2
    assert marks(svg, "arrows") == 4


def _mean(difference, ci):
    return MeanComparison(treated_n=6, control_n=9, treated_mean=0.4, control_mean=0.1,
                          difference=difference, ci=ci, p_value=0.2, confidence=0.95,
                          exact=True, caution=None)  # fmt: skip


def _share(difference, ci):
    return ProportionComparison(treated_n=20, treated_events=9, control_n=10, control_events=3,
                                treated_share=0.45, control_share=0.3, difference=difference,
                                ci=ci, p_value=0.4, confidence=0.95, caution=None)  # fmt: skip


def test_effects_forest_plot_has_one_estimate_per_comparison_the_page_states():
    both = Row(rc=_mean(0.3, (-0.1, 0.7)), ties=_share(0.15, (-0.2, 0.5)))
    svg = _svg(coffee_effects_svg(both))
    assert marks(svg, "estimates") == 2
    assert marks(svg, "intervals") == 2
    written = texts(svg)
    assert "0.30" in written
    assert "15" in written  # percentage points, as the page's widthratio writes them
    only_ties = _svg(coffee_effects_svg(Row(rc=None, ties=_share(0.15, (-0.2, 0.5)))))
    assert marks(only_ties, "estimates") == 1
    assert coffee_effects_svg(Row(rc=None, ties=None)) == ""
    assert coffee_effects_svg(Row(rc=_mean(None, None), ties=None)) == ""


def test_roles_mix_has_a_bar_per_role_and_none_when_suppressed():
    rows = [{"label": "Broker", "count": 4}, {"label": "Connector", "count": 7}]
    svg = _svg(roles_mix_svg(rows, Row(suppressed=False, no_primary=2)))
    assert marks(svg, "bars") == 3
    assert {"4", "7", "2", "No main role"} <= set(texts(svg))
    assert roles_mix_svg(rows, Row(suppressed=True, no_primary=None)) == ""


def test_response_rates_hide_the_counts_the_table_hides():
    progress = Row(threshold_percent=60)
    rows = [
        Row(name="Nurses", percent=83),
        Row(name="Doctors", percent=None),
        Row(name="Porters", percent=40),
    ]
    svg = _svg(response_rates_svg(rows, progress, "workgroup"))
    assert marks(svg, "bars") == 2
    assert marks(svg, "suppressed") == 1
    assert marks(svg, "reference") == 1
    assert "83%" in texts(svg)
    assert "hidden" in texts(svg)
    assert not shows_number(svg, "None")
    assert svg.get("id") == "chart-response-rates-workgroup"
    assert response_rates_svg([], progress, "workgroup") == ""

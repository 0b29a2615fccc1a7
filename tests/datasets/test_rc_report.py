"""Tests for bridgework.datasets.rc_report: XLSX and HTML reports, privacy kept."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from bridgework.analysis.rc import DIMENSIONS, LONG_COLUMNS, RCSettings, analyze_rc
from bridgework.analysis.rc_compare import compare_waves
from bridgework.analysis.rc_results import rounded
from bridgework.datasets.rc_report import write_rc_html, write_rc_xlsx


def _frame():
    rows = []
    for i in range(6):
        for d in DIMENSIONS:
            rows += [(f"n{i}", "Nurses", "Pharmacy", d, 3), (f"n{i}", "Nurses", "=Evil()", d, 5)]
            rows += [(f"p{i}", "Pharmacy", "Nurses", d, 4)]
    for i in range(2):  # a workgroup too small to show: its answers are 1s
        rows += [(f"s{i}", "Social work", "Nurses", d, 1) for d in DIMENSIONS]
    return pd.DataFrame(rows, columns=LONG_COLUMNS)


@pytest.fixture
def result():
    return analyze_rc(_frame(), settings=RCSettings(bootstrap=50, seed=1))


def test_xlsx_has_one_sheet_per_view_with_band_colours(result):
    workbook = load_workbook(io.BytesIO(write_rc_xlsx(result)))
    assert workbook.sheetnames == [
        "Matrix", "Cells", "Workgroups", "Overall", "Reciprocity", "Reliability", "Settings",
    ]  # fmt: skip
    matrix = workbook["Matrix"]
    assert len(matrix.conditional_formatting) >= 1
    rules = [rule for cf in matrix.conditional_formatting for rule in cf.rules]
    assert {rule.operator for rule in rules} == {"lessThan", "between", "greaterThan"}
    cells = workbook["Cells"]
    header = [c.value for c in cells[1]]
    assert "band" in header
    assert "suppressed" in header


def test_xlsx_never_contains_suppressed_values_and_keeps_formula_text_inert(result):
    workbook = load_workbook(io.BytesIO(write_rc_xlsx(result)))
    cells = workbook["Cells"]
    header = [c.value for c in cells[1]]
    for row in cells.iter_rows(min_row=2, values_only=True):
        record = dict(zip(header, row, strict=True))
        if record["rater"] == "Social work":
            assert record["rc"] is None
            assert record["suppressed"] == "yes"
    evil = [c for c in workbook["Matrix"][1] if c.value == "=Evil()"]
    assert evil
    assert evil[0].data_type == "s"


def test_html_is_self_contained_and_accessible(result):
    page = write_rc_html(result).decode()
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page
    assert "<caption>" in page
    assert 'scope="col"' in page
    assert 'scope="row"' in page
    assert not re.search(r"<script|<link|src=|https?://", page)
    # value AND band in text, not colour alone
    assert re.search(r"3\.00<span class=\"band\">weak", page)
    assert "conventional cut-offs, not validated norms" in page
    assert "&lt;" not in page or "=Evil()" in page


def test_html_shows_suppressed_cells_as_text_without_their_values(result):
    page = write_rc_html(result).decode()
    row = re.search(r'<tr><th scope="row">Social work</th>(.*?)</tr>', page).group(1)
    assert "suppressed" in row
    assert not re.search(r"\d\.\d\d", row)  # the small workgroup's ratings never appear


def test_comparison_reports_render():
    frame = pd.concat([_frame().assign(wave="w1"), _frame().assign(wave="w2")])
    comparison = compare_waves(
        frame, before="w1", after="w2", settings=RCSettings(bootstrap=20, seed=1), permutations=20
    )
    assert b"Change by cell" in write_rc_html(comparison)
    workbook = load_workbook(io.BytesIO(write_rc_xlsx(comparison)))
    assert workbook.sheetnames == ["Cells", "Overall", "Settings"]
    # A change has the same columns, read the same way, in both sheets.
    change = ["before", "after", "difference", "ci_low", "ci_high", "p_value", "effect_size"]
    cells, overall = ([c.value for c in workbook[name][1]] for name in ("Cells", "Overall"))
    assert cells == [
        "rater",
        "target",
        "n_before",
        "n_after",
        *change,
        "band_before",
        "band_after",
        "band_changed",
        "suppressed",
        "reason",
    ]
    assert overall == ["figure", *change, "suppressed", "reason"]
    for row, (name, figure) in zip(
        workbook["Overall"].iter_rows(min_row=2, values_only=True),
        comparison.overall.items(),
        strict=True,
    ):
        low, high = figure.ci or (None, None)
        assert row[0] == name
        assert row[4:6] == (rounded(low), rounded(high))
        assert row[-1] == figure.reason


def _all_text_of(workbook) -> str:
    return "\n".join(
        "\t".join("" if v is None else str(v) for v in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


@pytest.fixture(scope="module")
def negative_icc():
    from tests.analysis.negative_icc import negative_icc_frame

    return analyze_rc(negative_icc_frame(), settings=RCSettings(bootstrap=0, seed=1))


def test_xlsx_reports_a_negative_icc_as_zero_with_the_note(negative_icc):
    from bridgework.analysis.reported import NEGATIVE_ICC_NOTE
    from tests.analysis.negative_icc import raw_forms

    workbook = load_workbook(io.BytesIO(write_rc_xlsx(negative_icc)))
    rows = {row[0]: row[1:] for row in workbook["Reliability"].iter_rows(values_only=True)}
    assert rows["icc1"] == (0, NEGATIVE_ICC_NOTE)
    assert rows["icc2"] == (0, NEGATIVE_ICC_NOTE)
    text = _all_text_of(workbook)
    for raw in (negative_icc.reliability.icc1, negative_icc.reliability.icc2):
        assert raw < 0
        assert not any(form in text for form in raw_forms(raw)), raw


def test_html_report_shows_a_negative_icc_as_zero_with_the_note(negative_icc):
    from bridgework.analysis.reported import NEGATIVE_ICC_NOTE
    from tests.analysis.negative_icc import raw_forms

    page = write_rc_html(negative_icc).decode()
    assert re.search(r"ICC\(2\) by rater workgroup</th><td class=\"num\">0\.00</td>", page)
    assert re.search(r"ICC\(1\) by rater workgroup</th><td class=\"num\">0\.00</td>", page)
    assert page.count(NEGATIVE_ICC_NOTE) == 2
    for raw in (negative_icc.reliability.icc1, negative_icc.reliability.icc2):
        assert not any(form in page for form in raw_forms(raw)), raw

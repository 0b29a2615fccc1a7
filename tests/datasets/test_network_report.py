"""XLSX and HTML writers of a network analysis."""

from __future__ import annotations

import html.parser

import pandas as pd
from openpyxl import load_workbook

from bridgework.analysis.network import analyze_network
from bridgework.datasets.network_report import people_columns, write_html, write_xlsx

PEOPLE = pd.DataFrame({"id": ["a", "b", "c", "d"], "organisation": ["X", "X", "Y", "<Y&>"]})
NOMS = pd.DataFrame({"ego": ["a", "b", "c"], "alter": ["b", "c", "d"]})


class _TableCheck(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables = self.captions = self.th_without_scope = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tables += tag == "table"
        self.captions += tag == "caption"
        if tag == "th" and attrs.get("scope") not in ("col", "row"):
            self.th_without_scope += 1


def test_html_tables_have_captions_and_scoped_headers(tmp_path):
    data = analyze_network(PEOPLE, NOMS).to_dict()
    path = tmp_path / "report.html"
    write_html(data, path)
    text = path.read_text()
    check = _TableCheck()
    check.feed(text)
    assert check.tables == check.captions >= 5
    assert check.th_without_scope == 0
    assert "&lt;Y&amp;&gt;" in text
    assert "<Y&>" not in text


def test_xlsx_has_a_sheet_per_table_with_people_rows(tmp_path):
    data = analyze_network(PEOPLE, NOMS).to_dict()
    path = tmp_path / "report.xlsx"
    write_xlsx(data, path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == [
        "Summary", "People", "Group density", "Groups", "Roles", "Weaving", "Warnings",
    ]  # fmt: skip
    sheet = workbook["People"]
    header, rows = people_columns(data)
    assert [c.value for c in sheet[2]] == header
    assert sheet.max_row == 2 + len(rows)
    assert "brokerage_total" in header
    assert "ei_organisation" in header

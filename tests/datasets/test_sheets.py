"""Spreadsheet writers and the formula-injection guard."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bridgework.datasets.sheets import (
    FORMULA_TRIGGERS,
    guard_cell,
    unguard_cell,
    unholdable_character,
    write_csv_table,
    write_xlsx_table,
)
from bridgework.datasets.tabular import read_table


def test_cells_starting_with_a_formula_trigger_get_a_leading_apostrophe():
    for trigger in FORMULA_TRIGGERS:
        assert guard_cell(trigger + "1") == "'" + trigger + "1"
    assert guard_cell("Ana") == "Ana"
    assert guard_cell("'Iolani") == "'Iolani"  # a leading apostrophe that guards nothing


def test_xlsx_mode_escapes_only_cells_that_already_look_guarded():
    assert guard_cell("=1", formulas=False) == "=1"
    assert guard_cell("'=1", formulas=False) == "''=1"


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("='+-@ab\t"), max_size=6), st.booleans())
def test_unguard_undoes_guard(cell, formulas):
    assert unguard_cell(guard_cell(cell, formulas=formulas)) == cell


def test_unholdable_characters_are_found():
    assert unholdable_character("Zoë 😀") is None
    assert unholdable_character("a\x00b") == "\x00"
    assert unholdable_character("a\x85") == "\x85"
    assert unholdable_character("\uffff") == "\uffff"


def test_csv_table_is_utf8_bom_crlf_and_guarded():
    data = write_csv_table(["a", "b"], [["=1+2", "x,y"]])
    assert data == '\ufeffa,b\r\n\'=1+2,"x,y"\r\n'.encode()
    assert read_table(data).rows == (("'=1+2", "x,y"),)


def test_xlsx_table_keeps_formula_like_text_as_text_and_drops_illegal_characters():
    data = write_xlsx_table(["a", "b"], [["=1+2", "bell\x07"]], sheet_title="T")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["T"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+2", "s")
    assert sheet["B2"].value == "bell"
    assert sheet.auto_filter.ref == "A1:B2"

"""Reading CSV/XLSX the way people's files really come."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from bridgework.datasets.tabular import (
    DatasetError,
    Problem,
    normalise_header,
    read_frame,
    read_table,
    sniff_delimiter,
)


def test_utf8_with_bom_and_semicolons():
    table = read_table("\ufeffName;Email\nJosé;j@x.example\n".encode())
    assert table.header == ("Name", "Email")
    assert table.rows == (("José", "j@x.example"),)


def test_windows_1252_from_excel():
    table = read_table("name,email\nZoë Ñúñez,z@x.example\n".encode("cp1252"))
    assert table.rows[0][0] == "Zoë Ñúñez"


def test_quoted_delimiters_do_not_fool_the_sniffer():
    assert sniff_delimiter('"a;b",c,d') == ","
    assert sniff_delimiter("a;b;c") == ";"


def test_blank_rows_keep_spreadsheet_numbering():
    table = read_table(b"a,b\n1,2\n,\n3,4\n\n")
    assert len(table.rows) == 3
    assert table.row_number(2) == 4
    assert table.rows[2] == ("3", "4")


def test_xlsx_first_sheet_as_text():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "count"])
    sheet.append(["Ann", 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), filename="people.xlsx")
    assert table.rows == (("Ann", "3"),)


def test_structural_problems_are_all_reported():
    with pytest.raises(DatasetError) as caught:
        read_table(b"name,name,\n1,2,3,4\n")
    reasons = [str(p) for p in caught.value.problems]
    assert "row 1, column name: column appears twice" in reasons
    assert any(r.startswith("row 2:") for r in reasons)


def test_empty_file_is_a_problem():
    with pytest.raises(DatasetError, match="empty"):
        read_table(b"")


def test_damaged_xlsx_is_a_problem_not_a_crash():
    with pytest.raises(DatasetError, match="XLSX"):
        read_table(b"PK\x03\x04garbage", filename="x.xlsx")


def test_problem_text_names_row_and_column():
    assert str(Problem(4, "email", "missing")) == "row 4, column email: missing"
    assert str(Problem(None, None, "empty")) == "file: empty"


def test_normalise_header():
    assert normalise_header(" E-mail Address ") == "e_mail_address"


def test_read_frame_from_path_matches_read_table(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("a;b\nJosé;2\n".encode("cp1252"))
    frame = read_frame(path)
    assert list(frame.columns) == ["a", "b"]
    assert frame.loc[2, "a"] == "José"

"""Every limit is enforced before the work, configurable, named in its message and documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bridgework.datasets.limits import LIMIT_VARIABLES, file_limits, upload_limits
from bridgework.datasets.tabular import DatasetError, read_frame, read_table
from tests.nasty_files import workbook

DOC = (Path(__file__).resolve().parents[2] / "docs" / "limits.md").read_text()


def test_every_limit_is_documented_with_its_default():
    for variable, default, _ in LIMIT_VARIABLES:
        row = next((line for line in DOC.splitlines() if f"| `{variable}` |" in line), None)
        assert row is not None, f"{variable} is not in docs/limits.md"
        shown = f"{default // 2**20:,} MB" if default >= 2**20 else f"{default:,}"
        assert row.rstrip().endswith(f"| {shown} |"), f"{variable}: {row}"


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("BRIDGEWORK_MAX_ROWS", "1_000")
    monkeypatch.setenv("BRIDGEWORK_IMPORT_MAX_BYTES", "5000")
    assert file_limits().rows == 1000
    assert upload_limits().file_bytes == 5000  # the older name still counts
    monkeypatch.setenv("BRIDGEWORK_MAX_UPLOAD_BYTES", "6000")
    assert upload_limits().file_bytes == 6000
    assert upload_limits().rows == 20_000
    monkeypatch.setenv("BRIDGEWORK_MAX_ROWS", "lots")
    with pytest.raises(ValueError, match="BRIDGEWORK_MAX_ROWS must be a whole number"):
        file_limits()
    monkeypatch.setenv("BRIDGEWORK_MAX_ROWS", "0")
    with pytest.raises(ValueError, match="1 or more"):
        file_limits()


def _csv(rows: int, columns: int = 2, cell: str = "x") -> bytes:
    header = ",".join(f"c{n}" for n in range(columns))
    return (header + "\n" + "\n".join(",".join([cell] * columns) for _ in range(rows))).encode()


@pytest.mark.parametrize("reader", ["table", "frame"])
@pytest.mark.parametrize(
    ("variable", "value", "data", "words"),
    [
        ("BRIDGEWORK_MAX_ROWS", "3", _csv(4), "more than 3 rows"),
        ("BRIDGEWORK_MAX_COLUMNS", "3", _csv(1, columns=4), "more than 3 columns"),
        ("BRIDGEWORK_MAX_CELL_CHARS", "5", _csv(1, cell="abcdef"), "more than 5 characters"),
        ("BRIDGEWORK_MAX_FILE_BYTES", "10", _csv(3), "more than 10 bytes"),
    ],
)
def test_each_limit_refuses_a_csv_and_names_its_variable(
    monkeypatch, tmp_path, reader, variable, value, data, words
):
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    read = read_table if reader == "table" else read_frame
    assert len(read(path).index if reader == "frame" else read(path).rows) >= 1
    monkeypatch.setenv(variable, value)
    with pytest.raises(DatasetError) as caught:
        read(path)
    assert words in str(caught.value)
    assert variable in str(caught.value)


def test_exactly_the_row_limit_is_accepted(monkeypatch):
    monkeypatch.setenv("BRIDGEWORK_MAX_ROWS", "3")
    assert len(read_table(_csv(3)).rows) == 3
    data = workbook([["a", "b"], *[["1", "2"]] * 3])
    assert len(read_table(data, filename="x.xlsx").rows) == 3
    with pytest.raises(DatasetError, match="more than 3 rows"):
        read_table(workbook([["a", "b"], *[["1", "2"]] * 4]), filename="x.xlsx")


def test_an_xlsx_over_its_unpacked_size_is_refused_unopened(monkeypatch):
    data = workbook([["a", "b"], ["1", "2"]])
    monkeypatch.setenv("BRIDGEWORK_MAX_XLSX_UNCOMPRESSED_BYTES", "1000")
    with pytest.raises(DatasetError, match="BRIDGEWORK_MAX_XLSX_UNCOMPRESSED_BYTES"):
        read_table(data, filename="x.xlsx")


def test_an_xlsx_cell_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setenv("BRIDGEWORK_MAX_CELL_CHARS", "5")
    with pytest.raises(DatasetError, match=re.escape("more than 5 characters")):
        read_table(workbook([["a"], ["abcdefgh"]]), filename="x.xlsx")


def test_utf16_csv_is_read():
    data = "name;email\nZoë;z@example.org\n".encode("utf-16")
    assert read_table(data).rows == (("Zoë", "z@example.org"),)

"""Reading tabular files people really have: CSV or XLSX, from any survey tool or from Excel.

Every importer in Bridgework reads through this module so they all accept the same files and
report problems the same way:

* CSV in UTF-8 (with or without the byte-order mark Excel writes) or Windows-1252 (Excel's
  "CSV" export on Windows), delimited by ``,`` or ``;`` (European Excel), sniffed from the header;
* XLSX (first worksheet), read with openpyxl in read-only mode;
* every cell is read as text, stripped; empty cells are ``""``. Validation is the caller's job,
  and it reports each problem as a :class:`Problem` with the row number the user sees in their
  spreadsheet (the header is row 1, the first data row is row 2).

Validation never stops at the first problem: callers collect every :class:`Problem` and raise one
:class:`DatasetError`, so a user fixes their file in one pass and nothing is written meanwhile.
Both live in the leaf module :mod:`bridgework.problems` (the pure core uses them too) and are
re-exported here.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from bridgework.problems import FIRST_DATA_ROW, DatasetError, Problem, normalise_header

__all__ = [
    "FIRST_DATA_ROW",
    "DatasetError",
    "Problem",
    "Table",
    "decode_text",
    "normalise_header",
    "read_frame",
    "read_table",
    "sniff_delimiter",
]

#: Source of a table: a path, raw bytes, or an open binary file.
Source = str | os.PathLike[str] | bytes | BinaryIO

_XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Table:
    """A small-to-medium table of text cells: header names as written, and data rows.

    ``rows[i]`` is spreadsheet row ``i + FIRST_DATA_ROW``; every row has ``len(header)`` cells.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def row_number(self, index: int) -> int:
        """Spreadsheet row number of ``rows[index]``."""
        return index + FIRST_DATA_ROW

    def records(self) -> list[dict[str, str]]:
        """Rows as dictionaries keyed by header name."""
        return [dict(zip(self.header, row, strict=True)) for row in self.rows]


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: UTF-8 (BOM optional), else Windows-1252 as Excel on Windows writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(header_line: str) -> str:
    """Pick ``;`` or ``,`` from the header line, ignoring delimiters inside quotes.

    Excel in many European locales writes ``;``; everything else writes ``,``. A header with
    more semicolons than commas (outside quoted names) is taken as semicolon-delimited.
    """
    counts = {",": 0, ";": 0, "\t": 0}
    in_quotes = False
    for char in header_line:
        if char == '"':
            in_quotes = not in_quotes
        elif not in_quotes and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda k: (counts[k], k == ","))
    return best if counts[best] else ","


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    return source.read()


def _is_xlsx(data: bytes, filename: str | None) -> bool:
    if filename and filename.lower().endswith((".xlsx", ".xlsm")):
        return True
    return data[:4] == _XLSX_MAGIC


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise DatasetError([Problem(None, None, f"not a readable XLSX workbook ({exc})")]) from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> list[list[str]]:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    try:
        return [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise DatasetError([Problem(reader.line_num, None, f"unreadable CSV ({exc})")]) from exc


def read_table(source: Source, *, filename: str | None = None) -> Table:
    """Read a CSV or XLSX file into a :class:`Table` of stripped text cells.

    Blank rows inside the data are kept as all-empty rows, so ``Table.row_number`` matches
    the spreadsheet (callers skip them); trailing blank rows are dropped. A row longer than
    the header is a problem; a shorter one is padded with empty cells.

    Raises
    ------
    DatasetError
        The file is empty, has no header, duplicated column names, or rows wider than it.
    """
    data = _read_bytes(source)
    if filename is None and isinstance(source, str | os.PathLike):
        filename = os.fspath(source)
    raw = _xlsx_rows(data) if _is_xlsx(data, filename) else _csv_rows(data)
    if not raw or not any(cell for cell in raw[0]):
        raise DatasetError([Problem(None, None, "the file is empty: expected a header row")])
    header = list(raw[0])
    while header and not header[-1]:
        header.pop()
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(Problem(1, f"#{position}", "column has no name"))
            continue
        key = normalise_header(name)
        if key in seen:
            problems.append(Problem(1, name, "column appears twice"))
        seen[key] = position
    width = len(header)
    rows: list[tuple[str, ...]] = []
    for offset, row in enumerate(raw[1:]):
        cells = list(row)
        while len(cells) > width and not cells[-1]:
            cells.pop()
        if len(cells) > width:
            problems.append(
                Problem(
                    offset + FIRST_DATA_ROW,
                    None,
                    f"has {len(cells)} cells but the header has {width} columns",
                )
            )
            continue
        cells.extend([""] * (width - len(cells)))
        rows.append(tuple(cells))
    if problems:
        raise DatasetError(problems)
    # Trailing blank rows carry no data and no meaning.
    while rows and not any(rows[-1]):
        rows.pop()
    return Table(header=tuple(header), rows=tuple(rows))


def read_frame(source: Source, *, filename: str | None = None) -> pd.DataFrame:
    """Read a possibly large CSV/XLSX into a DataFrame of strings, fast.

    For files of millions of rows (survey exports) this uses pandas' C parser directly
    instead of building Python tuples. All columns are text (``""`` for empty cells); the
    index is the spreadsheet row number, so problems can cite it. Same encodings and
    delimiters as :func:`read_table`.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        filename = filename or path.name
        with path.open("rb") as handle:
            head = handle.read(65536)
        if _is_xlsx(head, filename):
            return _table_to_frame(read_table(path, filename=filename))
        first_line = decode_text(head.split(b"\n", 1)[0]) if head else ""
        if not first_line.strip():
            raise DatasetError([Problem(None, None, "the file is empty: expected a header row")])
        options = {
            "sep": sniff_delimiter(first_line),
            "dtype": str,
            "keep_default_na": False,
            "na_filter": False,
            "skipinitialspace": True,
        }
        try:
            frame = pd.read_csv(path, encoding="utf-8-sig", **options)
        except UnicodeDecodeError:
            frame = pd.read_csv(path, encoding="cp1252", **options)
        except pd.errors.ParserError as exc:
            raise DatasetError([Problem(None, None, f"unreadable CSV ({exc})")]) from exc
        frame.index = pd.RangeIndex(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame))
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame
    data = _read_bytes(source)
    return _table_to_frame(read_table(data, filename=filename))


def _table_to_frame(table: Table) -> pd.DataFrame:
    frame = pd.DataFrame(list(table.rows), columns=list(table.header), dtype=str)
    frame.index = pd.RangeIndex(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame))
    return frame

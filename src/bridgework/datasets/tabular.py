"""Reading tabular files people really have: CSV or XLSX, from any survey tool or from Excel.

Every importer in Bridgework reads through this module so they all accept the same files and
report problems the same way:

* CSV in UTF-8 (with or without the byte-order mark Excel writes) or Windows-1252 (Excel's
  "CSV" export on Windows), delimited by ``,`` or ``;`` (European Excel), sniffed from the header;
* XLSX (first worksheet), read with openpyxl in read-only mode, streaming, after its zip
  directory is checked (unpacked size and compression ratio, so a zip bomb is never opened);
  XML entities are refused (openpyxl parses through defusedxml);
* every file is held to :mod:`bridgework.datasets.limits` (bytes, rows, columns, cell length)
  before it is read whole;
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
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from bridgework.datasets.limits import Limits, describe_bytes, file_limits
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

#: Control bytes that do not occur in text (tab, line feed and carriage return do).
_CONTROL_BYTES = (*(code for code in range(32) if code not in (9, 10, 13)), 127)

#: Parts an XLSX may have (a real workbook has a few dozen).
_MAX_XLSX_PARTS = 10_000

#: Parts smaller than this unpacked are not held to the compression ratio (tiny XML
#: compresses well and can do no harm).
_RATIO_FLOOR = 1024 * 1024

#: The number of a row element of a sheet's XML (``<row r="12" ...>``, any prefix).
_ROW_NUMBER = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\sr=[\"'](\d{1,12})[\"']")

#: A line break in a CSV file: Windows, Unix or old Mac.
_LINE_END = re.compile(r"\r\n|\r|\n")

#: Problems listed for rows wider than the header before stopping (one per row otherwise).
_MAX_PROBLEMS = 1_000


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
    """Decode CSV bytes: UTF-8 (BOM optional), UTF-16 with its BOM, else Windows-1252.

    Windows-1252 is what Excel on Windows writes for "CSV"; UTF-16 its "Unicode text".
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
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


def _refuse(reason: str) -> DatasetError:
    return DatasetError([Problem(None, None, reason)])


def _too_big(what: str, variable: str) -> DatasetError:
    return _refuse(f"the file has more than {what}, the limit; split it, or raise {variable}")


def _check_size(size: int, limits: Limits) -> None:
    if size > limits.file_bytes:
        raise _too_big(describe_bytes(limits.file_bytes), limits.file_bytes_variable)


def _read_bytes(source: Source, limits: Limits) -> bytes:
    """The file's bytes, refusing one over the size limit before reading it."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        _check_size(path.stat().st_size, limits)
        data = path.read_bytes()
    else:
        data = source.read(limits.file_bytes + 1)
    _check_size(len(data), limits)
    return data


def _is_xlsx(data: bytes, filename: str | None) -> bool:
    if filename and filename.lower().endswith((".xlsx", ".xlsm")):
        return True
    return data[:4] == _XLSX_MAGIC


def _not_a_table(reason: str) -> DatasetError:
    return _refuse(f"not a CSV or XLSX table ({reason})")


def _check_text(head: bytes) -> None:
    """Refuse bytes that are no text at all (an image, a zip, random bytes) before parsing."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return  # UTF-16 text, as Excel's "Unicode text" export writes
    sample = head[:65536]
    if b"\x00" in sample:
        raise _not_a_table("it holds binary data, not text")
    controls = sum(sample.count(bytes([code])) for code in _CONTROL_BYTES)
    if sample and controls * 20 > len(sample):
        raise _not_a_table("it holds binary data, not text")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value).strip()


def _check_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """Open the XLSX container and refuse a zip bomb from its directory, unpacking nothing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception as exc:  # zipfile raises many types for a damaged directory
        raise _refuse(f"not a readable XLSX workbook (not a zip archive: {_brief(exc)})") from exc
    if len(members) > _MAX_XLSX_PARTS:
        raise _refuse(f"not a readable XLSX workbook (it has {len(members):,} parts)")
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.xlsx_uncompressed_bytes:
        raise _refuse(
            f"the workbook unpacks to {describe_bytes(unpacked)}, more than the limit of "
            f"{describe_bytes(limits.xlsx_uncompressed_bytes)}; split it, or raise "
            f"{limits.xlsx_uncompressed_variable}"
        )
    for member in members:
        if member.file_size > _RATIO_FLOOR and (
            member.file_size > limits.xlsx_ratio * max(member.compress_size, 1)
        ):
            raise _refuse(
                f"the workbook part {member.filename} unpacks to "
                f"{member.file_size // max(member.compress_size, 1):,} times its size, more "
                f"than the limit of {limits.xlsx_ratio} (a zip bomb?); raise "
                "BRIDGEWORK_MAX_XLSX_RATIO if the file is genuine"
            )
    return archive


def _count_rows(archive: zipfile.ZipFile, path: str, limit: int) -> int:
    """How many rows a sheet's XML makes, found as it unpacks, stopping once past ``limit``.

    That is the count of row elements, or the number of the last one if larger (rows may skip
    numbers, and a reader fills the gaps with empty rows: ``<row r="2000000">`` alone makes
    two million).
    """
    count, tail, block = 0, b"", b""
    with archive.open(path) as stream:
        while chunk := stream.read(1 << 20):
            # Each pattern is 4 bytes and the carried tail 3: a tag split across two chunks
            # is counted once, and none is counted twice.
            block = tail + chunk
            count += block.count(b"<row") + block.count(b":row")
            tail = block[-3:]
            if count > limit:
                return count
    numbers = _ROW_NUMBER.findall(block[-65536:])
    return max(count, int(numbers[-1])) if numbers else count


def _xlsx_rows(data: bytes, limits: Limits) -> list[list[str]]:
    from openpyxl import load_workbook

    archive = _check_zip(data, limits)
    # Count every worksheet's rows before openpyxl opens the workbook: opening it reads each
    # sheet through to the end when the sheet declares no size.
    for member in archive.infolist():
        if "worksheets/" in member.filename and member.filename.endswith(".xml"):
            try:
                rows_found = _count_rows(archive, member.filename, limits.rows + 1)
            except Exception as exc:
                raise _refuse(f"not a readable XLSX workbook ({_brief(exc)})") from exc
            if rows_found > limits.rows + 1:
                raise _too_big(f"{limits.rows:,} rows", limits.rows_variable)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _refuse(f"not a readable XLSX workbook ({_brief(exc)})") from exc
    try:
        if not workbook.worksheets:
            raise _refuse("not a readable XLSX workbook (it has no worksheet)")
        sheet = workbook.worksheets[0]
        # The sheet's declared size may lie (a few bytes can claim a million rows, and
        # openpyxl would pad to it): read the rows that are there, and count them.
        sheet.reset_dimensions()
        rows: list[list[str]] = []
        try:
            for values in sheet.iter_rows(values_only=True):
                if len(rows) > limits.rows:
                    raise _too_big(f"{limits.rows:,} rows", limits.rows_variable)
                rows.append(_checked_cells(values, len(rows) + 1, limits, _cell_text))
        except DatasetError:
            raise
        except Exception as exc:
            raise _refuse(f"not a readable XLSX workbook ({_brief(exc)})") from exc
        return rows
    finally:
        workbook.close()


def _brief(exc: BaseException) -> str:
    """One line on why a file could not be read (XML entities named as such)."""
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__module__.startswith("defusedxml"):
            return "it declares XML entities or a DTD, which are refused"
        seen = seen.__cause__ or seen.__context__
    text = (str(exc) or type(exc).__name__).splitlines()[0]
    return text if len(text) <= 200 else text[:200] + "…"


def _checked_cells(values: Any, row: int, limits: Limits, convert: Any) -> list[str]:
    if len(values) > limits.columns:
        while values and values[-1] in (None, ""):
            values = values[:-1]
        if len(values) > limits.columns:
            raise DatasetError(
                [
                    Problem(
                        row,
                        None,
                        f"has more than {limits.columns:,} columns, the limit; "
                        "raise BRIDGEWORK_MAX_COLUMNS if the file is genuine",
                    )
                ]
            )
    cells = [convert(value) for value in values]
    for position, cell in enumerate(cells, start=1):
        if len(cell) > limits.cell_chars:
            raise DatasetError([_long_cell(row, f"#{position}", limits)])
    return cells


def _long_cell(row: int, column: str, limits: Limits) -> Problem:
    return Problem(
        row,
        column,
        f"the cell has more than {limits.cell_chars:,} characters, the limit; "
        "raise BRIDGEWORK_MAX_CELL_CHARS if the file is genuine",
    )


def decode_text_checked(data: bytes) -> str:
    """:func:`decode_text`, after refusing bytes that are not text."""
    _check_text(data[:65536])
    return decode_text(data)


def _csv_rows(data: bytes, limits: Limits) -> list[list[str]]:
    text = decode_text_checked(data)
    first_line = _LINE_END.split(text, maxsplit=1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    rows: list[list[str]] = []
    if csv.field_size_limit() <= limits.cell_chars:
        # Only ever raised (the setting is global to the process, and threads share it): a
        # cell over the limit is refused below, whatever the csv module allows.
        csv.field_size_limit(limits.cell_chars + 1)
    try:
        for row in reader:
            if len(rows) > limits.rows:
                raise _too_big(f"{limits.rows:,} rows", limits.rows_variable)
            rows.append(_checked_cells(row, reader.line_num, limits, str.strip))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise DatasetError([_long_cell(reader.line_num, None, limits)]) from exc
        raise DatasetError([Problem(reader.line_num, None, f"unreadable CSV ({exc})")]) from exc
    return rows


def _default_limits(limits: Limits | None) -> Limits:
    return limits if limits is not None else file_limits()


def read_table(
    source: Source, *, filename: str | None = None, limits: Limits | None = None
) -> Table:
    """Read a CSV or XLSX file into a :class:`Table` of stripped text cells.

    Blank rows inside the data are kept as all-empty rows, so ``Table.row_number`` matches
    the spreadsheet (callers skip them); trailing blank rows are dropped. A row longer than
    the header is a problem; a shorter one is padded with empty cells.

    ``limits`` (default :func:`~bridgework.datasets.limits.file_limits`, the command line's)
    bound the bytes, the unpacked bytes of an XLSX, the rows, columns and cell lengths; a file
    over one is refused before it is parsed whole.

    Raises
    ------
    DatasetError
        The file is over a limit, not a table, empty, has no header, duplicated column names,
        or rows wider than it.
    """
    limits = _default_limits(limits)
    data = _read_bytes(source, limits)
    if filename is None and isinstance(source, str | os.PathLike):
        filename = os.fspath(source)
    raw = _xlsx_rows(data, limits) if _is_xlsx(data, filename) else _csv_rows(data, limits)
    if not raw or not any(cell for cell in raw[0]):
        raise DatasetError([Problem(None, None, "the file is empty: expected a header row")])
    header = list(raw[0])
    while header and not header[-1]:
        header.pop()
    problems = _header_problems(header)
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
            if len(problems) >= _MAX_PROBLEMS:
                break
            continue
        cells.extend([""] * (width - len(cells)))
        rows.append(tuple(cells))
    if problems:
        raise DatasetError(problems)
    # Trailing blank rows carry no data and no meaning.
    while rows and not any(rows[-1]):
        rows.pop()
    return Table(header=tuple(header), rows=tuple(rows))


def _header_problems(header: list[str]) -> list[Problem]:
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
    return problems


def read_frame(
    source: Source, *, filename: str | None = None, limits: Limits | None = None
) -> pd.DataFrame:
    """Read a possibly large CSV/XLSX into a DataFrame of strings, fast.

    For files of millions of rows (survey exports) this uses pandas' C parser directly
    instead of building Python tuples. All columns are text (``""`` for empty cells); the
    index is the spreadsheet row number, so problems can cite it. Same encodings, delimiters
    and ``limits`` as :func:`read_table`.
    """
    limits = _default_limits(limits)
    if not isinstance(source, str | os.PathLike):
        data = _read_bytes(source, limits)
        return _table_to_frame(read_table(data, filename=filename, limits=limits))
    path = Path(source)
    filename = filename or path.name
    _check_size(path.stat().st_size, limits)
    with path.open("rb") as handle:
        head = handle.read(65536)
    if _is_xlsx(head, filename):
        return _table_to_frame(read_table(path, filename=filename, limits=limits))
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: the Python reader decodes it
        return _table_to_frame(read_table(path, filename=filename, limits=limits))
    _check_text(head)
    first_line = _LINE_END.split(decode_text(head), maxsplit=1)[0] if head else ""
    if not first_line.strip():
        raise DatasetError([Problem(None, None, "the file is empty: expected a header row")])
    delimiter = sniff_delimiter(first_line)
    try:
        header = next(csv.reader([first_line], delimiter=delimiter), [])
    except csv.Error as exc:
        raise DatasetError([Problem(1, None, f"unreadable CSV ({exc})")]) from exc
    header = _checked_cells(header, 1, limits, str.strip)
    while header and not header[-1]:
        header.pop()
    problems = _header_problems(header)
    if problems:
        raise DatasetError(problems)
    options: dict[str, Any] = {
        "sep": delimiter,
        "dtype": str,
        "keep_default_na": False,
        "na_filter": False,
        "skipinitialspace": True,
        "nrows": limits.rows + 1,
        "skip_blank_lines": True,
    }
    try:
        try:
            frame = pd.read_csv(path, encoding="utf-8-sig", **options)
        except UnicodeDecodeError:
            frame = pd.read_csv(path, encoding="cp1252", encoding_errors="replace", **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
        raise DatasetError([Problem(None, None, f"unreadable CSV ({_brief(exc)})")]) from exc
    if len(frame) > limits.rows:
        raise _too_big(f"{limits.rows:,} rows", limits.rows_variable)
    frame.index = pd.RangeIndex(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame))
    frame.columns = [str(c).strip() for c in frame.columns]
    for position, column in enumerate(frame.columns, start=1):
        lengths = frame.iloc[:, position - 1].str.len()
        if len(lengths) and lengths.max() > limits.cell_chars:
            row = int(lengths.idxmax())
            raise DatasetError([_long_cell(row, column or f"#{position}", limits)])
    return frame


def _table_to_frame(table: Table) -> pd.DataFrame:
    frame = pd.DataFrame(list(table.rows), columns=list(table.header), dtype=str)
    frame.index = pd.RangeIndex(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame))
    return frame

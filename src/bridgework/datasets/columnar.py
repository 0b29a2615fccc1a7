"""Big CSV files read as columns (Apache Arrow), for readers of millions of rows.

:func:`read_columns` reads a CSV with pyarrow's multithreaded C++ reader into an Arrow table
of text columns, stripped, without one Python object per cell: a 6-million-row history file
is read in about a second and kept as a few hundred megabytes of Arrow buffers. The readers
then validate and code the columns with Arrow compute and numpy (ids to participant indices
with ``pyarrow.compute.index_in``, dates parsed once per distinct value), so nothing per row
ever becomes a Python string.

pyarrow rather than polars: pandas (which the rest of the readers and the analysis use)
converts Arrow columns without copying, Arrow's compute kernels do the lookups the readers
need, and pyarrow is already what pandas uses for its string columns; polars reads the same
files somewhat faster (0.71 s against 1.09 s for the benchmark's three files) but would be a
third table library beside pandas and numpy.

Only the files pyarrow reads exactly as :func:`~bridgework.datasets.tabular.read_frame` does
take the fast path: UTF-8 CSV with a one-line header, every row as wide as the header, no
blank lines (so a row's position gives its spreadsheet row number) and no line breaks inside
quoted cells. Anything else — XLSX (streamed as before), Windows-1252 or UTF-16 text, ragged
rows, damaged bytes — is read by :func:`~bridgework.datasets.tabular.read_frame`, with its
messages, and converted. Every file is held to :mod:`bridgework.datasets.limits` either way.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from bridgework.datasets.limits import Limits, file_limits
from bridgework.datasets.tabular import (
    _LINE_END,
    FIRST_DATA_ROW,
    DatasetError,
    Problem,
    Source,
    _check_size,
    _check_text,
    _checked_cells,
    _header_problems,
    _is_xlsx,
    _long_cell,
    _read_bytes,
    _too_big,
    decode_text,
    read_frame,
    sniff_delimiter,
)

__all__ = ["Columns", "read_columns", "text_objects"]


@dataclass(frozen=True)
class Columns:
    """A table of stripped text columns and the spreadsheet row number of each row.

    ``table`` has one ``string`` column per header name (as written, stripped); ``rows[i]`` is
    the row number a user sees for ``table`` row ``i`` (the header is row 1).
    """

    table: pa.Table
    rows: np.ndarray

    def __len__(self) -> int:
        return self.table.num_rows

    @property
    def names(self) -> list[str]:
        """Column names, in file order."""
        return list(self.table.column_names)

    def column(self, name: str) -> pa.Array:
        """One column as a single Arrow string array."""
        return self.table.column(name).combine_chunks()

    def to_frame(self) -> pd.DataFrame:
        """The columns as a pandas DataFrame of ``str`` objects (object dtype), index = row.

        Each distinct value becomes one Python string, shared by the rows that hold it.
        """
        return self._indexed(
            pd.DataFrame(
                {
                    name: pd.Series(text_objects(self.table.column(name)), dtype=object, copy=False)
                    for name in self.names
                }
            )
        )

    def to_text_frame(self) -> pd.DataFrame:
        """The columns as pandas' Arrow-backed ``str`` columns (no copy), index = row.

        For validation written with vectorised string operations: no Python object per cell.
        """
        text = pd.StringDtype("pyarrow", na_value=np.nan)
        return self._indexed(
            pd.DataFrame(
                {name: pd.Series(self.table.column(name), dtype=text) for name in self.names}
            )
        )

    def _indexed(self, frame: pd.DataFrame) -> pd.DataFrame:
        rows = self.rows
        if not len(rows) or (
            rows[0] == FIRST_DATA_ROW and rows[-1] == FIRST_DATA_ROW + len(rows) - 1
        ):
            frame.index = pd.RangeIndex(FIRST_DATA_ROW, FIRST_DATA_ROW + len(rows))
        else:
            frame.index = pd.Index(rows)
        return frame


def text_objects(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A text column as a numpy object array, one Python string per *distinct* value."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    encoded = pc.dictionary_encode(array)
    values = np.empty(len(encoded.dictionary), dtype=object)
    values[:] = encoded.dictionary.to_pylist()
    return values[encoded.indices.to_numpy(zero_copy_only=False)]


def _strip(table: pa.Table) -> pa.Table:
    return pa.table(
        {name: pc.utf8_trim_whitespace(table.column(name)) for name in table.column_names}
    )


def _fast(data: bytes, limits: Limits) -> Columns | None:
    """The Arrow read of a regular UTF-8 CSV, or None when the general reader is needed."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None  # UTF-16: the general reader decodes it
    _check_text(data[:65536])
    body = data[3:] if data[:3] == b"\xef\xbb\xbf" else data
    head = body[:65536]
    first_line = _LINE_END.split(decode_text(head), maxsplit=1)[0] if head else ""
    if not first_line.strip():
        raise DatasetError([Problem(None, None, "the file is empty: expected a header row")])
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return None  # Windows-1252 (Excel on Windows): the general reader decodes it
    if b"\n\n" in body or b"\r\r" in body or b"\n\r\n" in body:
        return None  # blank lines: the general reader keeps their row numbers
    delimiter = sniff_delimiter(first_line)
    try:
        raw_header = next(csv.reader([first_line], delimiter=delimiter), [])
    except csv.Error:
        return None
    header = _checked_cells(raw_header, 1, limits, str.strip)
    if not header or not header[-1]:
        return None  # trailing unnamed columns: the general reader trims them
    problems = _header_problems(header)
    if problems:
        raise DatasetError(problems)

    ragged: list[object] = []

    def refuse(row: object) -> str:
        ragged.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(
                skip_rows=1, column_names=[f"c{k}" for k in range(len(header))]
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=False, invalid_row_handler=refuse
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{k}": pa.string() for k in range(len(header))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if ragged:
        return None  # a row wider or narrower than the header: the general reader says which
    if table.num_rows > limits.rows:
        raise _too_big(f"{limits.rows:,} rows", limits.rows_variable)
    table = table.rename_columns(header)
    if not body.isascii() or any(space in body for space in (b" ", b"\t", b"\x0b", b"\x0c")):
        table = _strip(table)  # else no cell can start or end with white space
    for name in header:
        lengths = pc.utf8_length(table.column(name))
        if len(lengths) and pc.max(lengths).as_py() > limits.cell_chars:
            row = int(pc.index(lengths, pc.max(lengths)).as_py())
            raise DatasetError([_long_cell(row + FIRST_DATA_ROW, name, limits)])
    rows = np.arange(FIRST_DATA_ROW, FIRST_DATA_ROW + table.num_rows, dtype=np.int64)
    return Columns(table, rows)


def read_columns(
    source: Source, *, filename: str | None = None, limits: Limits | None = None
) -> Columns:
    """Read a CSV/XLSX into :class:`Columns` (Arrow text columns, stripped), fast for big CSV.

    Same files, limits and messages as :func:`~bridgework.datasets.tabular.read_frame`.

    Examples
    --------
    >>> columns = read_columns(b"id, name\\n1, Ana\\n2,Ben \\n")
    >>> columns.names, columns.column("name").to_pylist(), columns.rows.tolist()
    (['id', 'name'], ['Ana', 'Ben'], [2, 3])

    Raises
    ------
    DatasetError
        As :func:`~bridgework.datasets.tabular.read_frame`.
    """
    limits = limits if limits is not None else file_limits()
    original = source
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        filename = filename or path.name
        _check_size(path.stat().st_size, limits)
    data = _read_bytes(source, limits)
    if not _is_xlsx(data, filename):
        columns = _fast(data, limits)
        if columns is not None:
            return columns
    frame = read_frame(
        original if isinstance(original, str | os.PathLike) else data,
        filename=filename,
        limits=limits,
    )
    table = pa.table(
        {
            str(name).strip(): pa.array(frame[name].astype(object).tolist(), type=pa.string())
            for name in frame.columns
        }
    )
    return Columns(_strip(table), np.asarray(frame.index, dtype=np.int64))

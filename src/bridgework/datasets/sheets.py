"""Writing tables that people open in a spreadsheet: CSV and XLSX, safe to open.

Exports leave the system and get opened in Excel, LibreOffice or Google Sheets, which run a
cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula: a name such as
``=HYPERLINK("http://evil.example","click")`` typed into a form becomes a live link or worse
in a coordinator's spreadsheet ("CSV injection", OWASP). So:

* CSV cells starting with a formula trigger get a leading ``'`` (:func:`guard_cell`), which
  spreadsheets show as text; XLSX stores them as text cells with Excel's quote prefix;
* importers undo the guard (:func:`unguard_cell`), so export → import returns the same values.
  A cell that really starts with ``'`` followed by a trigger or another ``'`` is escaped with
  one more ``'`` on the way out, which keeps the round trip exact.

CSV is written as UTF-8 with a byte-order mark, the only way Excel on Windows recognises it.

References
----------
OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

__all__ = [
    "FORMULA_TRIGGERS",
    "guard_cell",
    "unguard_cell",
    "unholdable_character",
    "write_csv_table",
    "write_xlsx_table",
]

#: First characters that make a spreadsheet evaluate a cell (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_GUARD = "'"
_ESCAPED = (*FORMULA_TRIGGERS, _GUARD)


def _is_guarded(cell: str) -> bool:
    return cell.startswith(_GUARD) and cell[1:2] != "" and cell[1] in _ESCAPED


def guard_cell(cell: str, *, formulas: bool = True) -> str:
    """The cell as written to a file, so no spreadsheet runs it; undone by :func:`unguard_cell`.

    Parameters
    ----------
    cell : str
        The value.
    formulas : bool
        Guard formula triggers (CSV). XLSX keeps text cells as text, so there only cells that
        already look guarded are escaped, keeping the round trip exact.

    Examples
    --------
    >>> guard_cell("=1+2"), guard_cell("-"), guard_cell("O'Neil"), guard_cell("'=x")
    ("'=1+2", "'-", "O'Neil", "''=x")
    >>> all(unguard_cell(guard_cell(v)) == v for v in ["=1+2", "'=x", "''", "'Iolani", "a"])
    True
    """
    if _is_guarded(cell) or (formulas and cell.startswith(FORMULA_TRIGGERS)):
        return _GUARD + cell
    return cell


def unguard_cell(cell: str) -> str:
    """Undo :func:`guard_cell`: drop one ``'`` before a formula trigger or another ``'``.

    A ``'`` before anything else (``'Iolani``) is part of the value and stays.
    """
    return cell[1:] if _is_guarded(cell) else cell


def unholdable_character(value: str) -> str | None:
    """The first character a spreadsheet cannot hold, if any.

    Control characters (other than in whitespace that importers collapse), lone surrogates
    and the non-characters U+FFFE/U+FFFF make XLSX files unreadable, so importers reject them.

    Examples
    --------
    >>> unholdable_character("Zoë"), unholdable_character("bell\\x07")
    (None, '\\x07')
    """
    found = _UNHOLDABLE.search(value)
    return found.group() if found else None


#: Unicode categories Cc (control) and Cs (surrogate), and the two non-characters.
_UNHOLDABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def write_csv_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV file: UTF-8 with byte-order mark, ``,``-delimited, CRLF, text cells guarded.

    Numbers are written as they are (they cannot start a formula: ``-0.5`` stays a number),
    ``None`` as an empty cell, everything else as guarded text.

    Examples
    --------
    >>> write_csv_table(["a", "b"], [["1", "=2"]])
    b"\\xef\\xbb\\xbfa,b\\r\\n1,'=2\\r\\n"
    >>> write_csv_table(["x", "y"], [[-0.5, None]])
    b'\\xef\\xbb\\xbfx,y\\r\\n-0.5,\\r\\n'
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([guard_cell(str(heading)) for heading in header])
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(cell: object) -> object:
    if cell is None:
        return ""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return cell
    return guard_cell(str(cell))


def write_xlsx_table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    sheet_title: str = "Sheet1",
    max_width: int = 50,
) -> bytes:
    """An XLSX workbook of text cells: bold frozen header with a filter, fitted column widths.

    Every cell is stored as text, never a formula; characters XML cannot carry are dropped.

    Notes
    -----
    Uses openpyxl's regular (not write-only) mode, which holds the sheet in memory: fine for
    directories of tens of thousands of rows. O(rows × columns).
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    bold = Font(bold=True)
    for column, heading in enumerate(header, start=1):
        sheet.cell(row=1, column=column, value=heading).font = bold
    widths = [len(heading) for heading in header]
    last_row = 1
    for last_row, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            text = ILLEGAL_CHARACTERS_RE.sub("", value).replace("\ufffe", "").replace("\uffff", "")
            text = guard_cell(text, formulas=False)
            cell = sheet.cell(row=last_row, column=column, value=text)
            if text.startswith(FORMULA_TRIGGERS):
                # openpyxl would store "=..." as a formula: keep it text, shown as typed.
                cell.data_type = "s"
                cell.quotePrefix = True
            widths[column - 1] = max(widths[column - 1], len(text))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width, max_width) + 2
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{last_row}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

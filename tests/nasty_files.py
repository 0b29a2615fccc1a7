"""Malformed and hostile input files, built in memory: the fixed corpus every reader must refuse
quickly, with a message, and without a traceback.

Each builder returns ``(filename, bytes)``. Nothing here is stored on disk in the repository:
the entity bomb, the zip bomb and the two-million-row workbook are made on the fly.
"""

from __future__ import annotations

import io
import random
import zipfile

from openpyxl import Workbook

PEOPLE_HEADER = "name,email,organisation,team\n"


def workbook(rows: list[list[object]]) -> bytes:
    """A real XLSX with these rows on its first sheet."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    """The workbook ``data`` with some of its zip parts replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info, source.read(info.filename))
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


_SHEET = "xl/worksheets/sheet1.xml"
_SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def entity_bomb() -> tuple[str, bytes]:
    """ "Billion laughs": ten levels of ten entities each, in the sheet and the shared strings."""
    entities = b'<!ENTITY lol0 "lollollollollollollollollollol">' + b"".join(
        b'<!ENTITY lol%d "' % level + b"&lol%d;" % (level - 1) * 10 + b'">'
        for level in range(1, 10)
    )
    doctype = b"<!DOCTYPE lolz [" + entities + b"]>"
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + doctype
        + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    strings = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + doctype
        + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    base = workbook([["name", "email"], ["x", "x@example.org"]])
    return "bomb.xlsx", _replace_parts(base, {_SHEET: sheet, "xl/sharedStrings.xml": strings})


def zip_bomb() -> tuple[str, bytes]:
    """A workbook whose sheet unpacks to 64 MB of one repeated byte (about 1000:1)."""
    base = workbook([["name", "email"]])
    sheet = _SHEET_OPEN + b"<sheetData>" + b" " * (64 * 1024 * 1024) + b"</sheetData></worksheet>"
    return "zipbomb.xlsx", _replace_parts(base, {_SHEET: sheet})


def claims_two_million_rows() -> tuple[str, bytes]:
    """A few kilobytes declaring A1:J2000000, with a last row numbered 2,000,000."""
    base = workbook([["name", "email"]])
    sheet = (
        _SHEET_OPEN + b'<dimension ref="A1:J2000000"/><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>email</t></is></c></row>'
        b'<row r="2000000"><c r="A2000000"><v>1</v></c></row></sheetData></worksheet>'
    )
    return "claims.xlsx", _replace_parts(base, {_SHEET: sheet})


def two_million_rows() -> tuple[str, bytes]:
    """A small workbook (well under a megabyte) that really holds 2,000,000 rows."""
    base = workbook([["name", "email"]])
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 2_000_001)
    )
    sheet = _SHEET_OPEN + b"<sheetData>" + rows + b"</sheetData></worksheet>"
    return "rows.xlsx", _replace_parts(base, {_SHEET: sheet})


def corrupt_xlsx() -> tuple[str, bytes]:
    """A real workbook cut in half."""
    data = workbook([["name", "email"], ["Ana", "ana@example.org"]])
    return "corrupt.xlsx", data[: len(data) // 2]


def future_zip_version() -> tuple[str, bytes]:
    """A workbook whose directory says it needs a zip version no reader has (zipfile raises
    ``NotImplementedError`` for it, not ``BadZipFile``)."""
    data = bytearray(workbook([["name", "email"], ["Ana", "ana@example.org"]]))
    entry = data.index(b"PK\x01\x02")  # the first central-directory record
    data[entry + 6 : entry + 8] = (235).to_bytes(2, "little")  # "version needed": 23.5
    return "future.xlsx", bytes(data)


def renamed_csv_as_xlsx() -> tuple[str, bytes]:
    return "people.xlsx", (PEOPLE_HEADER + "Ana,ana@example.org,,\n").encode()


def xlsx_named_csv() -> tuple[str, bytes]:
    return "people.csv", workbook([["name", "email"], ["Ana", "ana@example.org"]])


def binary_csv() -> tuple[str, bytes]:
    return "people.csv", random.Random(7).randbytes(200_000)


def empty_file() -> tuple[str, bytes]:
    return "empty.csv", b""


def header_only() -> tuple[str, bytes]:
    return "header.csv", PEOPLE_HEADER.encode()


def huge_cell() -> tuple[str, bytes]:
    return "huge.csv", (PEOPLE_HEADER + "A" * 200_000 + ",a@example.org,,\n").encode()


def many_columns() -> tuple[str, bytes]:
    return "wide.csv", (",".join(f"c{n}" for n in range(5_000)) + "\n").encode()


def hundred_thousand_people() -> tuple[str, bytes]:
    lines = [PEOPLE_HEADER] + [f"Person {n},p{n}@example.org,Agency,Team\n" for n in range(100_000)]
    return "people.csv", "".join(lines).encode()


def formulas_and_controls() -> tuple[str, bytes]:
    text = (
        PEOPLE_HEADER
        + '=cmd|"/c calc"!A1,a@example.org,+1,-2\n'
        + "Bell\x07,b@example.org,@SUM(1),\x1b[31m\n"
    )
    return "formulas.csv", text.encode()


def duplicate_headers() -> tuple[str, bytes]:
    return "dupes.csv", b"name,email,Email,,name\nAna,a@example.org,b@example.org,,x\n"


#: The fixed corpus: every builder, by name.
CORPUS = {
    builder.__name__: builder
    for builder in (
        entity_bomb,
        zip_bomb,
        claims_two_million_rows,
        two_million_rows,
        corrupt_xlsx,
        future_zip_version,
        renamed_csv_as_xlsx,
        xlsx_named_csv,
        binary_csv,
        empty_file,
        header_only,
        huge_cell,
        many_columns,
        formulas_and_controls,
        duplicate_headers,
    )
}

"""The people file: the directory's import and export format, as CSV or XLSX.

A network's directory arrives as a spreadsheet someone already keeps (an HR extract, a
contact list, a survey tool's roster), so this module is forgiving about the *shape* of the
file and strict about its *content*:

* column headings are matched case-insensitively with common aliases ("E-mail", "Agency",
  "Timezone", "Manager"...), the contract kept as data in
  ``bridgework/schemas/people-columns.schema.json``;
* every problem in the file is reported at once, by spreadsheet row and column, and nothing
  is produced while any remain (:class:`~bridgework.datasets.tabular.DatasetError`);
* what :func:`write_people` exports, :func:`read_people` imports unchanged, including cells a
  spreadsheet would otherwise run as formulas (the CSV/formula-injection guard is undone on
  the way back in).

Matching rows to people already in a directory needs the database and lives in
``bridgework.directory.imports``; this module is pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from bridgework.datasets.sheets import (
    unguard_cell,
    unholdable_character,
    write_csv_table,
    write_xlsx_table,
)
from bridgework.datasets.tabular import (
    DatasetError,
    Problem,
    Source,
    Table,
    normalise_header,
    read_table,
)
from bridgework.datasets.timezones import suggest_time_zones, valid_time_zones

__all__ = [
    "COLUMN_ALIASES",
    "FALSE_VALUES",
    "MAX_LENGTHS",
    "PEOPLE_COLUMNS",
    "REQUIRED_COLUMNS",
    "TRUE_VALUES",
    "PersonRecord",
    "is_valid_email",
    "parse_people",
    "people_columns_schema",
    "present_columns",
    "read_people",
    "write_people",
]

#: Canonical columns, in the order :func:`write_people` writes them.
PEOPLE_COLUMNS = (
    "name",
    "email",
    "organisation",
    "team",
    "workgroup",
    "job_title",
    "location",
    "time_zone",
    "language",
    "manager_email",
    "active",
)

_SCHEMA_FILE = "people-columns.schema.json"


@cache
def people_columns_schema() -> dict[str, Any]:
    """The JSON Schema of one people-file row, as shipped in ``bridgework/schemas``.

    The aliases, required columns, length limits and accepted ``active`` values below are
    read from it, so the published contract and the parser cannot disagree.
    """
    text = resources.files("bridgework").joinpath("schemas", _SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def _load_contract() -> tuple[
    tuple[str, ...], dict[str, tuple[str, ...]], dict[str, int], tuple[str, ...], tuple[str, ...]
]:
    schema = people_columns_schema()
    if tuple(schema["x-column-order"]) != PEOPLE_COLUMNS:
        raise RuntimeError(f"{_SCHEMA_FILE} column order disagrees with PEOPLE_COLUMNS")
    properties = schema["properties"]
    aliases = {
        name: tuple(
            dict.fromkeys(
                [name, *(normalise_header(alias) for alias in properties[name]["x-aliases"])]
            )
        )
        for name in PEOPLE_COLUMNS
    }
    limits = {name: properties[name]["maxLength"] for name in PEOPLE_COLUMNS if name != "active"}
    active = properties["active"]
    return (
        tuple(schema["required"]),
        aliases,
        limits,
        tuple(active["x-true-values"]),
        tuple(active["x-false-values"]),
    )


REQUIRED_COLUMNS, COLUMN_ALIASES, MAX_LENGTHS, TRUE_VALUES, FALSE_VALUES = _load_contract()
#: Language codes accepted in the ``language`` column (the schema's ``x-languages``; a test
#: keeps it equal to the server's ``LANGUAGES``).
LANGUAGE_CODES: tuple[str, ...] = tuple(
    people_columns_schema()["properties"]["language"]["x-languages"]
)
"""Columns a file must have; normalised headings accepted per column (the canonical name
first); maximum length in characters per text column; accepted spellings of ``active``."""

_HEADING_TO_COLUMN = {alias: name for name, names in COLUMN_ALIASES.items() for alias in names}
_ACTIVE_VALUES = {value: True for value in TRUE_VALUES} | {value: False for value in FALSE_VALUES}
_EMAIL_COLUMNS = frozenset({"email", "manager_email"})
_VERBATIM_COLUMNS = _EMAIL_COLUMNS | {"time_zone", "language", "active"}

# Mirrors Django's EmailValidator (which the directory applies on save) minus its rarely
# meant forms (quoted local parts, IP literals, dotless hosts), so every address accepted
# here is also accepted there. The local part is limited to 64 characters (RFC 5321 4.5.3.1).
_LOCAL_RE = re.compile(r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*")
_UL = "\u00a1-\uffff"
_DOMAIN_RE = re.compile(
    rf"[a-z{_UL}0-9](?:[a-z{_UL}0-9-]{{0,61}}[a-z{_UL}0-9])?"
    rf"(?:\.(?!-)[a-z{_UL}0-9-]{{1,63}}(?<!-))*"
    rf"\.(?!-)(?:[a-z{_UL}-]{{2,63}}|xn--[a-z0-9]{{1,59}})(?<!-)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PersonRecord:
    """One person as a people file describes them.

    Text fields are ``""`` when blank. ``row`` is the spreadsheet row the record came from
    (header = row 1), or ``0`` when it was not read from a file.
    """

    row: int
    name: str
    email: str
    organisation: str = ""
    team: str = ""
    workgroup: str = ""
    job_title: str = ""
    location: str = ""
    time_zone: str = ""
    language: str = ""
    manager_email: str = ""
    active: bool = True

    @property
    def email_key(self) -> str:
        """The email as compared for identity: stripped and case-folded."""
        return self.email.strip().casefold()

    def cells(self) -> tuple[str, ...]:
        """The record as text cells in :data:`PEOPLE_COLUMNS` order (``active`` as yes/no)."""
        values = [getattr(self, name) for name in PEOPLE_COLUMNS[:-1]]
        return (*values, "yes" if self.active else "no")


def is_valid_email(value: str) -> bool:
    """Whether ``value`` is an email address the directory will store.

    Examples
    --------
    >>> is_valid_email("amara.okafor@riverbend-cfs.example"), is_valid_email("amara@")
    (True, False)
    """
    local, at, domain = value.rpartition("@")
    return bool(
        at and len(local) <= 64 and _LOCAL_RE.fullmatch(local) and _DOMAIN_RE.fullmatch(domain)
    )


def present_columns(table: Table) -> frozenset[str]:
    """Canonical names of the known columns a table has, whatever headings it uses.

    An importer uses this to leave fields whose column is absent untouched.

    Examples
    --------
    >>> t = Table(header=("Full name", "E-mail", "Shoe size"), rows=())
    >>> sorted(present_columns(t))
    ['email', 'name']
    """
    found = (_HEADING_TO_COLUMN.get(normalise_header(heading)) for heading in table.header)
    return frozenset(name for name in found if name is not None)


def _header_problems(table: Table) -> tuple[dict[str, int], list[Problem]]:
    """Map canonical column → cell index, and the problems with the header row."""
    index: dict[str, int] = {}
    problems: list[Problem] = []
    for position, heading in enumerate(table.header):
        name = _HEADING_TO_COLUMN.get(normalise_header(heading))
        if name is None:
            accepted = ", ".join(PEOPLE_COLUMNS)
            problems.append(Problem(1, heading, f"unknown column; accepted columns: {accepted}"))
        elif name in index:
            first = table.header[index[name]]
            problems.append(Problem(1, heading, f"means the same as column {first} ({name})"))
        else:
            index[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in index:
            written = people_columns_schema()["properties"][name]["x-aliases"]
            others = ", ".join(f"“{alias}”" for alias in written[:3])
            problems.append(
                Problem(1, name, f"required column is missing (also accepted as {others}, …)")
            )
    return index, problems


def _clean(name: str, cell: str) -> str:
    cell = unguard_cell(cell.strip())
    if name in _VERBATIM_COLUMNS:
        return cell
    # Names are matched as written, so "Child  Welfare" and "Child Welfare" must not differ.
    return " ".join(cell.split())


def _row_problems(
    row: int, values: Mapping[str, str], headings: Mapping[str, str]
) -> list[Problem]:
    """Everything wrong with one row that can be seen without the other rows."""
    problems: list[Problem] = []

    def add(name: str, reason: str) -> None:
        problems.append(Problem(row, headings[name], reason))

    too_long = set()
    for name, value in values.items():
        if name in MAX_LENGTHS and len(value) > MAX_LENGTHS[name]:
            too_long.add(name)
            add(name, f"is {len(value)} characters long; the limit is {MAX_LENGTHS[name]}")
        bad = unholdable_character(value)
        if bad is not None:
            add(name, f"contains the control character U+{ord(bad):04X}; remove it")
    if "name" in values and not values["name"]:
        add("name", "a name is required")
    email = values.get("email")
    if email == "":
        add("email", "an email address is required")
    elif email is not None and "email" not in too_long and not is_valid_email(email):
        add("email", f"“{email}” is not a valid email address")
    if values.get("team") and not values.get("organisation"):
        add("team", "a team needs an organisation: fill in the organisation column on this row")
    zone = values.get("time_zone")
    if zone and zone not in valid_time_zones():
        reason = f"“{zone}” is not an IANA time zone name such as America/Los_Angeles"
        suggestions = suggest_time_zones(zone)
        if suggestions:
            reason += "; did you mean " + " or ".join(suggestions) + "?"
        add("time_zone", reason)
    language = values.get("language")
    if language and language.casefold() not in LANGUAGE_CODES:
        accepted = ", ".join(LANGUAGE_CODES)
        add(
            "language",
            f"“{language}” is not a language code offered here: {accepted} "
            "(blank means the network's default)",
        )
    manager = values.get("manager_email")
    if manager and "manager_email" not in too_long:
        if not is_valid_email(manager):
            add("manager_email", f"“{manager}” is not a valid email address")
        elif email and manager.casefold() == email.casefold():
            add("manager_email", "is this person's own email; a person cannot be their own manager")
    active = values.get("active")
    if active and active.casefold() not in _ACTIVE_VALUES:
        accepted = ", ".join((*TRUE_VALUES, *FALSE_VALUES))
        add("active", f"“{active}” is not one of {accepted} (blank means yes)")
    return problems


def parse_people(table: Table) -> list[PersonRecord]:
    """Validate a table of people and return one :class:`PersonRecord` per non-blank row.

    Parameters
    ----------
    table : Table
        Cells as read by :func:`~bridgework.datasets.tabular.read_table`. Headings may be any
        alias in :data:`COLUMN_ALIASES`, in any order and case; only ``name`` and ``email``
        are required. Entirely blank rows are skipped.

    Returns
    -------
    list of PersonRecord
        In file order, each with its spreadsheet row. Whitespace inside names, organisations,
        teams, workgroups, job titles and locations is collapsed to single spaces; a leading
        ``'`` that guards a formula-like cell (as :func:`write_people` writes) is removed.

    Raises
    ------
    DatasetError
        Listing every problem: unknown or missing columns, missing or malformed emails,
        emails repeated in the file (ignoring case, naming the first row), missing names,
        over-long values, a team without an organisation, unknown time zones (with
        suggestions), a manager email that is malformed or the person's own, an ``active``
        value that is not yes/no, or a file without data rows.

    Examples
    --------
    >>> table = Table(header=("Full name", "E-mail", "Agency"),
    ...               rows=(("Amara  Okafor", "Amara@Riverbend.example", "Child Welfare"),))
    >>> [record] = parse_people(table)
    >>> record.row, record.name, record.email_key, record.organisation, record.active
    (2, 'Amara Okafor', 'amara@riverbend.example', 'Child Welfare', True)

    Notes
    -----
    O(rows × columns); time zone suggestions add a difflib scan of the ~600 zone names for
    each unknown zone only.
    """
    index, problems = _header_problems(table)
    headings = {name: table.header[position] for name, position in index.items()}
    records: list[PersonRecord] = []
    first_row_of: dict[str, int] = {}
    for offset, cells in enumerate(table.rows):
        if not any(cells):
            continue
        row = table.row_number(offset)
        values = {name: _clean(name, cells[position]) for name, position in index.items()}
        row_problems = _row_problems(row, values, headings)
        email = values.get("email", "")
        if email:
            key = email.casefold()
            if key in first_row_of:
                row_problems.append(
                    Problem(
                        row,
                        headings["email"],
                        f"“{email}” is already in row {first_row_of[key]} (emails ignore case)",
                    )
                )
            else:
                first_row_of[key] = row
        if row_problems or problems:
            problems.extend(row_problems)
            continue
        active = values.get("active", "")
        if values.get("language"):  # codes are stored as Django spells them: "es"
            values = {**values, "language": values["language"].casefold()}
        records.append(
            PersonRecord(
                row=row,
                **{name: values.get(name, "") for name in PEOPLE_COLUMNS[:-1]},
                active=_ACTIVE_VALUES[active.casefold()] if active else True,
            )
        )
    if not problems and not records:
        problems.append(
            Problem(None, None, "the file has a header but no people: add one row per person")
        )
    if problems:
        raise DatasetError(problems)
    return records


def read_people(source: Source, *, filename: str | None = None) -> list[PersonRecord]:
    """Read and validate a people CSV/XLSX file (a path, bytes or a binary file).

    See :func:`~bridgework.datasets.tabular.read_table` for the encodings and delimiters
    accepted and :func:`parse_people` for the checks.

    Examples
    --------
    >>> data = "Name;Email\\nZoë Adeyemi;zoe@riverbend.example\\n".encode("cp1252")
    >>> [(p.row, p.name) for p in read_people(data)]
    [(2, 'Zoë Adeyemi')]
    """
    return parse_people(read_table(source, filename=filename))


def write_people(records: Iterable[PersonRecord], *, format: Literal["csv", "xlsx"]) -> bytes:
    """Export people as a file :func:`read_people` reads back to the same records.

    Parameters
    ----------
    records : iterable of PersonRecord
        Written in the order given, under the header :data:`PEOPLE_COLUMNS`.
    format : {"csv", "xlsx"}
        CSV is UTF-8 with a byte-order mark (so Excel detects the encoding), comma-delimited,
        CRLF line endings. XLSX has a bold, frozen header row with a filter and column widths
        fitted to the content.

    Returns
    -------
    bytes
        The file. ``active`` is written as ``yes``/``no``.

    Notes
    -----
    CSV cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading
    ``'`` so a spreadsheet shows them instead of running them (OWASP "CSV injection"); XLSX
    stores such cells as text with Excel's quote prefix. Reading strips the guard again.
    O(records × columns).

    Examples
    --------
    >>> data = write_people([PersonRecord(0, "Ana Ruiz", "ana@x.example", job_title="-")],
    ...                     format="csv")
    >>> data.decode("utf-8-sig").splitlines()[1]
    "Ana Ruiz,ana@x.example,,,,'-,,,,,yes"
    """
    rows = [record.cells() for record in records]
    if format == "csv":
        return write_csv_table(PEOPLE_COLUMNS, rows)
    if format == "xlsx":
        return write_xlsx_table(PEOPLE_COLUMNS, rows, sheet_title="People")
    raise ValueError(f"format must be 'csv' or 'xlsx', not {format!r}")

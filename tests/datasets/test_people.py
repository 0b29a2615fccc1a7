"""The people file: aliases, every validation problem, encodings, export and round trip."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from bridgework.datasets.people import (
    COLUMN_ALIASES,
    MAX_LENGTHS,
    PEOPLE_COLUMNS,
    PersonRecord,
    is_valid_email,
    parse_people,
    people_columns_schema,
    present_columns,
    read_people,
    write_people,
)
from bridgework.datasets.tabular import DatasetError, Table, normalise_header, read_table
from bridgework.datasets.timezones import valid_time_zones

FIXTURES = Path(__file__).parent.parent / "fixtures"
SCHEMA_FILE = (
    Path(__file__).parents[2] / "src" / "bridgework" / "schemas" / "people-columns.schema.json"
)

HEADER = ("name", "email")


def table(header: tuple[str, ...], *rows: tuple[str, ...]) -> Table:
    return Table(header=header, rows=tuple(rows))


def problems_of(data: Table) -> list[str]:
    with pytest.raises(DatasetError) as caught:
        parse_people(data)
    return [str(problem) for problem in caught.value.problems]


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


# --- columns and aliases -----------------------------------------------------------------


def test_aliases_are_matched_case_insensitively_to_canonical_fields():
    data = table(
        (
            "Full Name",
            "E-mail Address",
            "Agency",
            "Team name",
            "Role",
            "Job title",
            "Office",
            "Timezone",
            "Manager",
            "Status",
        ),
        (
            "Amara Okafor",
            "Amara.Okafor@riverbend-cfs.example",
            "Child and Family Services",
            "Family Reunification",
            "Case planners",
            "Social Worker II",
            "Millbrook",
            "America/Los_Angeles",
            "boss@riverbend-cfs.example",
            "Inactive",
        ),
    )
    [record] = parse_people(data)
    assert record == PersonRecord(
        row=2,
        name="Amara Okafor",
        email="Amara.Okafor@riverbend-cfs.example",
        organisation="Child and Family Services",
        team="Family Reunification",
        workgroup="Case planners",
        job_title="Social Worker II",
        location="Millbrook",
        time_zone="America/Los_Angeles",
        manager_email="boss@riverbend-cfs.example",
        active=False,
    )
    assert record.email_key == "amara.okafor@riverbend-cfs.example"


@pytest.mark.parametrize(
    ("heading", "column"),
    [
        ("E-mail", "email"),
        ("Email address", "email"),
        ("EMAIL", "email"),
        ("Organization", "organisation"),
        ("Agency", "organisation"),
        ("Title", "job_title"),
        ("Time zone", "time_zone"),
        ("TimeZone", "time_zone"),
        ("Manager email", "manager_email"),
        ("Line manager", "manager_email"),
        ("Status", "active"),
        ("Work group", "workgroup"),
    ],
)
def test_common_headings_are_known_aliases(heading, column):
    assert present_columns(table(("Name", "Email", heading))) >= {column}


def test_only_name_and_email_columns_are_required_and_others_default_blank():
    [record] = parse_people(table(HEADER, ("Ana Ruiz", "ana@x.example")))
    assert record == PersonRecord(row=2, name="Ana Ruiz", email="ana@x.example")
    assert record.active is True


def test_present_columns_lists_only_known_columns_by_canonical_name():
    data = table(("Full name", "E-mail", "Status", "Shoe size"))
    assert present_columns(data) == frozenset({"name", "email", "active"})


def _problems_or_none(data: Table) -> list:
    try:
        parse_people(data)
    except DatasetError as error:
        return error.problems
    return []


# --- each problem, with its row and column ---------------------------------------------


def test_missing_required_columns_are_reported_against_the_header():
    found = problems_of(table(("Full name", "Team"), ("Ana", "")))
    assert len(found) == 1
    assert found[0].startswith("row 1, column email: required column is missing")


def test_unknown_column_is_named_and_the_accepted_columns_listed():
    [problem] = problems_of(table(("Name", "Email", "Shoe size"), ("Ana", "a@x.example", "5")))
    assert problem == (
        "row 1, column Shoe size: unknown column; accepted columns: " + ", ".join(PEOPLE_COLUMNS)
    )


def test_two_headings_for_one_column_are_a_problem():
    [problem] = problems_of(table(("Name", "Email", "E-mail"), ("Ana", "a@x.example", "")))
    assert problem == "row 1, column E-mail: means the same as column Email (email)"


def test_every_row_problem_is_reported_with_its_row_and_column():
    header = ("Name", "E-mail", "Agency", "Team", "Timezone", "Manager", "Active")
    data = table(
        header,
        ("Ana Ruiz", "ana@x.example", "CFS", "Intake", "America/Los_Angeles", "", "yes"),
        ("", "", "", "", "", "", ""),  # blank row 3: skipped, numbering kept
        ("Bo Chen", "", "", "", "", "", ""),  # 4: missing email
        ("Cy Diaz", "cy@", "", "", "", "", ""),  # 5: malformed email
        ("Di Eze", "ANA@x.example", "", "", "", "", ""),  # 6: duplicate of row 2
        ("", "ed@x.example", "", "", "", "", ""),  # 7: missing name
        ("F" * 201, "f@x.example", "", "", "", "", ""),  # 8: over-long name
        ("Gil Ho", "gil@x.example", "", "Intake", "", "", ""),  # 9: team without organisation
        ("Hu Io", "hu@x.example", "", "", "America/Los_Angles", "", ""),  # 10: time zone
        ("Ivy Jo", "ivy@x.example", "", "", "", "boss@", ""),  # 11: malformed manager
        ("Jo Ka", "jo@x.example", "", "", "", "JO@x.example", ""),  # 12: own manager
        ("Ken Li", "ken@x.example", "", "", "", "", "maybe"),  # 13: active
        ("Lu Ma", "l" * 250 + "@x.example", "", "", "", "", ""),  # 14: over-long email
    )
    assert problems_of(data) == [
        "row 4, column E-mail: an email address is required",
        "row 5, column E-mail: “cy@” is not a valid email address",
        "row 6, column E-mail: “ANA@x.example” is already in row 2 (emails ignore case)",
        "row 7, column Name: a name is required",
        "row 8, column Name: is 201 characters long; the limit is 200",
        "row 9, column Team: a team needs an organisation: fill in the organisation column "
        "on this row",
        "row 10, column Timezone: “America/Los_Angles” is not an IANA time zone name such as "
        "America/Los_Angeles; did you mean America/Los_Angeles?",
        "row 11, column Manager: “boss@” is not a valid email address",
        "row 12, column Manager: is this person's own email; a person cannot be their own manager",
        "row 13, column Active: “maybe” is not one of yes, true, 1, active, no, false, 0, "
        "inactive (blank means yes)",
        "row 14, column E-mail: is 260 characters long; the limit is 254",
    ]


def test_team_without_an_organisation_column_is_a_problem():
    [problem] = problems_of(table(("Name", "Email", "Team"), ("Ana", "a@x.example", "Intake")))
    assert problem.startswith("row 2, column Team: a team needs an organisation")


@pytest.mark.parametrize("column", [c for c in PEOPLE_COLUMNS if c in MAX_LENGTHS])
def test_each_text_column_has_its_limit(column):
    limit = MAX_LENGTHS[column]
    assert limit == (254 if column in ("email", "manager_email") else 200)
    values = {"name": "Ana", "email": "a@x.example", "organisation": "Org"} | {column: "x" * limit}
    # A value at the limit can only fail for reasons other than its length.
    header = ("name", "email", "organisation", column) if column not in HEADER else HEADER
    row = tuple(values[c] for c in header)
    problems = _problems_or_none(table(header, row))
    assert all("characters long" not in p.reason for p in problems)
    values[column] += "x"
    with pytest.raises(DatasetError) as caught:
        parse_people(table(header, tuple(values[c] for c in header)))
    assert f"is {limit + 1} characters long; the limit is {limit}" in str(caught.value.problems)


def test_control_characters_are_a_problem():
    [problem] = problems_of(table(HEADER, ("Ana\x07", "a@x.example")))
    assert problem == "row 2, column name: contains the control character U+0007; remove it"


def test_header_without_data_rows_is_a_problem():
    for data in (table(HEADER), table(HEADER, ("", ""), ("", ""))):
        assert problems_of(data) == [
            "file: the file has a header but no people: add one row per person"
        ]


def test_header_and_row_problems_are_reported_together():
    found = problems_of(table(("Name", "Shoe"), ("", "")))
    assert [p.split(":")[0] for p in found] == ["row 1, column Shoe", "row 1, column email"]
    found = problems_of(table(("Name", "Email", "Shoe"), ("", "a@x.example", "")))
    assert found[0] == "row 1, column Shoe: unknown column; accepted columns: " + ", ".join(
        PEOPLE_COLUMNS
    )
    assert found[1] == "row 2, column Name: a name is required"


# --- normalisation -------------------------------------------------------------------------


def test_whitespace_inside_names_is_collapsed():
    data = table(
        ("Name", "Email", "Organisation", "Team"),
        ("  Ana \t  María   Ruiz ", " ana@x.example ", "Child   Welfare", "Intake\nTeam"),
    )
    [record] = parse_people(data)
    assert (record.name, record.email, record.organisation, record.team) == (
        "Ana María Ruiz",
        "ana@x.example",
        "Child Welfare",
        "Intake Team",
    )


@pytest.mark.parametrize(
    ("cell", "active"),
    [
        ("", True),
        ("yes", True),
        ("YES", True),
        ("true", True),
        ("1", True),
        ("Active", True),
        ("no", False),
        ("False", False),
        ("0", False),
        ("INACTIVE", False),
    ],
)
def test_active_accepts_yes_no_words_in_any_case(cell, active):
    [record] = parse_people(table(("name", "email", "active"), ("Ana", "a@x.example", cell)))
    assert record.active is active


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    data = table(HEADER, ("Ana", "a@x.example"), ("", ""), ("Bo", "b@x.example"))
    assert [(r.row, r.name) for r in parse_people(data)] == [(2, "Ana"), (4, "Bo")]


# --- encodings, delimiters, XLSX -----------------------------------------------------------

PEOPLE_TEXT = "Name,Email,Organisation\nJosé Núñez,jose@x.example,Zoë's Place\n"
EXPECTED = [
    PersonRecord(row=2, name="José Núñez", email="jose@x.example", organisation="Zoë's Place")
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_in_utf8_utf8_bom_and_windows_1252_is_read(encoding):
    data = csv_bytes(PEOPLE_TEXT, encoding)
    if encoding == "cp1252":
        assert data != PEOPLE_TEXT.encode("utf-8")  # really a different byte sequence
    assert read_people(data) == EXPECTED


def test_semicolon_delimited_csv_is_read():
    data = csv_bytes("Name;E-mail;Organisation\nJosé Núñez;jose@x.example;Zoë's Place\n", "cp1252")
    assert read_people(data) == EXPECTED


def test_xlsx_input_is_read():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Full name", "Email address", "Organization", "Active"])
    sheet.append(["José Núñez", "jose@x.example", "Zoë's Place", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_people(buffer.getvalue(), filename="people.xlsx") == EXPECTED


def test_read_people_reads_a_path(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_TEXT))
    assert read_people(path) == EXPECTED


# --- export --------------------------------------------------------------------------------

PERSON = PersonRecord(
    row=0,
    name="Zoë Adeyemi",
    email="zoe.adeyemi@riverbend-bh.example",
    organisation="Riverbend County Behavioral Health",
    team="Access and Crisis",
    workgroup="Clinicians",
    job_title="Crisis Clinician",
    location="Port Alder",
    time_zone="America/Los_Angeles",
    manager_email="boss@riverbend-bh.example",
    active=False,
)


def test_csv_export_is_utf8_with_bom_comma_delimited_with_the_canonical_header():
    data = write_people([PERSON], format="csv")
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == ",".join(PEOPLE_COLUMNS)
    assert lines[1] == (
        "Zoë Adeyemi,zoe.adeyemi@riverbend-bh.example,Riverbend County Behavioral Health,"
        "Access and Crisis,Clinicians,Crisis Clinician,Port Alder,America/Los_Angeles,,"
        "boss@riverbend-bh.example,no"
    )


def test_xlsx_export_has_a_bold_frozen_header_and_fitted_widths():
    data = write_people([PERSON], format="xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[1]] == list(PEOPLE_COLUMNS)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet["K2"].value == "no"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCK"}
    assert widths["C"] == len("Riverbend County Behavioral Health") + 2
    assert widths["K"] == len("active") + 2


def test_write_people_rejects_unknown_formats():
    with pytest.raises(ValueError, match="format must be"):
        write_people([PERSON], format="ods")  # type: ignore[arg-type]


ATTACKS = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "'=not a formula"]


def test_csv_export_guards_formula_cells_and_import_removes_the_guard():
    records = [
        replace(PERSON, name=attack, email=f"p{i}@x.example") for i, attack in enumerate(ATTACKS)
    ]
    data = write_people(records, format="csv")
    names = [row[0] for row in read_table(data).rows]
    assert names == ["'=HYPERLINK(\"http://evil.example\")", "'+1+1", "'-2+3", "'@SUM(A1)",
                     "''=not a formula"]  # fmt: skip
    assert [r.name for r in read_people(data)] == ATTACKS


def test_xlsx_export_stores_formula_like_cells_as_text():
    records = [
        replace(PERSON, name=attack, email=f"p{i}@x.example") for i, attack in enumerate(ATTACKS)
    ]
    data = write_people(records, format="xlsx")
    sheet = load_workbook(io.BytesIO(data)).active  # not data_only: formulas would show
    cells = [sheet.cell(row=i + 2, column=1) for i in range(len(ATTACKS))]
    assert all(cell.data_type == "s" for cell in cells)
    assert cells[0].value == ATTACKS[0]
    assert [r.name for r in read_people(data, filename="people.xlsx")] == ATTACKS


# --- round trip ----------------------------------------------------------------------------


def _normalised_text(max_size: int) -> st.SearchStrategy[str]:
    characters = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn"))
    raw = st.one_of(
        st.text(characters, max_size=max_size),
        st.tuples(st.sampled_from(["=", "+", "-", "@", "'", "''", "'="]), st.text(characters)).map(
            "".join
        ),
    )
    return raw.map(lambda text: " ".join(text.split())[:max_size].strip())


_LOCAL = st.from_regex(r"[A-Za-z0-9=+\-'_~!#$%&*/?^`{|}]{1,20}(\.[A-Za-z0-9_-]{1,10})?",
                       fullmatch=True)  # fmt: skip
_DOMAIN = st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,5})?\.(example|org|co\.uk)", fullmatch=True)
EMAILS = st.builds(lambda local, domain: f"{local}@{domain}", _LOCAL, _DOMAIN)


@st.composite
def people_records(draw: st.DrawFn) -> PersonRecord:
    email = draw(EMAILS)
    manager = draw(
        st.one_of(st.just(""), EMAILS.filter(lambda m: m.casefold() != email.casefold()))
    )
    organisation = draw(_normalised_text(40))
    team = draw(_normalised_text(40)) if organisation else ""
    return PersonRecord(
        row=0,
        name=draw(_normalised_text(60).filter(bool)),
        email=email,
        organisation=organisation,
        team=team,
        workgroup=draw(_normalised_text(40)),
        job_title=draw(_normalised_text(40)),
        location=draw(_normalised_text(40)),
        time_zone=draw(st.one_of(st.just(""), st.sampled_from(sorted(valid_time_zones())))),
        manager_email=manager,
        active=draw(st.booleans()),
    )


PEOPLE_LISTS = st.lists(people_records(), min_size=1, max_size=8, unique_by=lambda r: r.email_key)


@settings(max_examples=60, deadline=None)
@given(records=PEOPLE_LISTS)
def test_csv_export_then_import_returns_the_same_people(records):
    back = read_people(write_people(records, format="csv"))
    assert [replace(r, row=0) for r in back] == records
    assert [r.row for r in back] == list(range(2, len(records) + 2))


@settings(max_examples=30, deadline=None)
@given(records=PEOPLE_LISTS)
def test_xlsx_export_then_import_returns_the_same_people(records):
    back = read_people(write_people(records, format="xlsx"), filename="people.xlsx")
    assert [replace(r, row=0) for r in back] == records


def test_fixture_files_parse_as_documented():
    good = read_people(FIXTURES / "people-good.csv")
    assert len(good) == 10
    assert {r.organisation for r in good} >= {"Riverbend Legal Aid"}
    assert {r.workgroup for r in good} >= {"Parent attorneys"}
    with pytest.raises(DatasetError) as caught:
        read_people(FIXTURES / "people-bad.csv")
    assert [str(p) for p in caught.value.problems] == [
        "row 3, column Email: “benedict.amadi@” is not a valid email address",
        "row 5, column Time zone: “Pacific/Honolula” is not an IANA time zone name such as "
        "America/Los_Angeles; did you mean Pacific/Honolulu?",
        "row 7, column Manager email: is this person's own email; a person cannot be their "
        "own manager",
    ]


# --- emails --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    ["a@b.example", "first.last@riverbend-cfs.example", "o'neil+tag@x.co.uk", "x@bücher.example"],
)
def test_valid_emails(email):
    assert is_valid_email(email)


@pytest.mark.parametrize(
    "email",
    ["", "a", "a@", "@b.example", "a@b", "a b@c.example", "a..b@c.example", ".a@c.example",
     "a@-b.example", "a@b.c", "a@b.example.", "José@x.example", "x" * 65 + "@y.example"],
)  # fmt: skip
def test_invalid_emails(email):
    assert not is_valid_email(email)


@settings(max_examples=100, deadline=None)
@given(st.one_of(EMAILS, st.text(max_size=30), st.from_regex(r"[^@\s]{1,10}@[^@\s]{1,12}")))
def test_every_email_we_accept_django_accepts_too(value):
    # The directory stores people through Django's EmailValidator; an address we let
    # through but Django rejects would fail the import half-way instead of in the preview.
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    if is_valid_email(value):
        try:
            validate_email(value)
        except ValidationError:
            pytest.fail(f"Django rejects {value!r}")


# --- the contract as data ----------------------------------------------------------------


def test_schema_file_is_the_contract_the_parser_uses():
    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    assert schema == people_columns_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert tuple(schema["x-column-order"]) == PEOPLE_COLUMNS
    assert tuple(schema["properties"]) == PEOPLE_COLUMNS
    assert schema["required"] == ["name", "email"]
    for column in PEOPLE_COLUMNS:
        spec = schema["properties"][column]
        written = {normalise_header(alias) for alias in spec["x-aliases"]}
        assert set(COLUMN_ALIASES[column]) == written | {column}
        if column != "active":
            assert MAX_LENGTHS[column] == spec["maxLength"]


def test_no_heading_means_two_columns():
    owners: dict[str, str] = {}
    for column, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            assert owners.setdefault(alias, column) == column, alias


def test_exported_rows_validate_against_the_schema():
    validator = jsonschema.Draft202012Validator(
        people_columns_schema(), format_checker=jsonschema.FormatChecker()
    )
    records = read_people(FIXTURES / "people-good.csv")
    data = write_people(records, format="csv")
    for row in read_table(data).records():
        validator.validate(row)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"name": "Ana", "email": "a@x.example", "active": "maybe"})


def test_docstring_examples_run():
    import doctest

    from bridgework.datasets import people, sheets, timezones

    for module in (people, sheets, timezones):
        result = doctest.testmod(module)
        assert result.attempted > 0, module.__name__
        assert result.failed == 0, module.__name__


def test_docs_list_every_column_alias_and_limit():
    docs = (Path(__file__).parents[2] / "docs" / "people-files.md").read_text("utf-8")
    rows = {
        line.split("|")[1].strip(): line for line in docs.splitlines() if line.startswith("| `")
    }
    for column, spec in people_columns_schema()["properties"].items():
        line = next(text for heading, text in rows.items() if heading.startswith(f"`{column}`"))
        cells = [cell.strip() for cell in line.split("|")]
        assert cells[2] == ", ".join(spec["x-aliases"]), column
        assert cells[3] == str(spec.get("maxLength", "")), column

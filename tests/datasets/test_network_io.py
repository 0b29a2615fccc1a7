"""People and nominations files: row-by-row validation, all-or-nothing."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from bridgework.datasets.network_io import (
    read_network_people,
    read_nominations,
    validate_nominations,
    validate_people,
)
from bridgework.datasets.tabular import DatasetError

PEOPLE_CSV = b"ID,Name,Organisation\n1,Ann,Health\n2,Bo,Care\n3,Cy,Care\n"
IDS = ["1", "2", "3"]


def _problems(call):
    with pytest.raises(DatasetError) as error:
        call()
    return [str(p) for p in error.value.problems]


def test_people_file_reads_with_normalised_columns():
    people = read_network_people(PEOPLE_CSV, filename="people.csv")
    assert list(people.columns) == ["id", "name", "organisation"]
    assert people["id"].tolist() == IDS
    assert people.index.tolist() == [2, 3, 4]


def test_people_problems_are_all_reported():
    data = b"id,name,responded\n1,Ann,yes\n,Bo,no\n1,Cy,maybe\n"
    assert _problems(lambda: read_network_people(data)) == [
        "row 3, column id: id is blank",
        "row 4, column id: id 1 is already used on row 2",
        "row 4, column responded: expected yes or no, not 'maybe'",
    ]


def test_people_file_needs_an_id_column():
    assert _problems(lambda: read_network_people(b"name\nAnn\n")) == [
        "row 1, column id: the people file needs an id column"
    ]


def test_responded_column_becomes_boolean():
    people = validate_people([{"id": "1", "responded": "Yes"}, {"id": "2", "responded": ""}])
    assert people["responded"].tolist() == [True, False]


def test_nominations_default_relation_and_weight():
    noms = read_nominations(b"Ego;Alter\n1;2\n\n2;3\n", IDS)
    assert noms.to_dict("list") == {
        "ego": ["1", "2"],
        "alter": ["2", "3"],
        "relation": ["works_with", "works_with"],
        "weight": [1.0, 1.0],
    }
    assert noms.index.tolist() == [2, 4]  # the blank row 3 is skipped


def test_nominations_problems_are_all_reported_with_rows():
    data = (
        b"ego,alter,relation,weight\n"
        b"1,2,trust,4\n"
        b"1,9,trust,4\n"
        b"2,2,trust,3\n"
        b"3,1,trust,-1\n"
        b"3,2,trust,abc\n"
        b"1,2,TRUST,5\n"
        b",1,trust,1\n"
    )
    assert _problems(lambda: read_nominations(data, IDS)) == [
        "row 3, column alter: no person with id 9",
        "row 4, column alter: 2 nominates themselves",
        "row 5, column weight: expected a positive number, not '-1'",
        "row 6, column weight: expected a positive number, not 'abc'",
        "row 7: 1 → 2 (trust) is already on row 2",
        "row 8, column ego: ego is blank",
    ]


def test_arrow_columns_validate_exactly_as_plain_records():
    """The command's Arrow-backed columns give the same clean table as plain records."""
    data = (
        "ego,alter,relation,weight\n"
        "1,2,Works_With,4\n"
        "2,1,TRUST,2.5\n"
        "3,1,Straße,1e0\n"
        "1,3,,\n"
        "3,2,trust, 3 \n"
    )
    clean = read_nominations(data.encode(), pd.Series(IDS, dtype="str"))
    records = [
        dict(zip(["ego", "alter", "relation", "weight"], line.split(","), strict=True))
        for line in data.splitlines()[1:]
    ]
    assert clean.to_dict("list") == validate_nominations(records, IDS).to_dict("list")
    assert clean["relation"].tolist() == ["works_with", "trust", "strasse", "works_with", "trust"]
    assert clean["weight"].tolist() == [4.0, 2.5, 1.0, 1.0, 3.0]


def test_nominations_need_ego_and_alter_columns():
    assert _problems(lambda: read_nominations(b"from,to\n1,2\n", IDS)) == [
        "row 1, column alter: the nominations file needs this column",
        "row 1, column ego: the nominations file needs this column",
    ]


def test_columns_that_normalise_alike_are_a_problem():
    assert _problems(lambda: read_network_people(b"id,Team,team\n1,a,b\n")) == [
        "row 1, column team: column appears twice"
    ]


def test_xlsx_files_are_read_with_numbers_as_ids():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ego", "alter", "weight"])
    sheet.append([1, 2, 4])
    sheet.append([2, 3, 2.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    noms = read_nominations(buffer.getvalue(), IDS, filename="n.xlsx")
    assert noms["ego"].tolist() == ["1", "2"]
    assert noms["weight"].tolist() == [4.0, 2.5]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3", "4", ""]),
            st.sampled_from(["1", "2", "3", "4", ""]),
            st.sampled_from(["1", "0", "x", "", "2.5"]),
        ),
        max_size=12,
    )
)
def test_accepts_exactly_the_files_with_no_bad_row(rows):
    records = [{"ego": e, "alter": a, "weight": w} for e, a, w in rows]
    kept = [(e, a, w) for e, a, w in rows if e or a or w]  # blank rows are skipped
    pairs = [(e, a) for e, a, _ in kept]
    bad = len(set(pairs)) < len(pairs) or any(
        e not in IDS or a not in IDS or e == a or w in ("0", "x") for e, a, w in kept
    )
    if bad:
        with pytest.raises(DatasetError):
            validate_nominations(records, IDS)
        return
    clean = validate_nominations(records, IDS)
    assert list(zip(clean["ego"], clean["alter"], strict=True)) == pairs
    assert clean["weight"].tolist() == [float(w or 1) for _, _, w in kept]

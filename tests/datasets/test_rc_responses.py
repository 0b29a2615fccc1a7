"""Tests for bridgework.datasets.rc_responses: long and wide files, every problem reported."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from bridgework.analysis.rc import DIMENSIONS
from bridgework.datasets.rc_responses import MAX_PROBLEMS, read_rc_responses
from bridgework.datasets.tabular import DatasetError

HEADER = "respondent_id,respondent_workgroup,target_workgroup,dimension,score\n"


def problems_of(data: bytes, **options) -> list[str]:
    with pytest.raises(DatasetError) as caught:
        read_rc_responses(data, **options)
    return [str(problem) for problem in caught.value.problems]


def test_long_csv_reads_scores_and_not_answered():
    body = (
        "r1,Nurses,Pharmacy,timely,4\nr1,Nurses,Pharmacy,accurate,NA\n"
        "r1,Nurses,Pharmacy,frequent,\nr1,Nurses,Pharmacy,Mutual respect,5\n"
    )
    data = (HEADER + body).encode()
    responses = read_rc_responses(data)
    assert responses.layout == "long"
    frame = responses.frame
    assert frame["score"].tolist()[0] == 4.0
    assert np.isnan(frame["score"].tolist()[1])
    assert np.isnan(frame["score"].tolist()[2])
    assert frame["dimension"].tolist()[3] == "mutual_respect"
    assert frame.index.tolist() == [2, 3, 4, 5]


def test_every_problem_is_listed_by_row_and_column():
    data = (HEADER + "r1,A,B,timely,4\nr1,A,B,speedy,4\nr1,A,B,accurate,6\nr1,A,B,shared_goals,x\n"
            "r1,C,B,mutual_respect,3\nr1,A,B,timely,5\nr2,A,B,accurate,2.5\n").encode()  # fmt: skip
    problems = problems_of(data)
    assert "row 3, column dimension: unknown dimension 'speedy'" in problems[0]
    assert (
        problems[1] == "row 4, column score: score 6 is out of range; expected a whole number 1–5"
    )
    assert "row 5, column score: score 'x' is not a number" in problems[2]
    assert (
        "row 6, column respondent_workgroup: respondent r1 is given two workgroups" in problems[3]
    )
    assert problems[4] == (
        "row 7, column dimension: duplicate answer (respondent, target and dimension): "
        "same as row 2"
    )
    assert problems[5].startswith("row 8, column score: score 2.5 is out of range")
    assert len(problems) == 6


def test_missing_columns_are_reported():
    problems = problems_of(b"respondent_id,dimension\nr1,timely\n")
    assert "row 1, column respondent_workgroup: missing column" in problems
    assert "row 1, column score: missing column" in problems


def test_same_respondent_may_change_workgroup_between_waves():
    data = (
        HEADER.replace("\n", ",wave\n") + "r1,A,B,timely,4,2025\nr1,C,B,timely,4,2026\n"
    ).encode()
    responses = read_rc_responses(data)
    assert responses.waves == ("2025", "2026")
    assert responses.frame["wave"].tolist() == ["2025", "2026"]


def test_wide_csv_becomes_long_with_row_numbers():
    header = "respondent_id,respondent_workgroup,target_workgroup," + ",".join(DIMENSIONS) + "\n"
    data = (header + "r1,A,B,5,4,4,NA,3,3,3\nr2,A,B,1,2,3,4,5,,1\n").encode()
    responses = read_rc_responses(data)
    assert responses.layout == "wide"
    frame = responses.frame
    assert len(frame) == 14
    assert frame["dimension"].tolist()[:7] == list(DIMENSIONS)
    assert frame.index.tolist()[:8] == [2] * 7 + [3]
    assert frame["score"].tolist()[7:10] == [1.0, 2.0, 3.0]


def test_wide_problems_cite_the_dimension_column_and_unknown_columns():
    header = "respondent_id,respondent_workgroup,target_workgroup," + ",".join(DIMENSIONS)
    problems = problems_of((header + ",mood\nr1,A,B,5,4,4,NA,3,3,3,x\n").encode())
    assert problems[0].startswith("row 1, column mood: unknown column")
    bad = (header + "\nr1,A,B,9,4,4,NA,3,3,3\nr1,A,B,5,4,4,4,3,3,3\n").encode()
    problems = problems_of(bad)
    assert "row 2, column frequent: score 9 is out of range" in problems[0]
    assert "row 3, column target_workgroup: duplicate row" in problems[1]
    missing = problems_of(b"respondent_id,respondent_workgroup,target_workgroup,frequent\n")
    assert "row 1, column timely: missing column" in missing


def test_xlsx_long_file_is_read(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["r1", "A", "B", "timely", 4])
    sheet.append(["r1", "A", "B", "accurate", None])
    path = tmp_path / "answers.xlsx"
    workbook.save(path)
    frame = read_rc_responses(path).frame
    assert frame["score"].tolist()[0] == 4.0
    assert np.isnan(frame["score"].tolist()[1])


def test_problem_list_is_capped_with_a_count_of_the_rest():
    rows = "".join(f"r{i},A,B,timely,9\n" for i in range(MAX_PROBLEMS + 5))
    problems = problems_of((HEADER + rows).encode())
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0] == "file: 5 more problems not listed"


def test_empty_identifiers_are_reported():
    problems = problems_of((HEADER + ",A,B,timely,4\n").encode())
    assert problems == ["row 2, column respondent_id: respondent_id is empty"]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),
            st.sampled_from(["A", "B"]),
            st.sampled_from(DIMENSIONS),
            st.sampled_from(["1", "2", "3", "4", "5", "", "NA"]),
        ),
        min_size=1,
        max_size=30,
        unique_by=lambda row: (row[0], row[1], row[2]),
    )
)
def test_valid_files_round_trip_every_answer(rows):
    frame = pd.DataFrame(
        [(f"p{p}", "G", target, dimension, score) for p, target, dimension, score in rows],
        columns=HEADER.strip().split(","),
    )
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    read = read_rc_responses(buffer.getvalue().encode()).frame
    expected = [float(score) if score not in ("", "NA") else None for *_, score in rows]
    got = [None if np.isnan(value) else value for value in read["score"].tolist()]
    assert got == expected
    assert read["dimension"].tolist() == [row[2] for row in rows]

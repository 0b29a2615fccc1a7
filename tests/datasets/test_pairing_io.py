"""Readers and writer of the pairing files: every problem reported by row and column."""

from __future__ import annotations

import csv

import pytest

from bridgework.datasets import pairing_io
from bridgework.datasets.sheets import unguard_cell
from bridgework.datasets.tabular import DatasetError
from bridgework.matching import Match, PairingResult, PairingStats

PEOPLE = (
    b"id,Organisation,team,workgroup,location,Time Zone,mode,interests,priority\n"
    b"ana,Child Welfare,Intake,case planners,Leeds,Europe/London,In-Person,books; running,yes\n"
    b"ben,Probation,North,probation officers,,UTC+01:00,video,,\n"
    b",,,,,,,,\n"
    b"cy,Probation,South,probation officers,York,,,chess|books,no\n"
)


def _roster():
    return pairing_io.read_participants(PEOPLE)


def _problems(call):
    with pytest.raises(DatasetError) as caught:
        call()
    return [str(p) for p in caught.value.problems]


def test_participants_are_read_with_canonical_modes_interests_and_priority():
    roster = _roster()
    assert roster.ids.tolist() == ["ana", "ben", "cy"]
    assert roster.mode.tolist() == ["in_person", "video", "either"]
    assert roster.interests.tolist() == [("books", "running"), (), ("books", "chess")]
    assert roster.priority.tolist() == [True, False, False]
    assert roster.time_zone.tolist() == ["Europe/London", "UTC+01:00", ""]


def test_participant_problems_are_all_reported_with_rows():
    data = (
        b"id,organisation,team,workgroup,mode,time_zone,priority\n"
        b"a,X,t,w,bike,,\n"
        b"a,X,t,w,,Mars/Olympus,maybe\n"
        b",,t,w,in person,,\n"
    )
    assert _problems(lambda: pairing_io.read_participants(data)) == [
        "row 2, column mode: mode must be in person, video or either",
        "row 3, column id: id 'a' already appears on row 2",
        "row 3, column priority: priority must be yes or no",
        "row 3, column time_zone: unknown time zone (use e.g. Europe/London or UTC+01:00)",
        "row 4, column id: id is empty",
        "row 4, column location: meets in person only, so a location is needed",
        "row 4, column organisation: organisation is empty",
    ]


def test_missing_required_columns_are_named():
    assert _problems(lambda: pairing_io.read_participants(b"id,team\na,t\n")) == [
        "row 1, column organisation: required column is missing",
        "row 1, column workgroup: required column is missing",
    ]


def test_history_is_validated_for_unknown_ids_self_pairs_and_dates():
    data = b"a,b,date\nana,ben,2025-01-31\nana,zed,2025-02-30\ncy,cy,31/01/2025\n"
    assert _problems(lambda: pairing_io.read_history(data, participants=_roster())) == [
        "row 3, column b: 'zed' is not a participant",
        "row 3, column date: date must be YYYY-MM-DD",
        "row 4, column b: a and b are the same person",
        "row 4, column date: date must be YYYY-MM-DD",
    ]


def test_valid_history_has_real_dates():
    frame = pairing_io.read_history(b"a,b,date\nana,ben,2025-01-31\n", participants=_roster())
    assert str(frame["date"].iloc[0].date()) == "2025-01-31"


def test_exclusions_and_ties_are_validated():
    roster = _roster()
    assert _problems(lambda: pairing_io.read_exclusions(b"a,b\nana,\n", participants=roster)) == [
        "row 2, column b: id is empty"
    ]
    ties = b"a,b,strength\nana,ben,2\nana,cy,-1\nben,cy,strong\n"
    assert _problems(lambda: pairing_io.read_ties(ties, participants=roster)) == [
        "row 3, column strength: strength must be a number ≥ 0",
        "row 4, column strength: strength must be a number ≥ 0",
    ]
    frame = pairing_io.read_ties(b"a,b,strength\nana,ben,2.5\n", participants=roster)
    assert frame["strength"].tolist() == [2.5]


def test_rc_weak_ties_skip_suppressed_and_other_bands():
    data = (
        b'{"cells": ['
        b'{"rater": "nurses", "target": "porters", "rc": 2.0, "band": "weak", "suppressed": false},'
        b'{"rater": "nurses", "target": "doctors", "rc": null, "band": "weak", "suppressed": true},'
        b'{"rater": "doctors", "target": "porters", "rc": 4.2, "band": "strong", '
        b'"suppressed": false}]}'
    )
    assert pairing_io.read_rc_weak_ties(data) == [("nurses", "porters")]


def test_rc_json_problems_are_reported():
    assert _problems(lambda: pairing_io.read_rc_weak_ties(b"[1]")) == [
        "column cells: expected a list of RC cells"
    ]
    assert _problems(lambda: pairing_io.read_rc_weak_ties(b'{"cells": [{"rater": "x"}]}')) == [
        "column cells[0].band: must be a non-empty string",
        "column cells[0].target: must be a non-empty string",
    ]
    assert "not valid JSON" in _problems(lambda: pairing_io.read_rc_weak_ties(b"{"))[0]


def test_writer_gives_one_row_per_participant(tmp_path):
    result = PairingResult(
        matches=(Match(("a", "b", "c"), 9.5, ("a & b: first meeting",)),),
        sit_out=("d",),
        holdout=("e",),
        total_score=9.5,
        solver="exact",
        seed=1,
        stats=PairingStats(5, 3, 1.0, 1.0, 0, 0.1),
    )
    path = tmp_path / "out.csv"
    pairing_io.write_pairing_csv(result, path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["id"], r["status"], r["match"], r["partners"]) for r in rows] == [
        ("a", "matched", "1", "b; c"),
        ("b", "matched", "1", "a; c"),
        ("c", "matched", "1", "a; b"),
        ("e", "holdout", "", ""),
        ("d", "sit_out", "", ""),
    ]
    assert rows[0]["score"] == "9.500"


def test_writer_says_why_each_person_sits_out(tmp_path):
    result = PairingResult(
        matches=(Match(("a", "b"), 5.0, ("first meeting",)),),
        sit_out=("c",),
        holdout=(),
        total_score=5.0,
        solver="exact",
        seed=1,
        stats=PairingStats(3, 2, 1.0, 1.0, 0, 0.1),
        sit_out_reasons=("odd one out: no set of allowed pairs includes everyone this round",),
    )
    path = tmp_path / "out.csv"
    pairing_io.write_pairing_csv(result, path)
    rows = {r["id"]: r for r in csv.DictReader(path.open(encoding="utf-8"))}
    assert rows["c"]["status"] == "sit_out"
    assert rows["c"]["reasons"].startswith("odd one out")


def test_writer_guards_ids_that_would_run_as_formulas(tmp_path):
    result = PairingResult(
        matches=(Match(("=HYPERLINK(1)", "b"), 5.0, ("@first",)),),
        sit_out=("+c",),
        holdout=("-d",),
        total_score=5.0,
        solver="exact",
        seed=1,
        stats=PairingStats(4, 2, 1.0, 1.0, 0, 0.1),
        sit_out_reasons=("=odd",),
    )
    path = tmp_path / "out.csv"
    pairing_io.write_pairing_csv(result, path)
    rows = list(csv.reader(path.open(encoding="utf-8")))[1:]
    cells = [cell for row in rows for cell in row if cell]
    assert not [c for c in cells if c[0] in "=+-@"], cells
    assert {unguard_cell(row[0]) for row in rows} == {"=HYPERLINK(1)", "b", "+c", "-d"}
    assert unguard_cell(rows[1][3]) == "=HYPERLINK(1)"  # b's partner

"""Tests for ``bridgework rc``: JSON contract, reports, exit status, documentation."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

from bridgework.analysis.rc import DIMENSIONS, LONG_COLUMNS
from bridgework.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def answers(tmp_path):
    rng = np.random.default_rng(4)
    rows = []
    for wave in ("2025", "2026"):
        for i in range(30):
            group = ["Nurses", "Pharmacy", "Social work"][i % 3]
            for target in ("Nurses", "Pharmacy", "Social work"):
                for d in DIMENSIONS:
                    rows.append((wave, f"{wave}-{i}", group, target, d, int(rng.integers(2, 6))))
    path = tmp_path / "answers.csv"
    pd.DataFrame(rows, columns=["wave", *LONG_COLUMNS]).to_csv(path, index=False)
    return path


def _schema(name):
    return json.loads(resources.files("bridgework.schemas").joinpath(name).read_text())


def test_analyze_prints_json_matching_the_schema(answers, capsys):
    code = main(
        ["rc", "analyze", str(answers), "--wave", "2025", "--seed", "3", "--bootstrap", "50"]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    jsonschema.validate(payload, _schema("rc-analysis.schema.json"))
    assert payload["settings"]["seed"] == 3
    assert {"rater", "target", "rc", "band", "suppressed"} <= set(payload["cells"][0])


def test_analyze_json_flag_and_min_group_size(answers, capsys):
    assert main(["rc", "analyze", str(answers), "--wave", "2026", "--json", "--bootstrap", "0",
                 "--min-group-size", "11"]) == 0  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    assert all(cell["suppressed"] for cell in payload["cells"])  # 10 people per workgroup


def test_compare_prints_json_matching_the_schema(answers, capsys):
    code = main(["rc", "compare", str(answers), "--before", "2025", "--after", "2026",
                 "--bootstrap", "40", "--permutations", "40", "--seed", "1"])  # fmt: skip
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    jsonschema.validate(payload, _schema("rc-compare.schema.json"))


def test_xlsx_and_html_outputs_are_written(answers, tmp_path):
    xlsx, html = tmp_path / "r.xlsx", tmp_path / "r.html"
    assert main(["rc", "analyze", str(answers), "--wave", "2025", "--xlsx", str(xlsx),
                 "--bootstrap", "0", "--frequency-scale", "adequacy"]) == 0  # fmt: skip
    assert main(["rc", "compare", str(answers), "--before", "2025", "--after", "2026",
                 "--html", str(html), "--bootstrap", "0", "--permutations", "0"]) == 0  # fmt: skip
    assert xlsx.read_bytes()[:2] == b"PK"
    assert b"<caption>" in html.read_bytes()


def test_bad_file_lists_problems_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "respondent_id,respondent_workgroup,target_workgroup,dimension,score\n"
        "r1,A,B,speedy,4\nr1,A,B,timely,9\n"
    )
    out = tmp_path / "out.html"
    assert main(["rc", "analyze", str(bad), "--html", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("row 2, column dimension: unknown dimension 'speedy'")
    assert err[1].startswith("row 3, column score: score 9 is out of range")
    assert not out.exists()


def test_several_waves_without_choice_exits_2(answers, capsys):
    assert main(["rc", "analyze", str(answers), "--bootstrap", "0"]) == 2
    assert "several waves" in capsys.readouterr().err


@pytest.mark.parametrize(("size", "message"), [("2", "at least 3"), ("101", "at most 100")])
def test_min_group_size_outside_its_bound_is_refused(answers, capsys, size, message):
    with pytest.raises(SystemExit) as exit_:
        main(["rc", "analyze", str(answers), "--min-group-size", size])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_every_option_is_documented():
    docs = "\n".join(p.read_text() for p in (ROOT / "docs").rglob("*.md"))
    parser = build_parser()
    rc = parser._subparsers._group_actions[0].choices["rc"]
    for name, sub in rc._subparsers._group_actions[0].choices.items():
        assert f"rc {name}" in docs
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert re.search(re.escape(option) + r"\b", docs), option


def test_benchmark_quick_mode_runs():
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_rc.py"), "--quick"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "ratio" in completed.stdout


@pytest.fixture
def negative_icc_answers(tmp_path):
    from tests.analysis.negative_icc import negative_icc_frame

    path = tmp_path / "negative-icc.csv"
    negative_icc_frame().to_csv(path, index=False)
    return path


def test_analyze_reports_a_negative_icc_as_zero_with_a_note(negative_icc_answers, capsys):
    from bridgework.analysis.reported import NEGATIVE_ICC_NOTE
    from tests.analysis.negative_icc import raw_forms

    assert main(["rc", "analyze", str(negative_icc_answers), "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    payload = json.loads(out)
    jsonschema.validate(payload, _schema("rc-analysis.schema.json"))
    reliability = payload["reliability"]
    assert reliability["icc1"] == 0
    assert reliability["icc2"] == 0
    assert reliability["icc_note"] == NEGATIVE_ICC_NOTE
    assert "raw" not in reliability
    assert main(["rc", "analyze", str(negative_icc_answers), "--raw-estimates"]) == 0
    raw = json.loads(capsys.readouterr().out)["reliability"]["raw"]
    assert raw["icc1"] < 0
    assert raw["icc2"] < -1
    # Without --raw-estimates the raw values are nowhere in the output.
    for value in raw.values():
        assert not any(form in out for form in raw_forms(value)), value


def test_analyze_html_and_xlsx_report_a_negative_icc_as_zero(negative_icc_answers, tmp_path):
    from bridgework.analysis.reported import NEGATIVE_ICC_NOTE

    html_path, xlsx_path = tmp_path / "r.html", tmp_path / "r.xlsx"
    assert main(["rc", "analyze", str(negative_icc_answers), "--html", str(html_path)]) == 0
    assert main(["rc", "analyze", str(negative_icc_answers), "--xlsx", str(xlsx_path)]) == 0
    assert NEGATIVE_ICC_NOTE in html_path.read_text()
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx_path)["Reliability"]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True)}
    assert rows["icc2"] == (0, NEGATIVE_ICC_NOTE)


def _analyze_json(answers, *extra):
    return ["rc", "analyze", str(answers), "--wave", "2025", "--seed", "3", "--bootstrap", "20",
            "--json", *extra]  # fmt: skip


def test_progress_shows_each_step_on_a_terminal_and_leaves_the_json_alone(
    answers, capsys, monkeypatch
):
    assert main(_analyze_json(answers, "--quiet")) == 0
    quiet = capsys.readouterr()
    assert quiet.err == ""
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert main(_analyze_json(answers)) == 0
    shown = capsys.readouterr()
    assert shown.out == quiet.out  # the JSON is byte for byte the same
    assert "rc analyze [" in shown.err
    for step in ("reading answers", "analysing", "writing", "done"):
        assert step in shown.err
    assert " 25% analysing" in shown.err  # a step starts where the one before it ends
    assert "100% done" in shown.err
    assert shown.err.endswith("\n")


def test_compare_shows_its_own_steps(answers, capsys, monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert main(["rc", "compare", str(answers), "--before", "2025", "--after", "2026",
                 "--bootstrap", "0", "--permutations", "10", "--seed", "1"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert "rc compare [" in captured.err
    assert "comparing" in captured.err
    json.loads(captured.out)


def test_no_progress_when_standard_error_is_not_a_terminal(answers, capsys):
    assert main(_analyze_json(answers)) == 0
    assert capsys.readouterr().err == ""


def test_quiet_shows_no_progress_even_on_a_terminal(answers, capsys, monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert main(_analyze_json(answers, "--quiet")) == 0
    assert "rc analyze [" not in capsys.readouterr().err


def test_progress_option_shows_it_when_not_a_terminal(answers, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["rc", "analyze", str(answers), "--wave", "2025", "--bootstrap", "0",
                 "--html", str(out), "--progress"]) == 0  # fmt: skip
    assert "100% done" in capsys.readouterr().err
    assert out.exists()


def test_progress_and_quiet_together_are_refused(answers):
    with pytest.raises(SystemExit) as exit_:
        main(_analyze_json(answers, "--quiet", "--progress"))
    assert exit_.value.code == 2


def test_problems_start_on_their_own_line_after_the_progress(tmp_path, capsys, monkeypatch):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "respondent_id,respondent_workgroup,target_workgroup,dimension,score\nr1,A,B,speedy,4\n"
    )
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert main(["rc", "analyze", str(bad)]) == 2
    lines = capsys.readouterr().err.split("\n")  # (not splitlines: the bar redraws with \r)
    assert "reading answers" in lines[0]
    assert lines[1].startswith("row 2, column dimension: unknown dimension 'speedy'")

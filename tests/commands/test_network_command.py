"""``bridgework network analyze``: outputs, the schema, invalid input, documented options."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from openpyxl import load_workbook

from bridgework.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads(
    resources.files("bridgework").joinpath("schemas/network-analysis.schema.json").read_text()
)


@pytest.fixture
def files(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text(
        "id,name,organisation,team\n"
        "a,Ann,Health,T1\nb,Bo,Health,T1\nc,Cy,Care,T2\nd,Di,Care,T2\ne,Ed,Housing,T3\n"
    )
    noms = tmp_path / "noms.csv"
    noms.write_text(
        "ego,alter,relation,weight\n"
        "a,b,works_with,4\nb,c,works_with,3\nc,d,works_with,5\nd,e,works_with,2\nb,a,trust,5\n"
    )
    return people, noms


def _run(capsys, *args):
    code = main(["network", "analyze", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_output_validates_against_the_schema(files, capsys):
    people, noms = files
    code, out, _ = _run(capsys, "--people", people, "--nominations", noms, "--json")
    assert code == 0
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert data["group_by"] == "organisation"
    assert {p["id"]: p["betweenness"] for p in data["people"]}["c"] == 4.0


def test_relation_and_group_by_options(files, capsys):
    people, noms = files
    code, out, _ = _run(
        capsys, "--people", people, "--nominations", noms,
        "--relation", "trust", "--group-by", "team", "--json",
    )  # fmt: skip
    data = json.loads(out)
    assert code == 0
    assert (data["relation"], data["group_by"], data["network"]["ties"]) == ("trust", "team", 1)


def test_summary_is_printed_without_an_output_option(files, capsys):
    people, noms = files
    code, out, _ = _run(capsys, "--people", people, "--nominations", noms)
    assert code == 0
    assert "people: 5" in out
    assert "roles:" in out


def test_xlsx_and_html_outputs(files, tmp_path, capsys):
    people, noms = files
    xlsx, page = tmp_path / "out.xlsx", tmp_path / "out.html"
    assert _run(capsys, "--people", people, "--nominations", noms, "--xlsx", xlsx)[0] == 0
    assert _run(capsys, "--people", people, "--nominations", noms, "--html", page)[0] == 0
    assert "People" in load_workbook(xlsx).sheetnames
    text = page.read_text()
    assert text.count("<caption>") >= 5
    assert '<th scope="col">' in text
    assert '<th scope="row">' in text
    assert '<html lang="en">' in text
    assert "<script" not in text
    assert "http" not in text


def test_invalid_input_prints_every_problem_and_writes_nothing(files, tmp_path, capsys):
    people, _ = files
    bad = tmp_path / "bad.csv"
    bad.write_text("ego,alter,weight\na,zz,1\nb,b,2\nc,d,-3\n")
    out_file = tmp_path / "out.html"
    code, _, err = _run(capsys, "--people", people, "--nominations", bad, "--html", out_file)
    assert code == 2
    assert err.splitlines() == [
        "row 2, column alter: no person with id zz (in the nominations file)",
        "row 3, column alter: b nominates themselves (in the nominations file)",
        "row 4, column weight: expected a positive number, not '-3' (in the nominations file)",
    ]
    assert not out_file.exists()


def test_unknown_group_by_column_is_invalid(files, capsys):
    people, noms = files
    code, _, err = _run(capsys, "--people", people, "--nominations", noms, "--group-by", "region")
    assert code == 2
    assert "column region" in err


def test_every_option_is_documented():
    parser = build_parser()
    network = parser._subparsers._group_actions[0].choices["network"]
    analyze = network._subparsers._group_actions[0].choices["analyze"]
    docs = (ROOT / "docs/cli/network.md").read_text()
    for action in analyze._actions:
        for option in action.option_strings:
            if option not in ("-h", "--help"):
                assert f"`{option}" in docs, option


def test_progress_shows_each_step_on_a_terminal_and_leaves_the_json_alone(
    files, capsys, monkeypatch
):
    people, noms = files
    _, quiet_out, quiet_err = _run(capsys, "--people", people, "--nominations", noms, "--json")
    assert quiet_err == ""  # standard error is not a terminal here: no progress
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    code, out, err = _run(capsys, "--people", people, "--nominations", noms, "--json")
    assert code == 0
    assert out == quiet_out
    jsonschema.validate(json.loads(out), SCHEMA)
    assert "network [" in err
    for step in ("reading people", "reading nominations", "analysing", "writing", "done"):
        assert step in err
    assert " 30% analysing" in err
    assert "100% done" in err


def test_quiet_shows_no_progress_even_on_a_terminal(files, capsys, monkeypatch):
    people, noms = files
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    code, out, err = _run(capsys, "--people", people, "--nominations", noms, "--quiet")
    assert code == 0
    assert "network [" not in err
    assert out.startswith("people: 5")


def test_summary_starts_after_the_progress_line_on_a_terminal(files, capsys, monkeypatch):
    people, noms = files
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    code, out, err = _run(capsys, "--people", people, "--nominations", noms)
    assert code == 0
    assert out.startswith("people: 5")
    assert err.endswith("\n")  # the bar's line is ended before the summary is printed


def test_progress_option_shows_it_when_writing_a_file(files, tmp_path, capsys):
    people, noms = files
    html = tmp_path / "n.html"
    code, _, err = _run(
        capsys, "--people", people, "--nominations", noms, "--html", html, "--progress"
    )
    assert code == 0
    assert "writing" in err
    assert "100% done" in err
    assert html.exists()


def test_problems_start_on_their_own_line_after_the_progress(files, capsys, monkeypatch):
    people, noms = files
    noms.write_text("ego,alter\na,zed\n")
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    code, _, err = _run(capsys, "--people", people, "--nominations", noms, "--json")
    assert code == 2
    lines = err.split("\n")  # (not splitlines: the bar redraws with \r)
    assert "reading nominations" in lines[0]
    assert "zed" in lines[1]

"""``bridgework pair``: outputs, the JSON contract, invalid input, documented options."""

from __future__ import annotations

import csv
import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from bridgework.cli import build_parser, main

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "p.csv").write_text(
        "id,organisation,team,workgroup,location,mode,priority\n"
        "ana,Child Welfare,Intake,case planners,Leeds,either,\n"
        "ben,Probation,North,probation officers,Leeds,in person,\n"
        "cy,Child Welfare,Intake,case planners,York,video,yes\n"
        "dee,Probation,South,probation officers,York,video,\n"
        "eve,Behavioral Health,Adults,therapists,Leeds,either,\n",
        encoding="utf-8",
    )
    (tmp_path / "h.csv").write_text("a,b,date\nana,ben,2025-05-01\n")
    (tmp_path / "x.csv").write_text("a,b\ncy,dee\n")
    (tmp_path / "t.csv").write_text("a,b,strength\nana,eve,1\n")
    (tmp_path / "rc.json").write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "rater": "case planners",
                        "target": "probation officers",
                        "rc": 2.0,
                        "band": "weak",
                        "suppressed": False,
                    }
                ]
            }
        )
    )
    (tmp_path / "policy.toml").write_text('[groups]\nodd = "sit-out"\n')
    return tmp_path


def _args(folder: Path, *extra: str) -> list[str]:
    return [
        "pair",
        "--participants",
        str(folder / "p.csv"),
        "--history",
        str(folder / "h.csv"),
        "--exclusions",
        str(folder / "x.csv"),
        "--ties",
        str(folder / "t.csv"),
        "--rc",
        str(folder / "rc.json"),
        "--round-date",
        "2025-06-02",
        "--seed",
        "5",
        *extra,
    ]


def test_json_output_follows_the_schema_and_the_rules(files, capsys):
    assert main(_args(files, "--json")) == 0
    data = json.loads(capsys.readouterr().out)
    schema = json.loads(
        resources.files("bridgework.schemas")
        .joinpath("pair.schema.json")
        .read_text(encoding="utf-8")
    )
    jsonschema.validate(data, schema)
    pairs = [set(m["members"]) for m in data["matches"]]
    assert {"ana", "ben"} not in pairs
    assert {"cy", "dee"} not in pairs
    assert data["seed"] == 5
    assert data["stats"]["participants"] == 5
    assert data["solver"] == "exact"


def test_same_seed_same_json(files, capsys):
    main(_args(files, "--json"))
    first = json.loads(capsys.readouterr().out)
    main(_args(files, "--json"))
    second = json.loads(capsys.readouterr().out)
    first["stats"].pop("seconds")
    second["stats"].pop("seconds")
    assert first == second


def test_odd_sit_out_and_holdout_from_options(files, capsys):
    assert (
        main(
            _args(
                files,
                "--json",
                "--odd",
                "sit-out",
                "--holdout-share",
                "0.2",
                "--no-repeat-days",
                "10",
                "--solver",
                "scalable",
            )
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert len(data["holdout"]) == 1
    assert all(len(m["members"]) == 2 for m in data["matches"])
    assert data["solver"] == "scalable"


def test_policy_file_is_applied(files, capsys):
    assert main(_args(files, "--json", "--policy", str(files / "policy.toml"))) == 0
    data = json.loads(capsys.readouterr().out)
    assert all(len(m["members"]) == 2 for m in data["matches"])


def test_csv_output_and_text_summary(files, capsys):
    out = files / "out.csv"
    assert main(_args(files, "--out", str(out))) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert sorted(r["id"] for r in rows) == ["ana", "ben", "cy", "dee", "eve"]
    assert main(_args(files)) == 0
    text = capsys.readouterr().out
    assert "total score" in text
    assert "first meeting" in text


def test_invalid_inputs_exit_2_with_every_problem_and_write_nothing(files, capsys):
    (files / "h.csv").write_text("a,b,date\nana,zed,yesterday\n")
    (files / "policy.toml").write_text("[groups]\nodd = 'quartet'\n")
    out = files / "out.csv"
    status = main(_args(files, "--out", str(out), "--policy", str(files / "policy.toml")))
    assert status == 2
    assert not out.exists()
    errors = capsys.readouterr().err.splitlines()
    assert f"{files / 'h.csv'}: row 2, column b: 'zed' is not a participant" in errors
    assert f"{files / 'h.csv'}: row 2, column date: date must be YYYY-MM-DD" in errors
    assert any("column groups.odd" in line for line in errors)


def test_bad_round_date_is_an_input_error(files, capsys):
    assert main([*_args(files)[:-4], "--round-date", "02/06/2025"]) == 2
    assert "--round-date" in capsys.readouterr().err


def test_progress_bar_goes_to_standard_error_on_request(files, capsys):
    assert main(_args(files, "--json", "--progress")) == 0
    captured = capsys.readouterr()
    assert "pairing [" in captured.err
    assert "100%" in captured.err
    json.loads(captured.out)


def test_progress_names_each_step_of_the_whole_run(files, capsys):
    assert main(_args(files, "--json", "--progress")) == 0
    err = capsys.readouterr().err
    for step in ("reading participants", "reading history", "solve", "check", "write", "done"):
        assert step in err


def test_quiet_shows_no_progress_even_on_a_terminal(files, capsys, monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert main(_args(files, "--json", "--quiet")) == 0
    assert "pairing [" not in capsys.readouterr().err


def test_every_option_is_documented():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    options = {o for action in subparsers.choices["pair"]._actions for o in action.option_strings}
    text = (DOCS / "cli" / "pair.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"--[a-z0-9-]+", text))
    assert options - {"-h", "--help"} <= documented


@pytest.mark.parametrize("share", ["0.6", "-0.1", "nan"])
def test_holdout_share_above_a_half_is_an_input_error(files, capsys, share):
    out = files / "out.csv"
    assert main(_args(files, "--out", str(out), "--holdout-share", share)) == 2
    assert "--holdout-share: must be between 0 and 0.5" in capsys.readouterr().err
    assert not out.exists()


def test_holdout_share_of_a_half_is_accepted(files, capsys):
    assert main(_args(files, "--json", "--holdout-share", "0.5", "--seed", "1")) == 0
    assert len(json.loads(capsys.readouterr().out)["holdout"]) in (2, 3)  # round(0.5 × 5)

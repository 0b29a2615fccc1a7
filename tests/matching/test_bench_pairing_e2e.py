"""The end-to-end pairing benchmark times every stage and compares with the named baseline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks.pairing_instance import write_instance

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_pairing_e2e.py"
STAGES = ("read", "validate", "compile", "cands", "solve", "check", "write")


def test_the_instance_has_the_shape_it_promises(tmp_path):
    paths = write_instance(tmp_path, 1_000, 3)
    people = paths["participants"].read_text().splitlines()
    history = paths["history"].read_text().splitlines()
    exclusions = paths["exclusions"].read_text().splitlines()
    assert len(people) - 1 == 1_000
    assert len(history) - 1 == 3 * 500  # three rounds pairing everyone
    assert len(exclusions) - 1 == 200
    organisations = [line.split(",")[1] for line in people[1:]]
    largest = max(organisations.count(o) for o in set(organisations))
    assert len(set(organisations)) == 8
    assert 0.28 < largest / 1_000 < 0.4
    assert write_instance(tmp_path / "again", 1_000, 3)["history"].read_bytes() == (
        paths["history"].read_bytes()
    )


@pytest.mark.slow
def test_one_run_times_every_stage_and_breaks_no_rule(tmp_path):
    write_instance(tmp_path, 3_000, 3)
    run = subprocess.run(
        [sys.executable, str(BENCH), "--child", "run:wall", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert all(figures[stage] >= 0 for stage in STAGES)
    assert sum(figures[stage] for stage in STAGES) <= figures["total"] + 1e-6
    assert figures["violations"] == 0
    assert figures["matched"] == 3_000
    baseline = subprocess.run(
        [sys.executable, str(BENCH), "--child", "pyarrow:cpu", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(baseline.stdout.strip().splitlines()[-1])["seconds"] > 0

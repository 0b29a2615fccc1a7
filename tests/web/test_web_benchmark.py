"""The web app's bulk-action benchmark runs end to end at a small size, every step."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STEPS = {
    "invitations + emails (job)": 200,
    "people import (job)": 200,
    "results page, cold (respondents)": 120,
    "results page, warm (respondents)": 120,
    "publish a round (participants)": 200,
    "round-publish job (participants)": 200,
    "round reminders (participants)": 200,
}


@pytest.mark.slow
def test_every_step_prints_its_time_against_its_baseline(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CACHE_URL")
        and not key.startswith("BENCH_")
    }
    env.update(BENCH_WEB_SIZES="200", BRIDGEWORK_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/bench_web.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for label, n in STEPS.items():
        row = re.search(
            rf"^{re.escape(label)}\s+{n:,}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", result.stdout, re.M
        )
        assert row, (label, result.stdout)
        # Printed rounded (a fast step may read 0.00): each figure is there and a number.
        assert all(float(figure) >= 0 for figure in row.groups())

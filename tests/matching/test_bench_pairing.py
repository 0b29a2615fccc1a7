"""The pairing benchmark runs end to end at its smoke size and prints its comparisons."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_pairing.py"


@pytest.mark.slow
def test_quick_benchmark_prints_every_comparison():
    run = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    out = run.stdout
    assert "scalable vs exact" in out
    assert "speed-up" in out
    assert "peak MB" in out
    assert "engine vs plain shuffle" in out
    assert "BELOW 97%" not in out
    assert "VIOLATIONS" not in out

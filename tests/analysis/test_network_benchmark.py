"""The network benchmark runs end to end at its smoke size."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_benchmark_quick_run_prints_times_and_ratio():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/bench_network.py"), "--quick", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "within 15 s" in result.stdout
    assert "ratio networkx / ours" in result.stdout

"""Faster pairing must not pair worse: the total score on fixed instances never drops.

The instances are generated deterministically (``benchmarks/pairing_instance.py``: 8
organisations of very unequal size, 12 workgroups, monthly history rounds, one excluded pair
per five people) and paired by ``bridgework pair --json --seed 7`` for 2 June 2025.

Where the floors come from: each is the ``total_score`` that ``bridgework pair`` printed on
that instance at commit c36cc9e (the last commit before the columnar readers and the faster
solver), recorded once by hand and written here; they are not recomputed in this run. The same
figures for 100,000 people (454,219.066) and 1,000,000 people (4,534,532.58), 12 rounds each,
are checked by ``benchmarks/bench_pairing_e2e.py``.
"""

from __future__ import annotations

import json

import pytest
from benchmarks.pairing_instance import ROUND_DATE, write_instance

from bridgework.cli import main

#: (people, past rounds) -> total score at commit c36cc9e, seed 7.
RECORDED = {
    (20_000, 3): 91_109.27,
    (20_000, 12): 91_054.909,
}


@pytest.mark.parametrize(("people", "rounds"), sorted(RECORDED))
def test_total_score_is_no_lower_than_recorded(tmp_path, capsys, people, rounds):
    paths = write_instance(tmp_path, people, rounds)
    status = main(
        [
            "pair",
            "--participants",
            str(paths["participants"]),
            "--history",
            str(paths["history"]),
            "--exclusions",
            str(paths["exclusions"]),
            "--rc",
            str(paths["rc"]),
            "--round-date",
            ROUND_DATE.isoformat(),
            "--seed",
            "7",
            "--json",
        ]
    )
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    assert result["stats"]["matched"] == people
    assert result["solver"] == "scalable"
    assert result["total_score"] >= RECORDED[(people, rounds)]

"""Builders shared by the pairing-engine tests: a round date, random programmes and a
hypothesis strategy for whole rounds."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import strategies as st

from bridgework.matching import Participant, PastMatch, Policy

ROUND = date(2025, 6, 2)


def programme(n: int, seed: int, *, agencies: int = 6) -> list[Participant]:
    """A random programme like a county's: agencies, teams, workgroups, towns, modes."""
    rng = np.random.default_rng(seed)
    people = []
    for i in range(n):
        mode = str(rng.choice(["either", "video", "in_person"], p=[0.6, 0.3, 0.1]))
        interests = frozenset(f"i{k}" for k in rng.choice(12, size=rng.integers(0, 3)))
        people.append(
            Participant(
                id=f"p{i:05d}",
                organisation=f"agency {rng.integers(agencies)}",
                team=f"team {rng.integers(4)}",
                workgroup=f"wg {rng.integers(6)}",
                location=f"town {rng.integers(3)}",
                time_zone=str(rng.choice(["Europe/London", "UTC+01:00", ""])),
                mode=mode,
                interests=interests,
            )
        )
    return people


@st.composite
def rounds(draw):
    n = draw(st.integers(2, 14))
    people = []
    for i in range(n):
        mode = draw(st.sampled_from(["either", "video", "in_person"]))
        people.append(
            Participant(
                id=f"p{i:02d}",
                organisation=draw(st.sampled_from(["A", "B", "C"])),
                team=draw(st.sampled_from(["t1", "t2"])),
                workgroup=draw(st.sampled_from(["w1", "w2", "w3"])),
                location=draw(st.sampled_from(["Leeds", "York"])),
                mode=mode,
                priority=draw(st.booleans()),
            )
        )
    ids = [p.id for p in people]
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda t: t[0] != t[1])
    exclusions = draw(st.lists(pairs, max_size=6))
    past = draw(st.lists(st.tuples(pairs, st.integers(1, 400)), max_size=8))
    history = [PastMatch(a, b, ROUND - timedelta(days=d)) for (a, b), d in past]
    policy = Policy(
        odd=draw(st.sampled_from(["trio", "sit_out"])),
        must_cross_organisation=draw(st.booleans()),
        holdout_share=draw(st.sampled_from([0.0, 0.0, 0.2])),
        group_size=draw(st.sampled_from([2, 2, 3])),
    )
    return people, exclusions, history, policy, draw(st.integers(0, 2**32))

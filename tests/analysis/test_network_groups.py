"""Group structure: density matrix, group E-I, share with no outside tie, isolates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bridgework.analysis.network_groups import group_structure
from bridgework.analysis.network_measures import build_tie_graph

IDS = ["a", "b", "c", "d", "e", "f"]
# Health = {a, b, c}, Care = {d, e}, f has no organisation.
CODES = np.array([1, 1, 1, 0, 0, -1])
NAMES = ("Care", "Health")


def _structure(arcs, respondent=None):
    noms = pd.DataFrame(
        {"ego": [a for a, _ in arcs], "alter": [b for _, b in arcs], "relation": "x", "weight": 1.0}
    )
    graph = build_tie_graph(IDS, noms)
    respondent = np.ones(len(IDS), bool) if respondent is None else np.asarray(respondent)
    return group_structure(graph, CODES, NAMES, attribute="organisation", respondent=respondent)


ARCS = [("a", "b"), ("b", "a"), ("b", "c"), ("c", "d"), ("e", "d"), ("f", "a")]


def test_density_matrix_is_ties_over_possible_ties():
    result = _structure(ARCS)
    # Care → Care: e → d, of 2·1 possible; Health → Care: c → d, of 3·2 possible.
    assert result.ties == ((1, 0), (1, 3))
    assert result.density[0] == (pytest.approx(0.5), pytest.approx(0.0))
    assert result.density[1] == (pytest.approx(1 / 6), pytest.approx(0.5))
    assert result.ungrouped == 1


def test_group_ei_and_outside_ties_use_contacts():
    health = _structure(ARCS).summaries[1]
    # Health contacts: a–b, b–c inside (I = 2); c–d outside (E = 1); f has no group.
    assert health.ei_index == pytest.approx((1 - 2) / 3)
    # Only c has a contact outside Health.
    assert health.share_no_outside_tie == pytest.approx(2 / 3)
    assert (health.ties_within, health.ties_out, health.ties_in) == (3, 1, 0)
    assert health.density_within == pytest.approx(3 / 6)


def test_isolates_and_respondents_are_counted_per_group():
    result = _structure([("a", "b")], respondent=[1, 0, 0, 1, 1, 0])
    care, health = result.summaries
    assert (care.isolates, health.isolates) == (2, 1)
    assert (care.respondents, health.respondents) == (2, 1)
    assert health.response_rate == pytest.approx(1 / 3)
    assert care.ei_index is None  # no contacts at all


def test_group_output_names_no_person():
    text = str(_structure(ARCS).to_dict())
    for person in IDS:
        assert f"'{person}'" not in text

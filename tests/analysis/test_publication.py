"""The publication rule: repeated publications never differ by fewer than k respondents."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.analysis.privacy import Figure, Total, suppress
from bridgework.analysis.publication import WAITING, Published, publish

K = 3


def test_a_figure_waits_for_k_more_and_keeps_its_date():
    first = publish({}, {"c": _shown("c", 4, 3.0)}, min_group_size=K, as_of="d1")
    assert first["c"] == Published(4, {"rc": 3.0}, None, "d1")
    kept = publish(first, {"c": _shown("c", 6, 2.0)}, min_group_size=K, as_of="d2")
    assert kept["c"] == first["c"]
    renewed = publish(kept, {"c": _shown("c", 7, 2.5)}, min_group_size=K, as_of="d3")
    assert renewed["c"] == Published(7, {"rc": 2.5}, None, "d3")


def test_never_shown_figures_wait_with_a_reason():
    result = publish(
        {}, {"c": _shown("c", 2, None, "fewer than 3 respondents")}, min_group_size=K, as_of="d"
    )
    assert result["c"].values is None
    assert result["c"].reason == "fewer than 3 respondents"


def test_a_total_waits_while_a_part_moved_by_fewer_than_k():
    # Column total over cells a and b; b gains one person while a gains three.
    totals = [Total("t", ("a", "b"))]
    start = publish(
        {},
        {"a": _shown("a", 3, 1.0), "b": _shown("b", 3, 2.0), "t": _shown("t", 6, 1.5)},
        totals,
        min_group_size=K,
        as_of="d1",
    )
    later = publish(
        start,
        {"a": _shown("a", 6, 1.2), "b": _shown("b", 4, 2.2), "t": _shown("t", 10, 1.6)},
        totals,
        min_group_size=K,
        as_of="d2",
    )
    assert later["a"].as_of == "d2"
    assert later["b"] == start["b"]
    # t − 6·a(new) − 3·b(old) would be the fourth b person's answer alone.
    assert later["t"] == start["t"]


def test_final_figures_are_never_renewed_but_count():
    totals = [Total("change", ("cell", "before"))]
    previous = {"before": Published(5, {}, None, "old")}
    fresh = {
        "cell": _shown("cell", 5, 3.0),
        "before": _shown("before", 4, 0.0),  # one answer of the earlier wave was erased
        "change": _shown("change", 5, 0.5),
    }
    result = publish(previous, fresh, totals, min_group_size=K, as_of="d", final={"before"})
    assert "before" not in result
    assert result["change"].values is None
    assert result["change"].reason == WAITING.format(k=K)


def _shown(key, count, value, reason=None):
    figures = [Figure(key, count, {"rc": value} if value is not None else {})]
    shown = suppress(figures, min_group_size=K)[key]
    if value is None and not shown.suppressed:
        return shown.__class__(key, count, True, reason, None)
    return shown


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=12))
def test_differences_between_publications_rest_on_k_or_more(arrivals):
    # Two cells in one column with their total; people arrive in batches per cell.
    totals = [Total("t", ("a", "b"))]
    counts = {"a": 0, "b": 0}
    previous: dict = {}
    history = {"a": [], "b": [], "t": []}
    for step, (more_a, more_b) in enumerate(arrivals):
        counts["a"] += more_a
        counts["b"] += more_b
        figures = [
            Figure("a", counts["a"], {"rc": float(step)}),
            Figure("b", counts["b"], {"rc": float(step)}),
            Figure("t", counts["a"] + counts["b"], {"rc": float(step)}),
        ]
        fresh = suppress(figures, totals, min_group_size=K).figures
        current = publish(previous, fresh, totals, min_group_size=K, as_of=str(step))
        for key, record in current.items():
            if record.shown and (not history[key] or history[key][-1] != record.count):
                history[key].append(record.count)
            if key == "t" and record.shown and record.as_of == str(step):
                # What the total adds beyond its parts as known now: none, or k or more.
                unknown = 0
                for part in ("a", "b"):
                    part_record = current[part]
                    if part_record.as_of != str(step):
                        unknown += counts[part] - (part_record.count if part_record.shown else 0)
                assert unknown == 0 or unknown >= K, unknown
        previous = current
    for key, seen in history.items():
        steps = [later - earlier for earlier, later in pairwise(seen)]
        assert all(step >= K for step in steps), (key, seen)
        assert all(count >= K for count in seen), (key, seen)

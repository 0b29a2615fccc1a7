"""An ICC estimate below 0 is reported as 0 with a note (bridgework.analysis.reported)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgework.analysis.rc import RCSettings, analyze_rc
from bridgework.analysis.reported import NEGATIVE_ICC_NOTE, reported_icc
from tests.analysis.negative_icc import negative_icc_frame, raw_forms


@given(st.floats(allow_nan=False, allow_infinity=False, max_value=1.0))
def test_reported_icc_is_never_below_zero_and_notes_every_floor(raw):
    reported = reported_icc(raw)
    assert reported.value >= 0
    assert reported.raw == raw
    assert reported.floored == (raw < 0)
    assert (reported.note == NEGATIVE_ICC_NOTE) == (raw < 0)
    if raw >= 0:
        assert reported.value == raw


def test_reported_icc_keeps_not_available_and_minus_zero_prints_as_zero():
    assert reported_icc(None).value is None
    assert reported_icc(None).note is None
    assert str(reported_icc(-0.0).value) == "0.0"


@pytest.fixture(scope="module")
def analysis():
    return analyze_rc(negative_icc_frame(), settings=RCSettings(bootstrap=0, seed=1))


def test_the_dataset_gives_negative_estimates(analysis):
    assert analysis.reliability.icc1 < 0
    assert analysis.reliability.icc2 < -1  # ICC(2) far below 0, as a reader must never see


def test_analysis_json_reports_zero_with_the_note_and_keeps_raw_only_on_request(analysis):
    reliability = analysis.reliability
    reported = analysis.to_dict()["reliability"]
    assert reported["icc1"] == 0
    assert reported["icc2"] == 0
    assert reported["icc_note"] == NEGATIVE_ICC_NOTE
    assert "raw" not in reported
    text = str(analysis.to_dict())
    for raw in (reliability.icc1, reliability.icc2):
        assert not any(form in text for form in raw_forms(raw))
    asked = analysis.to_dict(raw=True)["reliability"]["raw"]
    assert asked == pytest.approx({"icc1": reliability.icc1, "icc2": reliability.icc2}, abs=1e-4)


def test_positive_estimates_are_reported_as_they_are_without_a_note():
    frame = negative_icc_frame()
    # Pharmacy now rates everything higher than Nurses do: a real difference between groups.
    frame.loc[frame["respondent_workgroup"] == "Pharmacy", "score"] = 5
    frame.loc[frame["respondent_workgroup"] == "Nurses", "score"] = frame["score"].clip(upper=3)
    analysis = analyze_rc(frame, settings=RCSettings(bootstrap=0, seed=1))
    reported = analysis.to_dict()["reliability"]
    assert analysis.reliability.icc1 > 0
    assert reported["icc1"] == pytest.approx(analysis.reliability.icc1, abs=1e-4)
    assert reported["icc_note"] is None

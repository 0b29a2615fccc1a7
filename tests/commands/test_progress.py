"""The progress bar long commands show on standard error."""

from __future__ import annotations

import argparse
import io

import pytest

from bridgework.commands._progress import ProgressBar, add_progress_options, progress_bar

STEPS = {"reading": 0.2, "working": 0.8, "writing": 1.0}


def _bar() -> tuple[ProgressBar, io.StringIO]:
    stream = io.StringIO()
    return ProgressBar(stream, label="job", steps=STEPS, width=10), stream


def test_a_step_starts_where_the_one_before_it_ends():
    bar, stream = _bar()
    bar.step("reading")
    bar.step("working")
    assert "job [----------]   0% reading" in stream.getvalue()
    assert "job [##--------]  20% working" in stream.getvalue()


def test_within_a_step_the_share_is_scaled_to_the_step():
    bar, stream = _bar()
    bar.within("working", 0.5, "halfway")
    assert "50% halfway" in stream.getvalue()
    bar.within("writing", 7.0)  # clamped to the step's end
    assert "100% writing" in stream.getvalue()
    assert stream.getvalue().endswith("\n")


def test_the_same_stage_is_redrawn_at_most_ten_times_a_second():
    bar, stream = _bar()
    bar.within("working", 0.1)
    bar.within("working", 0.2)
    assert stream.getvalue().count("\r") == 1


def test_done_is_shown_once():
    bar, stream = _bar()
    bar.done()
    bar.done()
    assert stream.getvalue().count("done") == 1


def test_abandon_ends_a_started_line_only():
    bar, stream = _bar()
    bar.abandon()
    assert stream.getvalue() == ""
    bar.step("reading")
    bar.abandon()
    assert stream.getvalue().endswith("\n")


@pytest.mark.parametrize(
    ("argv", "tty", "shown"),
    [
        ([], True, True),
        ([], False, False),
        (["--quiet"], True, False),
        (["--progress"], False, True),
    ],
)
def test_shown_on_a_terminal_or_on_request_never_with_quiet(monkeypatch, argv, tty, shown):
    parser = argparse.ArgumentParser()
    add_progress_options(parser)
    monkeypatch.setattr("sys.stderr.isatty", lambda: tty)
    assert (progress_bar(parser.parse_args(argv), "job", STEPS) is not None) is shown

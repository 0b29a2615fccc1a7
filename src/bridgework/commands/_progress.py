"""Progress of a long command on standard error: the stage and the share of the whole run done.

A command lists its steps with the share of the run each one ends at, adds ``--progress`` and
``--quiet`` with :func:`add_progress_options`, and asks :func:`progress_bar` for a bar: ``None``
with ``--quiet``, or when standard error is not a terminal and ``--progress`` was not given, so
piped and logged runs stay clean. Standard output is never touched.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from typing import TextIO

__all__ = ["ProgressBar", "add_progress_options", "progress_bar"]


def add_progress_options(parser: argparse.ArgumentParser) -> None:
    """Add the mutually exclusive ``--progress`` and ``--quiet`` options to ``parser``."""
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument(
        "--progress",
        action="store_true",
        help="show progress on standard error even when it is not a terminal",
    )
    shown.add_argument(
        "--quiet",
        action="store_true",
        help="show no progress, even on a terminal",
    )


def progress_bar(
    args: argparse.Namespace, label: str, steps: Mapping[str, float]
) -> ProgressBar | None:
    """The bar to report on, or ``None`` when no progress is to be shown.

    Shown on a terminal unless ``--quiet``; shown anywhere with ``--progress``.
    """
    quiet = getattr(args, "quiet", False)
    forced = getattr(args, "progress", False)
    if quiet or not (forced or sys.stderr.isatty()):
        return None
    return ProgressBar(sys.stderr, label=label, steps=steps)


class ProgressBar:
    """A dependency-free progress bar on a text stream, redrawn at most ten times a second.

    ``steps`` maps each step's name, in run order, to the share of the whole run (0 to 1) it
    ends at; a step starts where the one before it ends.
    """

    def __init__(
        self, stream: TextIO, *, label: str, steps: Mapping[str, float], width: int = 30
    ) -> None:
        self.stream = stream
        self.label = label
        self.steps = dict(steps)
        self.width = width
        self.last = 0.0
        self.stage = ""
        self.shown = False
        self.finished = False

    def _start(self, name: str) -> float:
        names = list(self.steps)
        index = names.index(name)
        return self.steps[names[index - 1]] if index else 0.0

    def step(self, name: str) -> None:
        """Show that step ``name`` (a key of ``steps``) starts."""
        self(name, self._start(name))

    def within(self, name: str, fraction: float, stage: str | None = None) -> None:
        """Show ``fraction`` (0 to 1) of step ``name`` done, as ``stage`` (default the step)."""
        start, end = self._start(name), self.steps[name]
        fraction = min(max(fraction, 0.0), 1.0)
        self(stage or name, start + (end - start) * fraction)

    def done(self, stage: str = "done") -> None:
        """Show the run done (once: a later call does nothing), ending the bar's line.

        Called before a result is printed on standard output, so a terminal showing both does
        not mix the result into the bar's line.
        """
        if not self.finished:
            self.finished = True
            self(stage, 1.0)

    def abandon(self) -> None:
        """End the bar's line when the run stops early (bad input), so messages start afresh."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False

    def __call__(self, stage: str, fraction: float) -> None:
        now = time.monotonic()
        if fraction < 1.0 and stage == self.stage and now - self.last < 0.1:
            return  # a new stage is always shown; the same one at most ten times a second
        self.last, self.stage = now, stage
        filled = round(fraction * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {fraction:4.0%} {stage:<20}")
        self.stream.flush()
        self.shown = True
        if fraction >= 1.0:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False

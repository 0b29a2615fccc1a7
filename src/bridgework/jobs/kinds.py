"""What each kind of job is: registered by the app that owns the action, in its ``jobs.py``.

A kind either works in batches (``remaining`` and ``batch``: each batch is one transaction
the runner commits with the job's progress, and a batch must skip what earlier batches did,
which is what makes a stopped job resumable) or all at once (``apply``: one transaction, for
an action that must be all-or-nothing, such as a people import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bridgework.directory.models import Network, Role

__all__ = ["JobKind", "JobRefusedError", "for_coordinators", "kind_for", "register", "registered"]


class JobRefusedError(Exception):
    """The action cannot run (a closed wave, a file that no longer fits): its message is
    shown to the coordinator as it is, so it says what and why in plain words."""


def _nothing(_: Any) -> None:
    return None


def _any_member(_: Any) -> str:
    return Role.ANALYST


def for_coordinators(_: Any) -> str:
    """The ``role`` of a kind that works for a coordinators' page (an import's preview)."""
    return Role.COORDINATOR


@dataclass(frozen=True)
class JobKind:
    """One kind of bulk action.

    Parameters
    ----------
    name
        Stored on the job (``rc-invitations``).
    title
        The progress page's heading (``Sending invitations``).
    progress, outcome, waiting
        Whole sentences, each an ``ngettext_lazy`` choosing its form by ``count``: the
        progress ("Sent %(done)s of %(total)s invitations", counted by the total), the
        outcome of a batched kind ("Sent %(done)s invitations.", counted by what was done)
        and the words of a queued job ("Waiting to start: %(total)s invitations to go.").
        Fill them in with :meth:`say`.
    load
        The target from its network and id; raises ``DoesNotExist`` for a foreign id.
    back
        ``(url, label)`` of the target's page, which links back to its latest job.
    remaining
        How many rows are left to do (for an all-at-once kind: how many it covers, counted
        in the worker when the job starts running).
    batch
        For batched kinds: do up to ``n`` rows (returns how many it did; 0 when none are
        left), skipping what earlier batches did.
    carry
        For a batched kind whose batches pass something on within one run (how far they
        have read, so the next need not read it again): makes it, fresh for each run, and
        ``batch`` is then called as ``batch(target, n, carried)``. A resumed run starts
        with a fresh one, so it must only save work, never decide what is done.
    apply
        For all-at-once kinds: do everything; returns ``(done, outcome, data)``.
    check
        Raise :class:`JobRefusedError` (or one of ``refusals``) when the action cannot start.
    working, working_total
        What an all-at-once kind says while it runs (``Checking and importing the file…``,
        and with its size once counted: ``Checking the file: %(total)s rows``, an
        ``ngettext_lazy`` by ``count``): its progress cannot be counted row by row, as
        nothing is committed until the end.
    refusals
        Exception types whose message is safe and useful to show as the job's error.
    result
        For a kind that makes something to collect (a download): ``(url, label)`` the
        progress page offers once the job is done, or ``None`` when it is gone.
    atomic
        Whether an all-at-once kind's ``apply`` runs in one transaction (the default: it
        writes everything or nothing). A kind that only computes, for minutes, says
        ``False``: one long transaction would hold SQLite's write lock all that time.
    role
        The role a member needs to see a job on this target (stored on the job when it
        starts): the role of the page or download it works for, as its progress page names
        it. Every member by default.
    """

    name: str
    title: str
    progress: Any
    waiting: Any
    load: Callable[[Network, int], Any]
    back: Callable[[Any], tuple[str, str]]
    remaining: Callable[[Any], int]
    batch: Callable[..., int] | None = None
    carry: Callable[[], Any] | None = None
    apply: Callable[[Any], tuple[int, str, dict[str, Any]]] | None = None
    check: Callable[[Any], None] = _nothing
    outcome: Any = ""
    working: Any = ""
    working_total: Any = ""
    refusals: tuple[type[Exception], ...] = ()
    result: Callable[[Any], tuple[str, str] | None] | None = None
    atomic: bool = True
    role: Callable[[Any], str] = _any_member

    def __post_init__(self) -> None:
        if (self.batch is None) == (self.apply is None):
            raise ValueError(f"job kind {self.name} needs either batch or apply")
        if self.batch is not None and not self.outcome:
            raise ValueError(f"batched job kind {self.name} needs its outcome sentence")
        if self.carry is not None and self.batch is None:
            raise ValueError(f"job kind {self.name} carries from batch to batch: it needs batch")

    @staticmethod
    def say(sentence: Any, *, count: int, **values: str) -> str:
        """One of the kind's sentences in the current language, its form chosen by ``count``
        and its ``%(name)s`` placeholders filled from ``values``."""
        return str(sentence % {"count": count, **values})


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Make a kind known (idempotent for the same name and definition)."""
    _KINDS[kind.name] = kind
    return kind


def kind_for(name: str) -> JobKind:
    """The registered kind called ``name``; ``KeyError`` if none."""
    return _KINDS[name]


def registered() -> dict[str, JobKind]:
    return dict(_KINDS)

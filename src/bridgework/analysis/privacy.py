"""Minimum-group-size suppression, shared by every output path.

Respondents to a Bridgework survey are confidential: coordinators see aggregates, never one
person's answers. Every figure a page, export, API or command shows therefore passes through
:func:`suppress` first, which hides

* **small figures** — any figure resting on fewer respondents than the minimum group size
  (default 5, never below 3 — :data:`ABSOLUTE_MINIMUM`): its values become ``None`` and it is
  marked suppressed with the reason;
* **differenced figures** — live figures (a survey still open, feedback still coming in)
  seen before and after one new answer would give that answer away by subtraction, whatever
  the group sizes. :func:`stable_release` says when figures may move at all: only once the
  respondents behind them have grown by at least the minimum group size since they were last
  shown, so consecutive views always differ by the answers of at least that many people;
* **derivable figures** — where a visible *total* (an average or sum over *parts*, e.g. "RC
  given by a workgroup" over its row of cells) and all but one of its parts are visible, the
  hidden part could be recovered by subtraction. The pass then hides one more part (the one
  resting on the fewest respondents) or, when no part is left to hide, the total itself. The
  same applies when several parts are hidden but together rest on fewer respondents than the
  minimum: their combined value would still be a figure about too few people.

The module is general: figures are keyed by any hashable labels (``("nurses", "pharmacy")``
for an RC cell, ``("org", 12)`` for a network-group figure), carry a respondent count and a
mapping of values, and totals name their parts by key. Results are frozen dataclasses.
:func:`check_suppression` is the validator beside the solver: it reports every way a result
could still leak, and the tests and callers use it.

References
----------
Duncan, G. T., Elliot, M. & Salazar-González, J.-J. (2011). *Statistical Confidentiality:
Principles and Practice*. Springer. (Primary and secondary/complementary cell suppression.)
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = [
    "ABSOLUTE_MAXIMUM",
    "ABSOLUTE_MINIMUM",
    "DEFAULT_MIN_GROUP_SIZE",
    "MIN_GROUP_SIZE_MESSAGE",
    "Figure",
    "Shown",
    "SuppressionResult",
    "Total",
    "check_min_group_size",
    "check_suppression",
    "counts_to_hide",
    "enough_respondents",
    "min_group_size_in_force",
    "stable_release",
    "suppress",
]

#: Minimum group size used when a caller does not choose one.
DEFAULT_MIN_GROUP_SIZE = 5
#: No configuration may go below this: with two respondents each knows the other's answers.
ABSOLUTE_MINIMUM = 3
#: No configuration may go above this: beyond it almost every figure of a survey is hidden, which
#: is a typing slip rather than a privacy choice. The one bound of the setting, kept here, by the
#: model fields and forms of networks and waves, and by their database constraints.
ABSOLUTE_MAXIMUM = 100
MIN_GROUP_SIZE_MESSAGE = (
    f"The minimum group size must be a whole number from {ABSOLUTE_MINIMUM} to {ABSOLUTE_MAXIMUM}."
)

_REASON_EMPTY = "no respondents"
_REASON_SMALL = "fewer than {k} respondents"
_REASON_PART = "hidden so that a suppressed figure cannot be derived from {total} by subtraction"
_REASON_TOTAL = "hidden so that a suppressed figure cannot be derived from it by subtraction"


def check_min_group_size(min_group_size: int) -> int:
    """Validate a minimum group size and return it.

    Parameters
    ----------
    min_group_size : int
        Smallest number of respondents behind any figure shown.

    Returns
    -------
    int
        The same value.

    Raises
    ------
    ValueError
        When it is below :data:`ABSOLUTE_MINIMUM` (3), above :data:`ABSOLUTE_MAXIMUM` (100)
        or not an integer.

    Examples
    --------
    >>> check_min_group_size(5)
    5
    """
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int):
        raise ValueError(f"minimum group size must be an integer, not {min_group_size!r}")
    if min_group_size < ABSOLUTE_MINIMUM:
        raise ValueError(
            f"minimum group size must be at least {ABSOLUTE_MINIMUM}, not {min_group_size}"
        )
    if min_group_size > ABSOLUTE_MAXIMUM:
        raise ValueError(
            f"minimum group size must be at most {ABSOLUTE_MAXIMUM}, not {min_group_size}"
        )
    return min_group_size


def min_group_size_in_force(*sizes: int | None) -> int:
    """The minimum group size a figure obeys: the largest of every level's own (network,
    wave, programme), so a wave can ask for more privacy than its network, never less.

    Every page, export, command and API path asks this function, so no path can apply a
    smaller minimum than another. Levels that set nothing (``None``) are skipped; with none
    set at all the default applies.

    Parameters
    ----------
    *sizes : int or None
        The minimum group sizes of the levels the figure belongs to.

    Returns
    -------
    int
        The largest of them, validated by :func:`check_min_group_size`.

    Examples
    --------
    >>> min_group_size_in_force(5, 8)
    8
    >>> min_group_size_in_force(None, 6)
    6
    >>> min_group_size_in_force()
    5
    """
    chosen = [check_min_group_size(size) for size in sizes if size is not None]
    return max(chosen, default=DEFAULT_MIN_GROUP_SIZE)


def enough_respondents(count: int, *, min_group_size: int) -> bool:
    """Whether a fact about the answers as a whole may be shown when ``count`` people gave
    them: which relations were named at all, whether anyone gave an energy rating, how many
    ties there are. Said of fewer than the minimum group size, it is said of those few
    people (of one, when one person has answered). Counts of *who* answered are not such
    facts: the progress pages show them.

    Examples
    --------
    >>> enough_respondents(2, min_group_size=3)
    False
    >>> enough_respondents(3, min_group_size=3)
    True
    """
    return count >= check_min_group_size(min_group_size)


def counts_to_hide(
    counts: Mapping[Hashable, int],
    *,
    min_group_size: int,
    sizes: Mapping[Hashable, int] | None = None,
) -> set[Hashable]:
    """Groups whose count may not be shown beside the overall count.

    Counts under the minimum group size are hidden, and then (greedily, smallest first) more,
    until at least two are hidden and they hold at least the minimum between them: otherwise
    the overall count minus the shown ones would give a hidden count back. Unlike
    :func:`suppress`, which ignores empty parts as "nothing to derive about nobody", a count of
    0 is protected too: "nobody in this small organisation answered" is the fact to protect.

    With ``sizes`` (how many people each group has), the hidden groups must also hold at least
    the minimum of people *not* counted: hidden groups that everyone answered would still give
    away that each of their people did. (Unless everyone everywhere is counted, which the
    overall count says anyway.)

    Examples
    --------
    >>> sorted(counts_to_hide({"a": 2, "b": 9, "c": 7}, min_group_size=5))
    ['a', 'c']
    >>> counts_to_hide({"a": 6, "b": 9}, min_group_size=5)
    set()

    Both of "a"'s two answered, and all six of "b": hiding those two would still say that
    everyone in them answered, so the pool takes in "c", where five did not.

    >>> sorted(counts_to_hide({"a": 2, "b": 6, "c": 7, "d": 9}, min_group_size=3,
    ...                       sizes={"a": 2, "b": 6, "c": 12, "d": 9}))
    ['a', 'b', 'c']
    """
    k = check_min_group_size(min_group_size)
    if sizes is not None and sum(counts.values()) == sum(sizes[name] for name in counts):
        sizes = None  # everyone answered: the overall count says so, whatever is hidden
    hidden = {name for name, n in counts.items() if n < k}
    spare = sorted(
        (
            (n, position, name)
            for position, (name, n) in enumerate(counts.items())
            if name not in hidden
        ),
    )

    def exposed() -> bool:
        if len(hidden) < 2 or sum(counts[h] for h in hidden) < k:
            return True
        return sizes is not None and sum(sizes[h] - counts[h] for h in hidden) < k

    while hidden and spare and exposed():
        hidden.add(spare.pop(0)[2])
    return hidden


def _as_groups(
    respondents: Mapping[Hashable, Collection[Hashable]] | Collection[Hashable] | None,
) -> dict[Hashable, frozenset]:
    if respondents is None:
        return {}
    if isinstance(respondents, Mapping):
        return {key: frozenset(ids) for key, ids in respondents.items()}
    return {None: frozenset(respondents)}


def stable_release(
    previous: Mapping[Hashable, Collection[Hashable]] | Collection[Hashable] | None,
    current: Mapping[Hashable, Collection[Hashable]] | Collection[Hashable],
    *,
    min_group_size: int,
) -> bool:
    """Whether live figures may move from the respondents they were last shown over
    (``previous``) to those behind them now (``current``).

    Figures that follow every new answer give it away: the view after it minus the view
    before it is that one person's answer. So a page keeps showing the figures it last
    released — computed from answers frozen at that moment — and releases new ones only when
    this function says so: when every figure whose respondents changed has gained at least
    ``min_group_size`` new ones, or rested before on fewer than that (and so showed nothing).
    Consecutive releases then differ by the answers of at least that many people, and answers
    changed in between are mixed in with theirs. A figure that only lost respondents waits for
    new ones, since the difference would be the answers of those who left.

    Parameters
    ----------
    previous : mapping of figure key to respondent ids, a collection of ids, or None
        The respondents behind each figure at the last release; ``None`` when nothing has
        been released yet. A plain collection is one figure.
    current : the same shape
        The respondents behind each figure now.
    min_group_size : int
        Validated by :func:`check_min_group_size`.

    Returns
    -------
    bool
        True when the figures may be recomputed from the answers as they stand now.

    Examples
    --------
    >>> stable_release(None, {"a"}, min_group_size=3)
    True
    >>> stable_release({"a", "b", "c"}, {"a", "b", "c", "d"}, min_group_size=3)
    False
    >>> stable_release({"a", "b", "c"}, set("abcdef"), min_group_size=3)
    True
    >>> stable_release({"a"}, {"a", "b"}, min_group_size=3)  # nothing was shown over one
    True

    Several figures: each that changed must have grown by the minimum.

    >>> before = {"matched": set("abcde"), "held": set("vwxyz")}
    >>> stable_release(before, {"matched": set("abcdefghij"), "held": set("vwxyz")},
    ...                min_group_size=5)
    True
    >>> stable_release(before, {"matched": set("abcdefghij"), "held": set("uvwxyz")},
    ...                min_group_size=5)
    False

    Notes
    -----
    O(total respondents). The rule is the release schedule of Duncan, Elliot &
    Salazar-González's "differencing" attack turned around: the smallest difference between two
    published tables is held at the minimum group size.
    """
    k = check_min_group_size(min_group_size)
    before, now = _as_groups(previous), _as_groups(current)
    if previous is None:
        return True
    changed = False
    for key in before.keys() | now.keys():
        old, new = before.get(key, frozenset()), now.get(key, frozenset())
        if old == new:
            continue
        changed = True
        if len(old) >= k and len(new - old) < k:
            return False
    return changed


@dataclass(frozen=True)
class Figure:
    """A figure before suppression: its key, the respondents it rests on, and its values.

    ``hidden`` is a reason when the figure is already suppressed by an earlier pass (e.g. a
    wave comparison hiding a cell that either wave hid); it then counts as hidden here too.
    """

    key: Hashable
    count: int
    values: Mapping[str, Any] = field(default_factory=dict)
    hidden: str | None = None


@dataclass(frozen=True)
class Total:
    """A figure (``key``) that is an aggregate of other figures (``parts``).

    ``disjoint`` says whether different parts rest on different respondents (a column of an
    RC matrix: raters of different workgroups) or may share them (a row: the same raters rate
    every target). It decides how many respondents a combination of hidden parts rests on:
    the sum of their counts when disjoint, only the largest when not (a safe lower bound).
    ``label`` names the total in reasons ("RC received by Nurses"); the key is used otherwise.
    ``keep_parts`` hides the total itself, never a further part, when a hidden part could be
    derived from it (a network-wide count beside the organisations' own: the organisations'
    figures matter more than the overall one).
    """

    key: Hashable
    parts: tuple[Hashable, ...]
    disjoint: bool = True
    label: str | None = None
    keep_parts: bool = False


@dataclass(frozen=True)
class Shown:
    """A figure after suppression: ``values`` is ``None`` when ``suppressed``."""

    key: Hashable
    count: int
    suppressed: bool
    reason: str | None
    values: Mapping[str, Any] | None


@dataclass(frozen=True)
class SuppressionResult:
    """Every figure after the pass, by key, and the minimum group size applied."""

    figures: Mapping[Hashable, Shown]
    min_group_size: int

    def __getitem__(self, key: Hashable) -> Shown:
        return self.figures[key]

    def visible(self, key: Hashable) -> bool:
        """Whether the figure ``key`` may be shown."""
        return not self.figures[key].suppressed


def _residue_count(hidden: list[Shown], disjoint: bool) -> int:
    counts = [shown.count for shown in hidden]
    return sum(counts) if disjoint else max(counts)


def _leaking_parts(total: Total, state: Mapping[Hashable, Shown], k: int) -> list[Shown] | None:
    """Hidden non-empty parts of a visible total that could be derived, else ``None``."""
    if state[total.key].suppressed:
        return None
    parts = [state[key] for key in total.parts if state[key].count > 0]
    hidden = [shown for shown in parts if shown.suppressed]
    if not hidden:
        return None
    if len(hidden) == 1 or _residue_count(hidden, total.disjoint) < k:
        return hidden
    return None


def suppress(
    figures: Iterable[Figure],
    totals: Iterable[Total] = (),
    *,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> SuppressionResult:
    """Hide small figures and the figures that would let them be derived by subtraction.

    Parameters
    ----------
    figures : iterable of Figure
        Every figure to be shown, totals included, with unique keys.
    totals : iterable of Total
        Which figures are aggregates of which others. Parts with a count of 0 are ignored
        (there is nothing to derive about nobody).
    min_group_size : int, default 5
        Smallest count a figure may rest on; validated by :func:`check_min_group_size`.

    Returns
    -------
    SuppressionResult
        Each figure with ``suppressed``, the ``reason`` and ``values`` (``None`` if hidden).

    Examples
    --------
    A total over three cells, one of them small: hiding only that one would leak it, so the
    next smallest cell is hidden too.

    >>> cells = [Figure("a", 2, {"rc": 3.0}), Figure("b", 6, {"rc": 4.0}),
    ...          Figure("c", 9, {"rc": 4.5}), Figure("all", 17, {"rc": 4.1})]
    >>> result = suppress(cells, [Total("all", ("a", "b", "c"))], min_group_size=5)
    >>> [key for key, shown in result.figures.items() if shown.suppressed]
    ['a', 'b']
    >>> result["b"].reason
    'hidden so that a suppressed figure cannot be derived from all by subtraction'

    With ``keep_parts`` the total goes instead:

    >>> result = suppress(cells, [Total("all", ("a", "b", "c"), keep_parts=True)])
    >>> [key for key, shown in result.figures.items() if shown.suppressed]
    ['a', 'all']

    Notes
    -----
    Complementary suppression by the greedy rule "hide the smallest visible part" is not the
    minimum-loss solution (that is an integer programme), but it is deterministic, never
    leaves a total with a single hidden part or an under-sized residue, and runs in
    O(T · P · H) for T totals of at most P parts and H figures hidden by the pass.
    Ties between equally small parts are broken by the parts' order in the total.
    """
    k = check_min_group_size(min_group_size)
    state: dict[Hashable, Shown] = {}
    for figure in figures:
        if figure.key in state:
            raise ValueError(f"figure {figure.key!r} appears twice")
        if figure.count < 0:
            raise ValueError(f"figure {figure.key!r} has a negative count")
        small = figure.count < k
        reason = (
            (_REASON_EMPTY if figure.count == 0 else _REASON_SMALL.format(k=k)) if small else None
        )
        if not small and figure.hidden is not None:
            small, reason = True, figure.hidden
        values = None if small else MappingProxyType(dict(figure.values))
        state[figure.key] = Shown(figure.key, figure.count, small, reason, values)
    total_list = list(totals)
    for total in total_list:
        for key in (total.key, *total.parts):
            if key not in state:
                raise ValueError(f"total {total.key!r} refers to unknown figure {key!r}")

    changed = True
    while changed:
        changed = False
        for total in total_list:
            if _leaking_parts(total, state, k) is None:
                continue
            candidates = [
                state[key]
                for key in total.parts
                if state[key].count > 0 and not state[key].suppressed
            ]
            if candidates and not total.keep_parts:
                target = min(candidates, key=lambda shown: shown.count)
                reason = _REASON_PART.format(total=total.label or _describe(total.key))
            else:
                target = state[total.key]
                reason = _REASON_TOTAL
            state[target.key] = Shown(target.key, target.count, True, reason, None)
            changed = True
    return SuppressionResult(MappingProxyType(state), k)


def _describe(key: Hashable) -> str:
    if isinstance(key, tuple):
        return " ".join(str(part) for part in key)
    return str(key)


def check_suppression(result: SuppressionResult, totals: Iterable[Total] = ()) -> list[str]:
    """Every way ``result`` could still reveal a figure about too few respondents.

    Parameters
    ----------
    result : SuppressionResult
        Output of :func:`suppress` (or any hand-made equivalent).
    totals : iterable of Total
        The same totals that were passed to :func:`suppress`.

    Returns
    -------
    list of str
        Empty when nothing leaks; otherwise one description per problem.

    Examples
    --------
    >>> result = suppress([Figure("a", 2, {"x": 1.0}), Figure("t", 9, {"x": 2.0})])
    >>> check_suppression(result, [Total("t", ("a",))])
    ['total t is visible while a can be derived from it']
    >>> check_suppression(suppress([Figure("a", 2), Figure("t", 9)], [Total("t", ("a",))]),
    ...                   [Total("t", ("a",))])
    []
    """
    k = result.min_group_size
    problems = []
    for key, shown in result.figures.items():
        if shown.count < k and not shown.suppressed:
            problems.append(f"{_describe(key)} rests on {shown.count} respondents but is shown")
        if shown.suppressed and shown.values is not None:
            problems.append(f"{_describe(key)} is suppressed but still carries values")
    for total in totals:
        hidden = _leaking_parts(total, result.figures, k)
        if hidden is not None:
            names = ", ".join(_describe(shown.key) for shown in hidden)
            problems.append(
                f"total {_describe(total.key)} is visible while {names} can be derived from it"
            )
    return problems

"""An insider adversary: a coordinator or analyst who reads every figure after every answer
and knows who has just answered (they asked a colleague, or watched them do it).

Two kinds of attack are modelled.

* **Differencing.** :class:`Differencer` keeps, for every figure it is shown, the value last
  seen and the view from which it has been showing. When a figure changes, the change is the
  effect of answers given since that view; the adversary knows whose. Fewer than the minimum
  group size of people between them, and the change is about them: a leak.
* **Subtraction of counts.** :func:`feasible_counts` enumerates every per-group count
  consistent with what a view shows (the total, the visible groups, each group's size);
  a hidden count that only one value fits, alone or across two views with one new
  respondent between them (:func:`joint_counts`), is given away.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field


def text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    fragment = re.sub(r"<script.*?</script>", " ", fragment, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def between(page: str, start: str, end: str) -> str | None:
    """The part of ``page`` after ``start`` up to the next ``end`` (``None`` without start)."""
    if start not in page:
        return None
    return page.split(start, 1)[1].split(end, 1)[0]


def json_script(page: str, element_id: str) -> dict:
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S
    )
    assert match, f"no {element_id} on the page"
    return json.loads(match.group(1))


def table_rows(fragment: str) -> list[list[str]]:
    """Every row of a table fragment as the texts of its header and data cells."""
    rows = []
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', fragment, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([text(c) for c in cells])
    return rows


@dataclass
class Differencer:
    """Watches figures view after view; ``leaks`` lists every change that fewer than
    ``min_group_size`` people's answers explain."""

    min_group_size: int
    events: list[frozenset] = field(default_factory=list)
    last: dict[Hashable, tuple[object, int]] = field(default_factory=dict)
    leaks: list[str] = field(default_factory=list)

    def answered(self, *people: Hashable) -> None:
        """Record that ``people`` answered (or changed an answer) since the last view."""
        self.events.append(frozenset(people))

    def view(self, figures: Mapping[Hashable, object]) -> None:
        """Record one view's figures (``None`` = hidden); check each change since last shown."""
        now = len(self.events)
        for key, value in figures.items():
            if value is None:
                continue
            if key not in self.last:
                self.last[key] = (value, now)
                continue
            old, since = self.last[key]
            if value == old:
                continue
            people = set().union(*self.events[since:now]) if now > since else set()
            if len(people) < self.min_group_size:
                self.leaks.append(
                    f"{key!r} changed from {old!r} to {value!r} after the answers of only "
                    f"{len(people)} people ({sorted(map(str, people))})"
                )
            self.last[key] = (value, now)


def feasible_counts(
    sizes: Mapping[str, int],
    shown: Mapping[str, int | None],
    total: int | None,
    at_least: Mapping[str, int] | None = None,
) -> set[tuple[int, ...]]:
    """Every vector of per-group counts (in ``sizes`` order) that fits a view: visible
    groups at their value, hidden ones anywhere from 0 (or what ``at_least`` says the page
    gives away, e.g. an organisation whose figures are shown) to their size, summing to
    ``total`` (when shown)."""
    names = list(sizes)
    floor = at_least or {}
    ranges = [
        [shown[n]] if shown.get(n) is not None else range(floor.get(n, 0), sizes[n] + 1)
        for n in names
    ]
    return {combo for combo in itertools.product(*ranges) if total is None or sum(combo) == total}


def determined(
    names: list[str], shown: Mapping[str, int | None], options: set[tuple], below: int
) -> list:
    """Hidden groups whose count every feasible vector agrees on, at a value under ``below``
    (a count of at least the minimum could have been shown anyway)."""
    found = []
    for i, name in enumerate(names):
        values = {combo[i] for combo in options}
        if shown.get(name) is None and len(values) == 1 and min(values) < below:
            found.append(name)
    return found


def joint_counts(before: set[tuple], after: set[tuple]) -> tuple[set[tuple], set[tuple]]:
    """The vectors of two views that fit each other when exactly one more person answered
    between them (or none, when the totals agree)."""
    fit_before, fit_after = set(), set()
    after_set = set(after)
    for combo in before:
        steps = [combo] + [
            tuple(c + (i == j) for j, c in enumerate(combo)) for i in range(len(combo))
        ]
        for step in steps:
            if step in after_set:
                fit_before.add(combo)
                fit_after.add(step)
    return fit_before, fit_after

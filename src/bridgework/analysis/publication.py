"""Publishing figures again and again without letting differences reveal one person.

Suppression (:mod:`bridgework.analysis.privacy`) makes *one* set of figures safe. Results that
are shown while a survey is still open (live results), or recomputed after answers change, are
seen many times, and whoever looks before and after one more answer can subtract: a cell
shown at ``n = 5`` and then at ``n = 6`` gives the sixth person's answers exactly. This module
is the rule every republication obeys; the figures it is applied to come out of the privacy
pass first.

**The rule.** Each figure has a *basis*: the number of respondents behind the values last
shown (0 when never shown). In a new publication a figure takes new values only when

1. the privacy pass shows it now, and
2. the number of respondents behind it differs from its basis by at least the minimum group
   size ``k`` (it has grown by ``k`` or more), and
3. for every total it is (a mean over parts), subtracting what is already known about its
   parts cannot isolate fewer than ``k`` respondents: each part not renewed in the same
   publication contributes the respondents it gained or lost since its own basis, and
   together (summed for parts on disjoint respondents, the largest for parts sharing them)
   they must be none or at least ``k``.

Otherwise it keeps the values, ``n`` and date it was last shown with ("as of"), or stays
hidden if it never was. Values once shown are remembered by whoever saw them, so they stay
shown: hiding them again would protect nothing, and condition 3 treats them as known. Figures
marked *final* (another wave's published figures) are never renewed but take part in
condition 3 with their published basis.

Every difference between two publications of a figure therefore rests on at least ``k``
respondents, and so does what is left of a total once its known parts are subtracted.

References
----------
Duncan, G. T., Elliot, M. & Salazar-González, J.-J. (2011). *Statistical Confidentiality:
Principles and Practice*, ch. 6 (disclosure by differencing). Springer.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bridgework.analysis.privacy import Shown, Total, check_min_group_size

__all__ = ["WAITING", "Published", "publish"]

#: Reason shown for a figure that the privacy pass would show but that must wait.
WAITING = "shown once enough further answers have arrived (at least {k} more)"


@dataclass(frozen=True)
class Published:
    """One figure as published: its basis ``count`` (0 if never shown), values or ``None``,
    the reason when hidden, and the date its values date from."""

    count: int
    values: Mapping[str, Any] | None
    reason: str | None
    as_of: str | None

    @property
    def shown(self) -> bool:
        return self.values is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "values": None if self.values is None else dict(self.values),
            "reason": self.reason,
            "as_of": self.as_of,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Published:
        return cls(int(data["count"]), data["values"], data["reason"], data["as_of"])


def _basis(previous: Mapping[Hashable, Published], key: Hashable) -> int:
    record = previous.get(key)
    return record.count if record is not None and record.shown else 0


def publish(
    previous: Mapping[Hashable, Published],
    fresh: Mapping[Hashable, Shown],
    totals: Iterable[Total] = (),
    *,
    min_group_size: int,
    as_of: str,
    final: Iterable[Hashable] = (),
) -> dict[Hashable, Published]:
    """The next publication of ``fresh`` figures after ``previous`` (see the module rule).

    Parameters
    ----------
    previous : mapping of key to Published
        The last publication (empty for the first).
    fresh : mapping of key to Shown
        Every figure as the privacy pass shows it now, with its current respondent count.
    totals : iterable of Total
        Which figures are means over which others (as for :func:`privacy.suppress`).
    min_group_size : int
        ``k``.
    as_of : str
        Date stamped on renewed values (ISO 8601).
    final : iterable of keys
        Figures that are never renewed (e.g. an earlier wave's published figures); their
        current counts in ``fresh`` are compared with their published basis.

    Returns
    -------
    dict
        Key → :class:`Published` for every key of ``fresh`` not in ``final``.

    Examples
    --------
    A cell shown at n = 5 does not move when a sixth person answers, and does at n = 10:

    >>> first = publish({}, {"c": Shown("c", 5, False, None, {"rc": 4.0})},
    ...                 min_group_size=5, as_of="2026-01-01")
    >>> later = publish(first, {"c": Shown("c", 6, False, None, {"rc": 3.5})},
    ...                 min_group_size=5, as_of="2026-01-02")
    >>> later["c"].values, later["c"].count, later["c"].as_of
    ({'rc': 4.0}, 5, '2026-01-01')
    >>> publish(later, {"c": Shown("c", 10, False, None, {"rc": 3.9})},
    ...         min_group_size=5, as_of="2026-01-03")["c"].values
    {'rc': 3.9}

    Notes
    -----
    O(I · T · P) for T totals of at most P parts, I ≤ T rounds of withdrawing a renewal.
    """
    k = check_min_group_size(min_group_size)
    final = set(final)
    renew = {
        key
        for key, shown in fresh.items()
        if key not in final
        and not shown.suppressed
        and shown.values is not None
        and abs(shown.count - _basis(previous, key)) >= k
        and shown.count >= k
    }
    total_list = [total for total in totals if total.key in fresh]
    changed = True
    while changed:
        changed = False
        for total in total_list:
            if total.key not in renew:
                continue
            portions = [
                abs(fresh[part].count - _basis(previous, part))
                for part in total.parts
                if part in fresh and part not in renew
            ]
            portions = [p for p in portions if p > 0]
            if not portions:
                continue
            residue = sum(portions) if total.disjoint else max(portions)
            if residue < k:
                renew.discard(total.key)
                changed = True

    result: dict[Hashable, Published] = {}
    for key, shown in fresh.items():
        if key in final:
            continue
        before = previous.get(key)
        if key in renew:
            result[key] = Published(shown.count, dict(shown.values or {}), None, as_of)
        elif before is not None and before.shown:
            result[key] = before
        elif shown.suppressed:
            result[key] = Published(0, None, shown.reason, None)
        else:
            result[key] = Published(0, None, WAITING.format(k=k), None)
    return result

"""Gould–Fernandez brokerage roles: who passes what between which groups.

In an open directed two-path ``a → b → c`` (a ≠ c, and no tie ``a → c``) person b brokers
between a and c. Gould & Fernandez (1989) name the brokerage by the groups of the three people:

============== ===================== ==============================================
role           groups                example
============== ===================== ==============================================
coordinator    a, b, c all in one    a nurse relays between two nurses
itinerant      a and c share, b not  an outside consultant links two colleagues
representative a and b share, c not  b speaks for their group to another
gatekeeper     b and c share, a not  b lets an outside request into their group
liaison        all three differ      b links two groups, belonging to neither
============== ===================== ==============================================

Each open two-path counts one for its broker (the unnormalised counts of the original paper and
of statnet's ``brokerage``); a two-path through anyone whose group is unknown is not counted.
No general Python graph library provides these counts, so they are computed here by
enumerating two-paths with numpy, in chunks to bound memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BROKERAGE_ROLES", "BrokerageCounts", "brokerage_counts"]

#: The five roles, in the order of ``BrokerageCounts.counts`` columns.
BROKERAGE_ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")

# Two-paths enumerated at once; bounds memory at about 40 bytes per two-path.
_CHUNK = 4_000_000


@dataclass(frozen=True, eq=False)
class BrokerageCounts:
    """Brokerage counts: ``counts[i, r]`` for person i and role ``BROKERAGE_ROLES[r]``."""

    counts: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """Open two-paths each person brokers, over all five roles."""
        return self.counts.sum(axis=1)

    def of(self, person: int) -> dict[str, int]:
        """One person's counts as ``{role: count, ..., "total": count}``."""
        row = self.counts[person]
        result = {role: int(row[r]) for r, role in enumerate(BROKERAGE_ROLES)}
        result["total"] = int(row.sum())
        return result


def brokerage_counts(
    n: int, source: np.ndarray, target: np.ndarray, groups: np.ndarray
) -> BrokerageCounts:
    """Count each person's Gould–Fernandez brokerage over open directed two-paths.

    Parameters
    ----------
    n : int
        Number of people (vertices ``0 … n−1``).
    source, target : ndarray of int
        Arcs ``source[k] → target[k]``; unique, no loops.
    groups : ndarray of int
        Group code per person; negative means unknown.

    Returns
    -------
    BrokerageCounts

    Examples
    --------
    Person 1 (group 0) relays from 0 (group 0) to 2 (group 1): a representative.

    >>> result = brokerage_counts(3, np.array([0, 1]), np.array([1, 2]), np.array([0, 0, 1]))
    >>> {role: count for role, count in result.of(1).items() if count}
    {'representative': 1, 'total': 1}

    Notes
    -----
    O(Σ_b indeg(b)·outdeg(b)) time — the number of two-paths — with a binary search per
    two-path to test for the closing tie, and O(chunk) memory.

    References
    ----------
    Gould, R. V., & Fernandez, R. M. (1989). Structures of mediation: a formal approach to
    brokerage in transaction networks. *Sociological Methodology*, 19, 89–126.
    """
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.int64)
    counts = np.zeros(n * len(BROKERAGE_ROLES), dtype=np.int64)
    if source.size == 0:
        return BrokerageCounts(counts.reshape(n, len(BROKERAGE_ROLES)))
    out_degree = np.bincount(source, minlength=n)
    out_start = np.concatenate([[0], np.cumsum(out_degree)])
    out_target = target[np.argsort(source, kind="stable")]
    arc_keys = np.sort(source * n + target)

    # Arcs a → b whose b has onward arcs; each contributes outdeg(b) two-paths.
    per_arc = out_degree[target]
    ends = np.cumsum(per_arc)
    begin = 0
    while begin < source.size:
        # Largest run of arcs whose two-paths fit in one chunk (at least one arc).
        limit = (ends[begin - 1] if begin else 0) + _CHUNK
        end = max(begin + 1, int(np.searchsorted(ends, limit, side="right")))
        _count_chunk(
            counts,
            n,
            source[begin:end],
            target[begin:end],
            per_arc[begin:end],
            out_start,
            out_target,
            arc_keys,
            groups,
        )
        begin = end
    return BrokerageCounts(counts.reshape(n, len(BROKERAGE_ROLES)))


def _count_chunk(
    counts: np.ndarray,
    n: int,
    a_arc: np.ndarray,
    b_arc: np.ndarray,
    per_arc: np.ndarray,
    out_start: np.ndarray,
    out_target: np.ndarray,
    arc_keys: np.ndarray,
    groups: np.ndarray,
) -> None:
    total = int(per_arc.sum())
    if total == 0:
        return
    a = np.repeat(a_arc, per_arc)
    b = np.repeat(b_arc, per_arc)
    offset = np.arange(total) - np.repeat(np.cumsum(per_arc) - per_arc, per_arc)
    c = out_target[out_start[b] + offset]
    keep = a != c
    a, b, c = a[keep], b[keep], c[keep]
    key = a * n + c
    position = np.searchsorted(arc_keys, key).clip(max=arc_keys.size - 1)
    open_path = arc_keys[position] != key
    ga, gb, gc = groups[a], groups[b], groups[c]
    keep = open_path & (ga >= 0) & (gb >= 0) & (gc >= 0)
    b, ga, gb, gc = b[keep], ga[keep], gb[keep], gc[keep]
    # Role code 0–4 in BROKERAGE_ROLES order; liaison (4) is the default.
    role = np.full(b.size, 4, dtype=np.int64)
    role[(ga == gb) & (gb != gc)] = 2
    role[(ga != gb) & (gb == gc)] = 3
    role[(ga == gc) & (ga != gb)] = 1
    role[(ga == gb) & (gb == gc)] = 0
    counts += np.bincount(b * len(BROKERAGE_ROLES) + role, minlength=counts.size)

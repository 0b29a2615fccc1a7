"""Near-linear maximum-weight matching for large rounds: locally dominant greedy, then repair.

1. **Locally dominant matching** (Preis 1999; Manne & Halappanavar's suitor variant, 2014).
   Every unmatched person points at their best remaining candidate; mutual pointers are
   matched; repeat. With a strict total order on edges (score, then pair key) this gives
   exactly the greedy matching, a ½-approximation, in a few dozen vectorised rounds.
2. **Short augmentations** (Drake & Hougardy 2003; Pettie & Sanders 2004). Each pass finds,
   in bulk with numpy, every improving move on at most four people, keeps a set of moves that
   touch disjoint people (each move must be the best one at every person it touches) and
   applies them at once:

   * *augment*: free ``u`` – ``x`` = ``y`` – free ``z`` becomes ``u–x``, ``y–z`` (one more pair,
     taken whatever the score change, because cardinality comes first, as in the exact solver);
   * *long augment*: free ``u`` – ``x`` = ``y`` – ``z`` = ``w`` – free ``t`` becomes three pairs;
   * *swap*: free ``u`` – ``x`` = ``y`` becomes ``u–x`` when that scores more;
   * *2-opt*: ``a=b`` and ``c=d`` become ``a–c``, ``b–d`` when that scores more.

3. **Longer augmenting paths** for the few people still free: a bounded alternating
   depth-first search (blossoms are not shrunk, so a rare augmenting path can be missed; the
   result is near-maximum cardinality, and every remaining free person is reported).

On random programme instances this reaches 99–100% of the exact total score (see
``benchmarks/bench_pairing.py`` and docs/methods/pairing.md) in O(e log e) time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bridgework.matching.instance import lookup, pair_keys

__all__ = ["scalable_matching"]

_PASSES = 40
_PATH_EDGES = 15
_PATH_BUDGET = 1500
_FIVE_BATCH = 4096


class _Graph:
    """Directed CSR of an undirected weighted graph, neighbours in descending weight order."""

    def __init__(self, m: int, u: np.ndarray, v: np.ndarray, weight: np.ndarray) -> None:
        e = len(u)
        # 32-bit people, edges and weights where they fit (a national round's do): half the
        # memory of every array below and of every pass over them.
        index = np.int32 if max(m, 2 * e) < 1 << 31 else np.int64
        spread = int(np.abs(weight).max(initial=0))
        wtype = np.int32 if spread < 1 << 28 else np.int64
        u, v = u.astype(index, copy=False), v.astype(index, copy=False)
        # Strict order on edges: weight descending, then input position (deterministic).
        top = int(weight.max(initial=0)) + 1
        if (top - int(weight.min(initial=0)) + 1) * max(e, 1) < 1 << 62:
            # Unique integer keys, the position packed in: sorting them is the order itself.
            key = (top - weight.astype(np.int64)) * e
            key += np.arange(e)
            key.sort()
            key %= max(e, 1)
            by_weight = key
        else:
            by_weight = np.argsort(-weight, kind="stable")
        rank = np.empty(e, dtype=index)
        rank[by_weight] = np.arange(e, dtype=index)
        if m * max(e, 1) < 1 << 62:
            # Directed edges by person, then rank: (src, rank) is unique, so one sort of the
            # packed keys gives the order, and each edge and its side are read back from it.
            directed = np.concatenate((u, v)).astype(np.int64)
            directed *= max(e, 1)
            directed += np.concatenate((rank, rank))
            directed.sort()
            src = (directed // max(e, 1)).astype(index)
            directed %= max(e, 1)
            edge = by_weight[directed]
            del directed
            side = src != u[edge]
            order = edge + side * np.int64(e)
            dst = np.where(side, u[edge], v[edge])
            del side
        else:
            src = np.concatenate((u, v))
            order = np.lexsort((np.concatenate((rank, rank)), src))
            src = src[order]
            edge = order % max(e, 1)
            dst = np.concatenate((v, u))[order]
        del rank, by_weight
        self.m = m
        self.src = src
        self.dst = dst
        self.weight = weight.astype(wtype, copy=False)[edge]
        del edge
        self.start = np.searchsorted(self.src, np.arange(m + 1))
        # Position of each directed edge's reverse twin (b -> a for a -> b).
        where = np.empty(2 * e, dtype=index)
        where[order] = np.arange(2 * e, dtype=index)
        order += e
        order %= max(2 * e, 1)
        self.twin = where[order]
        del where, order
        # Heaviest edge at each node (neighbours are in descending weight order).
        has = self.start[1:] > self.start[:-1]
        first = self.weight[np.minimum(self.start[:-1], max(2 * e - 1, 0))] if e else 0
        self.heaviest = np.where(has, first, 0)
        keys = pair_keys(u, v, m)
        if len(keys) > 1 and not (keys[1:] > keys[:-1]).all():
            key_order = np.argsort(keys)
            self.keys = keys[key_order]
            self.key_weight = weight.astype(wtype, copy=False)[key_order]
        else:  # the candidate graph's edges come in key order already
            self.keys = keys
            self.key_weight = weight.astype(wtype)

    def weight_of(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weight of each edge ``(a[k], b[k])`` and whether it exists."""
        position = lookup(self.keys, pair_keys(a, b, self.m))
        exists = position >= 0
        return np.where(exists, self.key_weight[np.maximum(position, 0)], 0), exists

    def positions(self, nodes: np.ndarray) -> np.ndarray:
        """Positions of every directed edge out of ``nodes``, node by node."""
        return self._rows(nodes)[1]

    def expand(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All directed edges out of ``nodes``: (row in ``nodes``, neighbour, weight)."""
        row, position = self._rows(nodes)
        return row, self.dst[position], self.weight[position]

    def _rows(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row in ``nodes`` and position of every directed edge out of ``nodes``."""
        first = self.start[nodes]
        counts = self.start[nodes + 1] - first
        row = np.repeat(np.arange(len(nodes), dtype=self.src.dtype), counts)
        shift = first - (np.cumsum(counts) - counts)
        position = np.arange(len(row))
        position += shift[row]
        return row, position


def _locally_dominant(g: _Graph) -> np.ndarray:
    mate = np.full(g.m, -1, dtype=g.src.dtype)
    pointer = g.start[:-1].copy()
    end = g.start[1:]
    active = np.flatnonzero(pointer < end)
    pref = np.full(g.m, -1, dtype=g.src.dtype)
    while len(active):
        while True:
            active = active[pointer[active] < end[active]]
            stale = mate[g.dst[pointer[active]]] >= 0
            if not stale.any():
                break
            pointer[active[stale]] += 1
        if not len(active):
            break
        choice = g.dst[pointer[active]]
        pref[active] = choice
        mutual = pref[choice] == active
        mate[active[mutual]] = choice[mutual]
        active = active[mate[active] < 0]
    return mate


def _independent(nodes: np.ndarray, gain: np.ndarray, m: int) -> np.ndarray:
    """A maximal set of pairwise disjoint moves, best gains first.

    Each round accepts every move that is the best remaining move at every person it touches
    (so accepted moves are disjoint), then drops the moves touching those people.
    """
    count = len(gain)
    rank = np.empty(count, dtype=np.int64)
    rank[np.lexsort((np.arange(count), -gain))] = np.arange(count)
    accepted = np.zeros(count, dtype=bool)
    used = np.zeros(m, dtype=bool)
    alive = np.arange(count)
    while len(alive):
        best = np.full(m, count, dtype=np.int64)
        for column in nodes[alive].T:
            np.minimum.at(best, column, rank[alive])
        win = np.ones(len(alive), dtype=bool)
        for column in nodes[alive].T:
            win &= best[column] == rank[alive]
        accepted[alive[win]] = True
        used[nodes[alive[win]].ravel()] = True
        alive = alive[~used[nodes[alive]].any(axis=1)]
    return accepted


def _mate_weights(g: _Graph, mate: np.ndarray) -> np.ndarray:
    """Weight of each person's current pair (0 if free)."""
    matched = np.flatnonzero(mate >= 0)
    weights = np.zeros(g.m, dtype=np.int64)
    weights[matched] = g.weight_of(matched, mate[matched])[0]
    return weights


def _augment_three(g: _Graph, mate: np.ndarray, mw: np.ndarray) -> int:
    free = np.flatnonzero((mate < 0) & (g.start[1:] > g.start[:-1]))
    if not len(free):
        return 0
    row, x, w_ux = g.expand(free)
    matched = mate[x] >= 0
    u, x, w_ux = free[row[matched]], x[matched], w_ux[matched]
    y = mate[x]
    row, z, w_yz = g.expand(y)
    # Most of y's neighbours are matched: drop them before gathering the rest of each path.
    free_z = mate[z] < 0
    row, z, w_yz = row[free_z], z[free_z], w_yz[free_z]
    u, x, y, w_ux = u[row], x[row], y[row], w_ux[row]
    ok = z != u
    u, x, y, z, w_ux, w_yz = u[ok], x[ok], y[ok], z[ok], w_ux[ok], w_yz[ok]
    if not len(u):
        return 0
    gain = w_ux + w_yz - mw[x]
    take = _independent(np.stack((u, x, y, z), axis=1), gain, g.m)
    u, x, y, z = u[take], x[take], y[take], z[take]
    mate[u], mate[x], mate[y], mate[z] = x, u, z, y
    mw[u] = mw[x] = w_ux[take]
    mw[y] = mw[z] = w_yz[take]
    return len(u)


def _augment_five(g: _Graph, mate: np.ndarray, mw: np.ndarray) -> int:
    """Free u – x = y – z = w – free t becomes u–x, y–z, w–t (one more pair), in batches."""
    free = np.flatnonzero((mate < 0) & (g.start[1:] > g.start[:-1]))
    found = 0
    for batch in range(0, len(free), _FIVE_BATCH):
        roots = free[batch : batch + _FIVE_BATCH]
        roots = roots[mate[roots] < 0]
        row, x, w_ux = g.expand(roots)
        keep = mate[x] >= 0
        u, x, w_ux = roots[row[keep]], x[keep], w_ux[keep]
        y = mate[x]
        row, z, w_yz = g.expand(y)
        u, x, y, w_ux = u[row], x[row], y[row], w_ux[row]
        keep = (mate[z] >= 0) & (z != x) & (z != u) & (mate[z] != u)
        u, x, y, z, w_ux, w_yz = u[keep], x[keep], y[keep], z[keep], w_ux[keep], w_yz[keep]
        w = mate[z]
        row, t, w_wt = g.expand(w)
        u, x, y, z, w = u[row], x[row], y[row], z[row], w[row]
        w_ux, w_yz = w_ux[row], w_yz[row]
        keep = (mate[t] < 0) & (t != u)
        if not keep.any():
            continue
        u, x, y, z, w, t = u[keep], x[keep], y[keep], z[keep], w[keep], t[keep]
        w_ux, w_yz, w_wt = w_ux[keep], w_yz[keep], w_wt[keep]
        gain = w_ux + w_yz + w_wt - mw[x] - mw[z]
        take = _independent(np.stack((u, x, y, z, w, t), axis=1), gain, g.m)
        u, x, y, z, w, t = u[take], x[take], y[take], z[take], w[take], t[take]
        mate[u], mate[x], mate[y], mate[z], mate[w], mate[t] = x, u, z, y, t, w
        mw[u] = mw[x] = w_ux[take]
        mw[y] = mw[z] = w_yz[take]
        mw[w] = mw[t] = w_wt[take]
        found += len(u)
    return found


def _swap_free(g: _Graph, mate: np.ndarray, mw: np.ndarray) -> int:
    free = np.flatnonzero((mate < 0) & (g.start[1:] > g.start[:-1]))
    if not len(free):
        return 0
    row, x, w_ux = g.expand(free)
    matched = mate[x] >= 0
    u, x, w_ux = free[row[matched]], x[matched], w_ux[matched]
    gain = w_ux - mw[x]
    better = gain > 0
    u, x, w_ux, gain = u[better], x[better], w_ux[better], gain[better]
    if not len(u):
        return 0
    y = mate[x]
    take = _independent(np.stack((u, x, y), axis=1), gain, g.m)
    u, x, y = u[take], x[take], y[take]
    mate[y] = -1
    mw[y] = 0
    mate[u], mate[x] = x, u
    mw[u] = mw[x] = w_ux[take]
    return len(u)


def _two_opt(g: _Graph, mate: np.ndarray, mw: np.ndarray, focus: np.ndarray) -> int:
    nodes = np.flatnonzero(focus)
    if len(nodes) * 4 > g.m:
        a, c, w_ac = g.src, g.dst, g.weight
        use = (a < c) & (focus[a] | focus[c])
    else:
        # Few people changed pairs in the last pass: visit only their edges, each undirected
        # edge once at its a < c copy, in the same order as the scan of every edge above.
        position = g.positions(nodes)
        seen = np.zeros(len(g.src), dtype=bool)
        seen[np.where(g.src[position] < g.dst[position], position, g.twin[position])] = True
        position = np.flatnonzero(seen)
        a, c, w_ac = g.src[position], g.dst[position], g.weight[position]
        use = np.ones(len(a), dtype=bool)
    use &= (mate[a] >= 0) & (mate[c] >= 0) & (mate[a] != c)
    a, c, w_ac = a[use], c[use], w_ac[use]
    b, d = mate[a], mate[c]
    # w(b, d) is at most the heaviest edge of b and of d: drop, before any lookup, every move
    # that could not gain even then (most of them; the result is unchanged).
    hope = w_ac + np.minimum(g.heaviest[b], g.heaviest[d]) > mw[a] + mw[c]
    a, b, c, d, w_ac = a[hope], b[hope], c[hope], d[hope], w_ac[hope]
    w_bd, exists = g.weight_of(b, d)
    gain = w_ac + w_bd - mw[a] - mw[c]
    better = exists & (gain > 0)
    a, b, c, d, gain = a[better], b[better], c[better], d[better], gain[better]
    w_ac, w_bd = w_ac[better], w_bd[better]
    if not len(a):
        return 0
    take = _independent(np.stack((a, b, c, d), axis=1), gain, g.m)
    a, b, c, d = a[take], b[take], c[take], d[take]
    mate[a], mate[c], mate[b], mate[d] = c, a, d, b
    mw[a] = mw[c] = w_ac[take]
    mw[b] = mw[d] = w_bd[take]
    return len(a)


def _augment_long(g: _Graph, mate: np.ndarray) -> int:
    """Bounded alternating DFS from each free person; flips every augmenting path found."""
    # Memory views read and write single elements as fast as lists do, without a Python
    # int per edge (a list of a national round's edges would be half a gigabyte).
    start = memoryview(np.ascontiguousarray(g.start))
    dst = memoryview(np.ascontiguousarray(g.dst))
    mates = memoryview(mate)
    found = 0
    # Total work is bounded by O(m) so a hard instance cannot stall a national round; the
    # few people it leaves free are paired among themselves or placed in trios afterwards
    # (bridgework.matching.groups), so a larger budget buys little.
    total_budget = g.m + _PATH_BUDGET
    for root in np.flatnonzero((mate < 0) & (g.start[1:] > g.start[:-1])).tolist():
        if mates[root] >= 0:
            continue
        if total_budget <= 0:
            break
        visited = {root}
        budget = _PATH_BUDGET
        # Stack of (person on the even side, next neighbour position, path so far).
        stack: list[tuple[int, int]] = [(root, start[root])]
        path: list[int] = [root]
        end_node = -1
        while stack and budget > 0:
            node, position = stack[-1]
            if position >= start[node + 1] or len(path) > _PATH_EDGES:
                stack.pop()
                del path[-2:]
                continue
            stack[-1] = (node, position + 1)
            x = dst[position]
            budget -= 1
            if x in visited:
                continue
            visited.add(x)
            if mates[x] < 0:
                path.append(x)
                end_node = x
                break
            y = mates[x]
            if y in visited:
                continue
            visited.add(y)
            path.extend((x, y))
            stack.append((y, start[y]))
        total_budget -= _PATH_BUDGET - budget
        if end_node < 0:
            continue
        for k in range(0, len(path), 2):
            p, q = path[k], path[k + 1]
            mates[p], mates[q] = q, p
        found += 1
    return found


def _improve(
    g: _Graph,
    mate: np.ndarray,
    *,
    passes: int,
    report: Callable[[float], None],
    focus: np.ndarray | None = None,
) -> np.ndarray:
    """Passes of short augmentations until none applies (or ``passes`` run out).

    ``focus`` marks the people whose 2-opt moves are to be looked at first (everyone by
    default). Returns the people whose pair changed in the last pass (none if it converged),
    so a later call can go on from there without scanning every edge again.
    """
    mw = _mate_weights(g, mate)
    focus = np.ones(g.m, dtype=bool) if focus is None else focus
    for step in range(passes):
        before = mate.copy()
        changed = _augment_three(g, mate, mw)
        if not changed:
            changed = _augment_five(g, mate, mw)
        changed += _swap_free(g, mate, mw)
        changed += _two_opt(g, mate, mw, focus)
        report((step + 1) / passes)
        if not changed:
            return np.zeros(g.m, dtype=bool)
        # Only people whose pair changed can open new 2-opt moves.
        focus = mate != before
    return focus


def scalable_matching(
    m: int,
    u: np.ndarray,
    v: np.ndarray,
    weight: np.ndarray,
    *,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """Near-maximum-cardinality, near-maximum-weight matching in near-linear time.

    Parameters
    ----------
    m : int
        Number of nodes.
    u, v : ndarray of int
        Edge endpoints (unique, no loops).
    weight : ndarray of int
        Edge weights.
    progress : callable, optional
        Called with the fraction done (0–1) after each phase.

    Returns
    -------
    ndarray of int64
        ``mate[i]`` is the partner of ``i``, or -1.

    Examples
    --------
    >>> mate = scalable_matching(4, np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([1, 5, 1]))
    >>> mate.tolist()  # greedy takes 1-2; the augmentation restores 0-1 and 2-3
    [1, 0, 3, 2]

    Notes
    -----
    O(e log e) to sort the edges, then O(e) per pass for a bounded number of passes, plus a
    bounded search per remaining free person.

    References
    ----------
    .. [1] R. Preis, "Linear time 1/2-approximation algorithm for maximum weighted matching in
       general graphs", STACS 1999.
    .. [2] F. Manne, M. Halappanavar, "New effective multithreaded matching algorithms",
       IPDPS 2014.
    .. [3] D. Drake, S. Hougardy, "A simple approximation algorithm for the weighted matching
       problem", Information Processing Letters 85 (2003).
    .. [4] S. Pettie, P. Sanders, "A simpler linear time 2/3−ε approximation for maximum
       weight matching", Information Processing Letters 91 (2004).
    """
    report = progress or (lambda fraction: None)
    weight = np.asarray(weight)
    if weight.dtype.kind not in "iu":
        weight = weight.astype(np.int64)
    g = _Graph(m, np.asarray(u), np.asarray(v), weight)
    mate = _locally_dominant(g)
    report(0.4)
    focus = _improve(g, mate, passes=_PASSES, report=lambda f: report(0.4 + 0.4 * f))
    before = mate.copy()
    if _augment_long(g, mate):
        # Only the people the long paths re-paired (and any the last pass changed) can open
        # new 2-opt moves: the same moves as a scan of every edge, found without one.
        focus |= mate != before
        _improve(g, mate, passes=_PASSES // 4, report=lambda f: None, focus=focus)
    report(1.0)
    return mate.astype(np.int64)

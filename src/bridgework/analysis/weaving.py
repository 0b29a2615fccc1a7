"""Network weaving: introductions that would close triangles across group boundaries.

Two people in different groups who are not tied but share contacts are the easiest new tie to
make — each shared contact can introduce them, and ties that close triangles tend to last
(triadic closure; Granovetter 1973). Introducing them across groups is what "network weaving"
(Krebs & Holley 2006) and the pairing programme aim at. Pairs are ranked by the number of
shared contacts, then by how sparsely their two groups are tied (a bridge between distant
groups is worth more), then by id so the order is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from bridgework.analysis.network_measures import TieGraph

__all__ = ["WeavingOpportunity", "weaving_opportunities"]


@dataclass(frozen=True)
class WeavingOpportunity:
    """A suggested introduction: ``a`` and ``b`` are untied, in different groups, with
    ``shared`` contacts in common. ``groups_density`` is the share of possible contacts
    already present between their two groups."""

    a: str
    b: str
    group_a: str
    group_b: str
    shared: tuple[str, ...]
    groups_density: float

    @property
    def shared_contacts(self) -> int:
        """How many contacts the two share (the ranking key)."""
        return len(self.shared)

    def to_dict(self) -> dict[str, object]:
        """The JSON form (the ``weaving`` items of the analysis contract)."""
        return {
            "a": self.a,
            "b": self.b,
            "group_a": self.group_a,
            "group_b": self.group_b,
            "shared_contacts": self.shared_contacts,
            "shared": list(self.shared),
            "groups_density": self.groups_density,
        }


def weaving_opportunities(
    graph: TieGraph,
    codes: np.ndarray,
    names: tuple[str, ...],
    *,
    limit: int = 50,
    min_shared: int = 1,
) -> tuple[WeavingOpportunity, ...]:
    """Rank untied pairs in different groups by their shared contacts.

    Parameters
    ----------
    graph : TieGraph
    codes : ndarray of int
        Group code per person, ``-1`` for none (such people are never suggested).
    names : tuple of str
        Group names by code.
    limit : int
        Return at most this many pairs (the best).
    min_shared : int
        Only pairs sharing at least this many contacts.

    Returns
    -------
    tuple of WeavingOpportunity
        Best first.

    Examples
    --------
    >>> import pandas as pd
    >>> from bridgework.analysis.network_measures import build_tie_graph
    >>> noms = pd.DataFrame({"ego": ["a", "c"], "alter": ["b", "b"],
    ...                      "relation": ["x", "x"], "weight": [1.0, 1.0]})
    >>> best = weaving_opportunities(build_tie_graph("abc", noms), np.array([0, 0, 1]),
    ...                              ("Care", "Health"))[0]
    >>> best.a, best.b, best.shared
    ('a', 'c', ('b',))

    Notes
    -----
    One sparse product ``C·C`` of the binary contact matrix: O(Σ degree²) time and memory,
    then a partial sort of the candidates.
    """
    n = graph.n
    u, v, _ = graph.pairs
    if u.size == 0 or limit <= 0:
        return ()
    ones = np.ones(u.size)
    contacts = sparse.csr_matrix(
        (np.r_[ones, ones], (np.r_[u, v], np.r_[v, u])), shape=(n, n), dtype=np.int64
    )
    common = sparse.triu(contacts @ contacts, k=1).tocoo()
    i, j, shared = common.row, common.col, common.data
    ci, cj = codes[i], codes[j]
    keep = (shared >= min_shared) & (ci >= 0) & (cj >= 0) & (ci != cj)
    i, j, shared, ci, cj = i[keep], j[keep], shared[keep], ci[keep], cj[keep]
    # ``graph.pairs`` comes sorted by key u·n + v (from np.unique), so a binary search suffices.
    pair_keys = u * n + v
    key = i * n + j
    tied = pair_keys[np.searchsorted(pair_keys, key).clip(max=pair_keys.size - 1)] == key
    i, j, shared, ci, cj = i[~tied], j[~tied], shared[~tied], ci[~tied], cj[~tied]
    if i.size == 0:
        return ()

    k = len(names)
    sizes = np.bincount(codes[codes >= 0], minlength=k).astype(float)
    cu, cv = codes[u], codes[v]
    cross = (cu >= 0) & (cv >= 0) & (cu != cv)
    between = np.zeros((k, k))
    np.add.at(between, (cu[cross], cv[cross]), 1.0)
    between += between.T
    density = between / np.outer(sizes, sizes).clip(min=1.0)
    pair_density = density[ci, cj]

    # Partial sort first: only pairs that could make the top ``limit`` by shared contacts.
    if i.size > limit:
        cut = np.partition(shared, i.size - limit)[i.size - limit]
        top = shared >= cut
        i, j, shared, pair_density = i[top], j[top], shared[top], pair_density[top]
    ids = np.asarray(graph.ids, dtype=object)
    order = np.lexsort((ids[j], ids[i], pair_density, -shared))[:limit]
    indptr, indices = contacts.indptr, contacts.indices
    result = []
    for position in order:
        a, b = int(i[position]), int(j[position])
        common_ids = np.intersect1d(
            indices[indptr[a] : indptr[a + 1]], indices[indptr[b] : indptr[b + 1]]
        )
        result.append(
            WeavingOpportunity(
                a=graph.ids[a],
                b=graph.ids[b],
                group_a=names[codes[a]],
                group_b=names[codes[b]],
                shared=tuple(sorted(graph.ids[c] for c in common_ids)),
                groups_density=float(pair_density[position]),
            )
        )
    return tuple(result)

"""Graph building from nominations, and the per-person structural measures.

A :class:`TieGraph` is the directed graph of one relation (or of all relations merged): one
vertex per person in the directory, whether or not they answered or were named, and one arc
``ego → alter`` per nomination. The measures here are thin, documented wrappers over igraph's
C core where igraph has the measure (betweenness, Burt's constraint, clustering, coreness,
Leiden) and vectorised numpy/scipy code where it does not (effective size, E-I index).
Every function returns one value per person, in the order of ``TieGraph.ids``; ``nan`` marks a
measure that is undefined for that person (constraint of someone with no ties, say).

Which graph each measure sees, and why, is written in ``docs/methods/network.md``:
direction matters for degree, strength and betweenness (a nomination is a claim by the ego);
Burt's measures use both directions of a tie, as Burt defines them; clustering, k-core,
communities and the E-I index use *contacts* — people tied in either direction.
"""

from __future__ import annotations

import multiprocessing
import os
import random
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import igraph as ig
import numpy as np
import pandas as pd
from scipy import sparse

__all__ = [
    "Communities",
    "TieGraph",
    "betweenness",
    "build_tie_graph",
    "constraint",
    "contact_split",
    "effective_size",
    "ei_index",
    "group_codes",
    "k_core",
    "leiden_communities",
    "local_clustering",
    "weak_components",
]


@dataclass(frozen=True, eq=False)
class TieGraph:
    """A directed, simple, weighted graph of people; vertex ``i`` is ``ids[i]``.

    ``source[k] → target[k]`` with ``weight[k]`` is arc ``k``; arcs are unique and never loops.
    """

    ids: tuple[str, ...]
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray

    @property
    def n(self) -> int:
        """Number of people (vertices)."""
        return len(self.ids)

    @property
    def m(self) -> int:
        """Number of arcs (directed ties)."""
        return int(self.source.size)

    @cached_property
    def directed(self) -> ig.Graph:
        """The igraph directed graph, with a ``weight`` edge attribute."""
        graph = ig.Graph(n=self.n, edges=np.column_stack([self.source, self.target]), directed=True)
        graph.es["weight"] = self.weight.tolist()
        return graph

    @cached_property
    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Contacts as unique pairs ``u < v`` with the summed weight of both directions."""
        low = np.minimum(self.source, self.target)
        high = np.maximum(self.source, self.target)
        key = low * self.n + high
        unique, inverse = np.unique(key, return_inverse=True)
        summed = np.bincount(inverse, weights=self.weight, minlength=unique.size)
        return unique // self.n, unique % self.n, summed

    @cached_property
    def undirected(self) -> ig.Graph:
        """The igraph graph of contacts (simple, undirected), ``weight`` = both directions."""
        u, v, w = self.pairs
        graph = ig.Graph(n=self.n, edges=np.column_stack([u, v]), directed=False)
        graph.es["weight"] = w.tolist()
        return graph

    @cached_property
    def mutual(self) -> sparse.csr_matrix:
        """Symmetric matrix ``M = A + Aᵀ`` of tie weights in either direction (Burt's z_ij+z_ji)."""
        a = sparse.csr_matrix((self.weight, (self.source, self.target)), shape=(self.n, self.n))
        return (a + a.T).tocsr()

    @cached_property
    def contact_counts(self) -> np.ndarray:
        """Number of distinct people each person is tied to, in either direction."""
        u, v, _ = self.pairs
        return np.bincount(u, minlength=self.n) + np.bincount(v, minlength=self.n)


def build_tie_graph(
    ids: Sequence[str], nominations: pd.DataFrame, *, relation: str | None = None
) -> TieGraph:
    """Build the directed tie graph of one relation, or of all relations merged.

    Parameters
    ----------
    ids : sequence of str
        Person ids, one vertex each, in output order.
    nominations : DataFrame
        Validated nominations (``ego``, ``alter``, ``relation``, ``weight``); see
        :func:`bridgework.analysis.network_input.validate_nominations`.
    relation : str, optional
        Keep only this relation (compared without regard to case). ``None`` merges every
        relation: ego → alter is a tie if any relation names it, weighted by the largest weight,
        so a colleague named in three relations is not counted three times.

    Returns
    -------
    TieGraph

    Examples
    --------
    >>> noms = pd.DataFrame({"ego": ["a", "a"], "alter": ["b", "b"],
    ...                      "relation": ["trust", "energy"], "weight": [3.0, 5.0]})
    >>> graph = build_tie_graph(["a", "b"], noms)
    >>> graph.m, graph.weight.tolist()
    (1, [5.0])

    Notes
    -----
    O(m log m) for m nominations (one sort).
    """
    ids = tuple(str(i) for i in ids)
    frame = nominations
    if relation is not None:
        frame = frame.loc[frame["relation"] == relation.casefold()]
    index = pd.Index(ids)
    source = index.get_indexer(frame["ego"]).astype(np.int64)
    target = index.get_indexer(frame["alter"]).astype(np.int64)
    if (source < 0).any() or (target < 0).any():
        raise ValueError("nominations name people who are not in the people table")
    if (source == target).any():
        raise ValueError("nominations include a self-nomination")
    weight = frame["weight"].to_numpy(dtype=float)
    n = len(ids)
    key = source * n + target
    order = np.argsort(key, kind="stable")
    key, weight = key[order], weight[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.array([], int)
    merged = np.maximum.reduceat(weight, starts) if key.size else weight
    unique = key[starts]
    return TieGraph(ids=ids, source=unique // n, target=unique % n, weight=merged.astype(float))


def group_codes(values: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer code per person for an attribute (``-1`` when blank) and the sorted group names.

    Examples
    --------
    >>> codes, names = group_codes(["Health", "", "Care", "Health"])
    >>> codes.tolist(), names
    ([1, -1, 0, 1], ('Care', 'Health'))
    """
    names = tuple(sorted({v for v in values if v}, key=lambda s: (s.casefold(), s)))
    lookup = {name: code for code, name in enumerate(names)}
    return np.array([lookup.get(v, -1) for v in values], dtype=np.int64), names


def betweenness(graph: TieGraph) -> np.ndarray:
    """Directed, unweighted betweenness as a raw count (Freeman 1977; Brandes 2001).

    The number of shortest directed paths between ordered pairs (s, t), s ≠ v ≠ t, that pass
    through v, each pair's paths sharing one unit. Unnormalised so figures from networks of
    different sizes are not silently rescaled. O(n m) time (Brandes), O(n + m) memory.
    """
    directed = graph.directed
    workers = min(os.cpu_count() or 1, PARALLEL_BETWEENNESS_MAX_WORKERS)
    if directed.vcount() < PARALLEL_BETWEENNESS_MIN_PEOPLE or workers < 2:
        return np.asarray(directed.betweenness(directed=True), dtype=float)
    # Brandes' algorithm sums independent single-source contributions, so the sources can be
    # split across processes and the partial counts added: the same figures, about n_cores
    # times faster on large networks. "spawn" keeps this safe inside threaded web servers.
    chunks = np.array_split(np.arange(directed.vcount()), workers)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = pool.map(_betweenness_from, [directed] * workers, [c.tolist() for c in chunks])
        return np.sum([np.asarray(part, dtype=float) for part in parts], axis=0)


#: Networks at least this large compute betweenness in parallel processes.
PARALLEL_BETWEENNESS_MIN_PEOPLE = 3000
PARALLEL_BETWEENNESS_MAX_WORKERS = 4


def _betweenness_from(directed: ig.Graph, sources: list[int]) -> list[float]:
    return directed.betweenness(directed=True, sources=sources)


def constraint(graph: TieGraph) -> np.ndarray:
    """Burt's (1992) constraint, with weights and both directions of each tie (igraph).

    ``c_i = Σ_j (p_ij + Σ_q p_iq p_qj)²`` over contacts j, with ``p_ij`` the share of i's tie
    weight (in + out) invested in j. ``nan`` for people with no ties. O(Σ degree²).
    """
    values = np.asarray(graph.directed.constraint(weights="weight"), dtype=float)
    values[graph.contact_counts == 0] = np.nan
    return values


def effective_size(graph: TieGraph) -> np.ndarray:
    """Burt's (1992) effective size: contacts minus their redundancy, weighted, both directions.

    ``ES_i = Σ_j (1 − Σ_q p_iq m_jq)`` over contacts j of i, with ``p_iq`` i's share of tie
    weight to q and ``m_jq`` j's tie to q divided by j's strongest tie. For binary, symmetric
    ties this equals Borgatti's (1997) ``n − 2t/n``. ``nan`` for people with no ties.

    Notes
    -----
    Vectorised as ``ES = k − rowsum(P ∘ (B·N))`` with B the binary contact matrix and N the
    row-max-normalised weights: one sparse product, O(Σ degree²).
    """
    m = graph.mutual
    n = graph.n
    if n == 0:
        return np.zeros(0)
    strength = np.asarray(m.sum(axis=1)).ravel()
    row_max = m.max(axis=1).toarray().ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        p = sparse.diags(np.where(strength > 0, 1.0 / strength, 0.0)) @ m
        normed = sparse.diags(np.where(row_max > 0, 1.0 / row_max, 0.0)) @ m
    binary = m.copy()
    binary.data = np.ones_like(binary.data)
    redundancy = np.asarray(p.multiply(binary @ normed).sum(axis=1)).ravel()
    degree = np.diff(m.indptr).astype(float)
    result = degree - redundancy
    result[degree == 0] = np.nan
    return result[:n]


def local_clustering(graph: TieGraph) -> np.ndarray:
    """Local clustering of the contact graph: share of pairs of contacts who are in contact.

    0 for people with fewer than two contacts (Watts & Strogatz 1998). O(Σ degree²).
    """
    return np.asarray(graph.undirected.transitivity_local_undirected(mode="zero"), dtype=float)


def k_core(graph: TieGraph) -> np.ndarray:
    """Core number of the contact graph: the largest k with the person in a k-core.

    A k-core is a maximal group in which everyone has at least k contacts inside the group
    (Seidman 1983). O(n + m) (Batagelj & Zaversnik 2003).
    """
    return np.asarray(graph.undirected.coreness(), dtype=np.int64)


@dataclass(frozen=True)
class Communities:
    """Leiden communities: ``membership[i]`` is a community number, or ``-1`` for isolates.

    Communities are numbered by size, largest first (ties by their first member). A partition
    into singletons when there are ties is a known failure of mis-configured Leiden (the CPM
    objective at resolution 1), so ``singletons_only`` flags it for a warning.
    """

    membership: np.ndarray
    modularity: float
    count: int
    singletons_only: bool


def leiden_communities(
    graph: TieGraph, *, resolution: float = 1.0, seed: int = 0, iterations: int = -1
) -> Communities:
    """Communities of the contact graph by Leiden with the modularity objective.

    Parameters
    ----------
    graph : TieGraph
    resolution : float
        Modularity resolution γ; above 1 gives more, smaller communities.
    seed : int
        Seed of the random choices Leiden makes, so the same data gives the same communities.
    iterations : int
        Leiden passes; negative runs until a pass no longer improves the partition.

    Returns
    -------
    Communities

    Notes
    -----
    Roughly O(m) per pass (Traag, Waltman & van Eck 2019). igraph draws from one process-wide
    random generator, which this function seeds and then restores.
    """
    undirected = graph.undirected
    ig.set_random_number_generator(random.Random(seed))
    try:
        clustering = undirected.community_leiden(
            objective_function="modularity",
            weights="weight",
            resolution=resolution,
            n_iterations=iterations,
        )
    finally:
        ig.set_random_number_generator(random)
    raw = np.asarray(clustering.membership, dtype=np.int64)
    isolated = graph.contact_counts == 0
    raw[isolated] = -1
    labels, first, sizes = np.unique(raw[raw >= 0], return_index=True, return_counts=True)
    first_member = np.flatnonzero(raw >= 0)[first] if labels.size else first
    order = np.lexsort((first_member, -sizes))
    renumber = np.full(int(raw.max(initial=-1)) + 2, -1, dtype=np.int64)
    renumber[labels[order]] = np.arange(labels.size)
    membership = np.where(raw >= 0, renumber[raw], -1)
    connected = int((~isolated).sum())
    modularity = (
        undirected.modularity(clustering.membership, weights="weight", resolution=resolution)
        if graph.m
        else float("nan")
    )
    return Communities(
        membership=membership,
        modularity=modularity,
        count=int(labels.size),
        singletons_only=bool(connected > 0 and labels.size == connected),
    )


def ei_index(graph: TieGraph, codes: np.ndarray) -> np.ndarray:
    """Krackhardt & Stern's (1988) E-I index per person against one attribute.

    ``(E − I) / (E + I)`` over the person's contacts, E those in another group and I those in
    their own; −1 = all ties inside, +1 = all outside. Contacts with no group are left out;
    ``nan`` for people with no group or no counted contacts. O(n + m).

    Examples
    --------
    >>> noms = pd.DataFrame({"ego": ["a", "a"], "alter": ["b", "c"],
    ...                      "relation": ["x", "x"], "weight": [1.0, 1.0]})
    >>> ei_index(build_tie_graph("abc", noms), np.array([0, 0, 1])).tolist()
    [0.0, -1.0, 1.0]
    """
    inside, outside = contact_split(graph, codes)
    total = inside + outside
    with np.errstate(divide="ignore", invalid="ignore"):
        values = (outside - inside) / total
    values[(total == 0) | (codes < 0)] = np.nan
    return values


def contact_split(graph: TieGraph, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per person, the number of contacts in their own group and in another known group."""
    u, v, _ = graph.pairs
    known = (codes[u] >= 0) & (codes[v] >= 0)
    same = known & (codes[u] == codes[v])
    other = known & ~same
    n = graph.n
    inside = np.bincount(u[same], minlength=n) + np.bincount(v[same], minlength=n)
    outside = np.bincount(u[other], minlength=n) + np.bincount(v[other], minlength=n)
    return inside.astype(float), outside.astype(float)


def weak_components(graph: TieGraph) -> np.ndarray:
    """Weakly connected component of each person, numbered by size (largest is 0). O(n + m)."""
    raw = np.asarray(graph.directed.connected_components(mode="weak").membership, dtype=np.int64)
    labels, first, sizes = np.unique(raw, return_index=True, return_counts=True)
    order = np.lexsort((first, -sizes))
    renumber = np.empty(labels.size, dtype=np.int64)
    renumber[labels[order]] = np.arange(labels.size)
    return renumber[raw]

"""Benchmark: network analysis at 10,000 people / 100,000 nominations, and against networkx.

1. ``analyze_network`` (every per-person measure, brokerage, groups, roles, weaving) on a
   synthetic network of 10,000 people in 20 organisations with 100,000 nominations, 70% of
   them inside the nominator's organisation. Target: under 15 s on a 2-core machine.
2. The same per-person measures — degree and strength, directed betweenness, Burt's constraint
   and effective size, clustering, core number, communities — on a 2,000-person network of the
   same make-up (10 nominations per person, so 20,000; a slice of the big network would be far
   sparser and flatter the baseline), with
   our functions (igraph/numpy) and with the named baseline, **networkx** (communities:
   networkx's Louvain, the nearest it has to Leiden), and the ratio.

3. Reading the files of ``bridgework network analyze`` — a people file of 100,000 people and a
   nominations file of 1,000,000 rows, read and validated — with the command's reader
   (pyarrow's CSV reader into Arrow columns, ``read_network_people`` / ``read_nominations``),
   against two named baselines on the same files: the general reader the command used before
   (pandas' C parser, ``tabular.read_frame``, then the same validation), and pyarrow reading
   the two files and nothing else (the floor).

Timings are medians of ``--repeat`` runs; the machine may be shared, so expect noise.
Run: ``python benchmarks/bench_network.py [--quick] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections.abc import Callable

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow.csv as pa_csv

from bridgework.analysis.network import NetworkOptions, analyze_network
from bridgework.analysis.network_measures import (
    betweenness,
    build_tie_graph,
    constraint,
    effective_size,
    k_core,
    leiden_communities,
    local_clustering,
)
from bridgework.datasets import network_io, tabular

TARGET_SECONDS = 15.0


def synthetic_network(
    people: int, nominations: int, *, organisations: int = 20, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People in organisations and unique nominations, mostly within the organisation."""
    rng = np.random.default_rng(seed)
    org = rng.integers(0, organisations, people)
    ids = np.array([f"p{i:06d}" for i in range(people)], dtype=object)
    members = [np.flatnonzero(org == o) for o in range(organisations)]
    keys: np.ndarray = np.array([], dtype=np.int64)
    while keys.size < nominations:
        batch = 2 * (nominations - keys.size)
        ego = rng.integers(0, people, batch)
        inside = rng.random(batch) < 0.7
        alter = rng.integers(0, people, batch)
        for o, group in enumerate(members):
            pick = inside & (org[ego] == o)
            alter[pick] = group[rng.integers(0, group.size, pick.sum())]
        fresh = ego != alter
        keys = np.unique(np.r_[keys, ego[fresh] * people + alter[fresh]])
    keys = rng.permutation(keys)[:nominations]
    people_frame = pd.DataFrame({"id": ids, "organisation": [f"Org {o:02d}" for o in org]})
    noms = pd.DataFrame(
        {
            "ego": ids[keys // people],
            "alter": ids[keys % people],
            "relation": "works_with",
            "weight": rng.integers(1, 6, keys.size).astype(float),
        }
    )
    return people_frame, noms


def median_time(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ours(people: pd.DataFrame, noms: pd.DataFrame) -> None:
    graph = build_tie_graph(people["id"].tolist(), noms)
    n = graph.n
    np.bincount(graph.target, minlength=n), np.bincount(graph.source, minlength=n)
    np.bincount(graph.target, weights=graph.weight, minlength=n)
    np.bincount(graph.source, weights=graph.weight, minlength=n)
    betweenness(graph)
    constraint(graph)
    effective_size(graph)
    local_clustering(graph)
    k_core(graph)
    leiden_communities(graph)


def baseline(people: pd.DataFrame, noms: pd.DataFrame) -> None:
    graph = nx.DiGraph()
    graph.add_nodes_from(people["id"])
    graph.add_weighted_edges_from(noms[["ego", "alter", "weight"]].itertuples(index=False))
    dict(graph.in_degree()), dict(graph.out_degree())
    dict(graph.in_degree(weight="weight")), dict(graph.out_degree(weight="weight"))
    nx.betweenness_centrality(graph, normalized=False)
    nx.constraint(graph, weight="weight")
    nx.effective_size(graph, weight="weight")
    undirected = graph.to_undirected()
    nx.clustering(undirected)
    nx.core_number(undirected)
    nx.community.louvain_communities(undirected, weight="weight", seed=0)


def reading(people: int, nominations: int, repeat: int) -> None:
    """Step 3: the command's reader against the general reader and pyarrow alone."""
    people_frame, noms = synthetic_network(people, nominations, seed=3)
    with tempfile.TemporaryDirectory(prefix="bench-network-") as folder:
        people_path, noms_path = f"{folder}/people.csv", f"{folder}/nominations.csv"
        people_frame.to_csv(people_path, index=False)
        noms.to_csv(noms_path, index=False)

        def command_reader() -> None:
            ids = network_io.read_network_people(people_path)["id"]
            network_io.read_nominations(noms_path, ids)

        def general_reader() -> None:
            ids = network_io.validate_people(tabular.read_frame(people_path))["id"]
            network_io.validate_nominations(tabular.read_frame(noms_path), ids)

        def pyarrow_alone() -> None:
            pa_csv.read_csv(people_path), pa_csv.read_csv(noms_path)

        ours_time = median_time(command_reader, repeat)
        general = median_time(general_reader, repeat)
        floor = median_time(pyarrow_alone, repeat)
    print(f"reading {people:,} people and {nominations:,} nominations, validated:")
    print(f"  the command's reader (pyarrow columns):  {ours_time:8.2f} s")
    ratio = general / ours_time
    print(f"  general reader (pandas C parser):        {general:8.2f} s  ({ratio:.1f}x ours)")
    ratio = ours_time / floor
    print(f"  pyarrow reading the files, nothing else: {floor:8.2f} s  (ours {ratio:.1f}x it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke size")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    args = parser.parse_args()
    n, m, sub = (500, 5_000, 200) if args.quick else (10_000, 100_000, 2_000)

    people, noms = synthetic_network(n, m)
    print(f"network: {len(people):,} people, {len(noms):,} nominations (2 cores, shared: noisy)")
    full = median_time(lambda: analyze_network(people, noms, NetworkOptions()), args.repeat)
    measures = median_time(lambda: ours(people, noms), args.repeat)
    verdict = "within" if full < TARGET_SECONDS else "OVER"
    print(f"analyze_network, everything:      {full:8.2f} s  ({verdict} {TARGET_SECONDS:.0f} s)")
    print(f"per-person measures only (ours):  {measures:8.2f} s")

    small_people, small_noms = synthetic_network(sub, sub * m // n, seed=2)
    print(f"subset: {len(small_people):,} people, {len(small_noms):,} nominations")
    ours_time = median_time(lambda: ours(small_people, small_noms), args.repeat)
    nx_time = median_time(lambda: baseline(small_people, small_noms), 1 if not args.quick else 2)
    print(f"same measures, ours (igraph/numpy): {ours_time:8.3f} s")
    print(f"same measures, networkx {nx.__version__:>6}:    {nx_time:8.3f} s")
    print(f"ratio networkx / ours:              {nx_time / ours_time:8.1f}x")
    reading(*((2_000, 20_000) if args.quick else (100_000, 1_000_000)), args.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of the process): {peak:.0f} MiB")


if __name__ == "__main__":
    main()

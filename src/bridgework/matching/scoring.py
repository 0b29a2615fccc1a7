"""How good a candidate pair is, in points, and why, in words.

A pair's score is the sum of the :class:`~bridgework.matching.model.Weights` of the
preferences it meets, plus a seeded random jitter:

============================  ==========================================================
``first_meeting``             the two have never met (anywhere in the history)
``cross_organisation``        different organisations
``cross_team``                same organisation, different teams
``cross_workgroup``           different workgroups (RC roles)
``weak_tie_bridge``           their workgroups' RC is weak (from the RC analysis)
``no_network_tie``            scaled by ``1 - strength`` of their network tie (1 if none)
``shared_interest``           per shared interest, up to ``Policy.max_shared_interests``
``compatible_time_zone``      both time zones known and within ``Policy.time_zone_hours``
``jitter``                    uniform in ``[0, jitter)``, from the seed and the pair only
============================  ==========================================================

Scores are kept as integers in thousandths of a point, so the exact solver (which needs
integer weights) and the scalable one optimise exactly the same numbers, and the total of a
matching is exactly the sum of its pairs. The jitter depends only on the seed and the two
people (a hash), never on the order candidates were generated, which makes the round
reproducible and the randomness auditable.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from bridgework.matching.instance import Instance, lookup, pair_keys

__all__ = ["MILLI", "pair_reasons", "pair_scores", "score_components", "to_points"]

#: Scores are integers in units of 1/MILLI point.
MILLI = 1000

_CHUNK = 1 << 21
_MASK = (1 << 64) - 1


def to_points(milli: int | np.integer) -> float:
    """A score in points (three decimals) from its integer form."""
    return round(int(milli) / MILLI, 3)


def _unit_hash(keys: np.ndarray, seed: int) -> np.ndarray:
    """SplitMix64 of each key mixed with the seed, as floats uniform in [0, 1)."""
    offset = np.uint64((int(seed) * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & _MASK)
    z = keys.astype(np.uint64) + offset
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def score_components(inst: Instance, u: np.ndarray, v: np.ndarray) -> dict[str, np.ndarray]:
    """Each preference of pairs ``(u[k], v[k])`` as an array (bools, counts or fractions)."""
    policy = inst.policy
    keys = pair_keys(u, v, inst.n)
    org_u, org_v = inst.organisation[u], inst.organisation[v]
    cross_org = (org_u >= 0) & (org_v >= 0) & (org_u != org_v)
    team_u, team_v = inst.team[u], inst.team[v]
    cross_team = ~cross_org & (team_u >= 0) & (team_v >= 0) & (team_u != team_v)
    wg_u, wg_v = inst.workgroup[u], inst.workgroup[v]
    known_wg = (wg_u >= 0) & (wg_v >= 0)
    wg_key = np.minimum(wg_u, wg_v).astype(np.int64) * inst.n_workgroups + np.maximum(wg_u, wg_v)
    weak = known_wg & (lookup(inst.weak_workgroups, wg_key) >= 0)
    tie_position = lookup(inst.tie_keys, keys)
    if len(inst.tie_strength):
        strength = np.where(tie_position >= 0, inst.tie_strength[np.maximum(tie_position, 0)], 0.0)
    else:
        strength = np.zeros(len(keys))
    if inst.interest_words.shape[1]:
        common = inst.interest_words[u] & inst.interest_words[v]
        shared = np.bitwise_count(common).sum(axis=1).astype(np.int64)
    else:
        shared = np.zeros(len(keys), dtype=np.int64)
    tz_gap = np.abs(inst.tz_minutes[u] - inst.tz_minutes[v])
    with np.errstate(invalid="ignore"):
        tz_ok = tz_gap <= policy.time_zone_hours * 60
    return {
        "first_meeting": lookup(inst.met, keys) < 0,
        "cross_organisation": cross_org,
        "cross_team": cross_team,
        "cross_workgroup": known_wg & (wg_u != wg_v),
        "weak_tie_bridge": weak,
        "tie_strength": strength,
        "has_tie": tie_position >= 0,
        "shared_interests": shared,
        "compatible_time_zone": tz_ok,
        "jitter": _unit_hash(keys, inst.seed),
    }


def _milli(points: float) -> int:
    return round(points * MILLI)


def pair_scores(inst: Instance, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Score of each pair ``(u[k], v[k])`` in thousandths of a point (int64, vectorised).

    Examples
    --------
    >>> from bridgework.matching.instance import compile_instance
    >>> from bridgework.matching.model import Participant, Policy, Weights
    >>> people = [Participant("a", "X", "t", "w1"), Participant("b", "Y", "t", "w2")]
    >>> inst = compile_instance(people, policy=Policy(weights=Weights(jitter=0)))
    >>> int(pair_scores(inst, np.array([0]), np.array([1]))[0])  # 3 + 2.5 + 1 + 1 (no tie)
    7500

    Notes
    -----
    O(m (log e + w)) for m pairs, e pair facts and w interest words; computed in chunks so
    memory stays bounded on millions of candidate pairs.
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    weights = inst.policy.weights
    out = np.empty(len(u), dtype=np.int64)
    cap = inst.policy.max_shared_interests
    for start in range(0, len(u), _CHUNK):
        part = slice(start, start + _CHUNK)
        c = score_components(inst, u[part], v[part])
        total = (
            c["first_meeting"] * _milli(weights.first_meeting)
            + c["cross_organisation"] * _milli(weights.cross_organisation)
            + c["cross_team"] * _milli(weights.cross_team)
            + c["cross_workgroup"] * _milli(weights.cross_workgroup)
            + c["weak_tie_bridge"] * _milli(weights.weak_tie_bridge)
            + np.rint((1.0 - c["tie_strength"]) * _milli(weights.no_network_tie)).astype(np.int64)
            + np.minimum(c["shared_interests"], cap) * _milli(weights.shared_interest)
            + c["compatible_time_zone"] * _milli(weights.compatible_time_zone)
            + np.floor(c["jitter"] * _milli(weights.jitter)).astype(np.int64)
        )
        out[part] = total
    return out


def pair_reasons(inst: Instance, u: np.ndarray, v: np.ndarray) -> list[list[str]]:
    """The reasons for each pair, in words, most important first.

    Examples
    --------
    >>> from bridgework.matching.instance import compile_instance
    >>> from bridgework.matching.model import Participant
    >>> people = [Participant("a", "Child Welfare", workgroup="case planners"),
    ...           Participant("b", "Probation", workgroup="probation officers")]
    >>> inst = compile_instance(people, weak_ties=[("case planners", "probation officers")])
    >>> pair_reasons(inst, np.array([0]), np.array([1]))[0][:3]  # doctest: +NORMALIZE_WHITESPACE
    ['first meeting', 'crosses Child Welfare ↔ Probation',
     'bridges a weak tie between case planners and probation officers']
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    components = score_components(inst, u, v)
    # Plain lists: indexing a list per pair is many times faster than a numpy scalar.
    first_meeting = components["first_meeting"].tolist()
    cross_org = components["cross_organisation"].tolist()
    cross_team = components["cross_team"].tolist()
    weak = components["weak_tie_bridge"].tolist()
    cross_wg = components["cross_workgroup"].tolist()
    has_tie = components["has_tie"].tolist()
    strength = components["tie_strength"].tolist()
    shared = components["shared_interests"].tolist()
    tz_ok = components["compatible_time_zone"].tolist()
    roster = inst.roster
    last_met = lookup(inst.met, pair_keys(u, v, inst.n))
    if len(inst.met_last):
        last_day = np.where(last_met >= 0, inst.met_last[np.maximum(last_met, 0)], 0).tolist()
    else:
        last_day = [0] * len(u)
    epoch = date(1970, 1, 1)
    words = inst.interest_words
    same_wg = (inst.workgroup[u] == inst.workgroup[v]).tolist()
    org, team, wg = roster.organisation, roster.team, roster.workgroup
    reasons: list[list[str]] = []
    for k, (i, j) in enumerate(zip(u.tolist(), v.tolist(), strict=True)):
        said: list[str] = []
        if first_meeting[k]:
            said.append("first meeting")
        else:
            day = epoch + timedelta(days=last_day[k])
            said.append(f"met before, last on {day.isoformat()}")
        if cross_org[k]:
            said.append(f"crosses {org[i]} ↔ {org[j]}")
        elif cross_team[k]:
            said.append(f"different teams: {team[i]} ↔ {team[j]}")
        if weak[k]:
            if same_wg[k]:
                said.append(f"strengthens weak coordination within {wg[i]}")
            else:
                said.append(f"bridges a weak tie between {wg[i]} and {wg[j]}")
        elif cross_wg[k]:
            said.append(f"different workgroups: {wg[i]} ↔ {wg[j]}")
        if not has_tie[k]:
            said.append("no existing network tie")
        elif strength[k] < 0.5:
            said.append("only a light existing network tie")
        if shared[k]:
            names = []
            for word, bits in enumerate((words[i] & words[j]).tolist()):
                while bits:
                    low = bits & -bits
                    names.append(str(inst.interest_names[word * 64 + low.bit_length() - 1]))
                    bits ^= low
            said.append("shared interests: " + ", ".join(names))
        if tz_ok[k]:
            said.append("compatible time zones")
        reasons.append(said)
    return reasons

"""Compile a round's inputs (people, history, exclusions, ties, weak RC ties) into arrays.

The rules, the scores and both solvers read one :class:`Instance`: participants sorted by id
(so the input order never changes the outcome) and coded as integers, and every pair-level
fact (exclusions, recent meetings, past meetings, network ties) as a sorted array of pair keys
``min(i, j) * n + max(i, j)``, looked up in bulk with :func:`numpy.searchsorted`. Compiling a
million people takes seconds and no Python object per pair.

Inputs arrive either as objects (what the web app builds from its database) or as DataFrames
(what the file readers produce); both take the same path from here on. Ids in history,
exclusions or ties that are not among this round's participants are ignored here: they cannot
be paired anyway (the file readers reject them, because in a file they are usually typos).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from bridgework.matching.model import Participant, PastMatch, Policy, Roster

__all__ = [
    "MODE_BITS",
    "Instance",
    "compile_instance",
    "lookup",
    "pair_keys",
    "time_zone_offset",
]

#: Meeting modes as bit sets: bit 0 = can meet in person, bit 1 = can meet on video.
MODE_BITS: dict[str, int] = {"in_person": 1, "video": 2, "either": 3}

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)

History = Iterable[PastMatch] | pd.DataFrame | None
Exclusions = Iterable[tuple[str, str]] | pd.DataFrame | None
Ties = Iterable[tuple[str, str, float]] | Mapping[tuple[str, str], float] | pd.DataFrame | None


@lru_cache(maxsize=4096)
def time_zone_offset(text: str, on: date) -> int:
    """Offset from UTC in minutes of an IANA zone or a written offset, on a given date.

    Parameters
    ----------
    text : str
        ``Europe/London``, ``UTC``, ``UTC+05:30``, ``-0500`` or ``+1``.
    on : date
        The round date (summer time matters for comparing zones).

    Returns
    -------
    int
        Minutes east of UTC.

    Raises
    ------
    ValueError
        The text is neither an IANA zone nor an offset between -14 and +14 hours.

    Examples
    --------
    >>> time_zone_offset("UTC+05:30", date(2025, 1, 1))
    330
    >>> time_zone_offset("America/New_York", date(2025, 7, 1))
    -240
    """
    cleaned = text.strip()
    if cleaned.upper() in {"UTC", "GMT", "Z"}:
        return 0
    match = _OFFSET.match(cleaned)
    if match:
        sign, hours, minutes = match.groups()
        total = int(hours) * 60 + int(minutes or 0)
        if total > 14 * 60 or int(minutes or 0) >= 60:
            raise ValueError(f"{text!r} is not a UTC offset between -14:00 and +14:00")
        return -total if sign == "-" else total
    try:
        zone = ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"{text!r} is not a time zone (use e.g. Europe/London or UTC+01:00)"
        ) from exc
    offset = datetime(on.year, on.month, on.day, 12, tzinfo=zone).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


#: Sorted keys beyond which :func:`lookup` sorts its queries first (8 MB of int64 keys).
_CACHE_KEYS = 1 << 20


def pair_keys(u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """Order-free int64 key of each pair ``(u[k], v[k])`` among ``n`` people."""
    lo = np.minimum(u, v).astype(np.int64)
    hi = np.maximum(u, v).astype(np.int64)
    return lo * np.int64(n) + hi


def lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Position of each key in ``sorted_keys``, or -1 where it is absent (vectorised)."""
    if len(sorted_keys) == 0:
        return np.full(len(keys), -1, dtype=np.int64)
    if len(sorted_keys) > _CACHE_KEYS and len(keys) > _CACHE_KEYS:
        # Past the processor's cache, a binary search per random key misses memory at almost
        # every step; numpy's search walks forward from the last answer when the keys come in
        # order, so sorting them first is several times faster on millions of pairs.
        order = np.argsort(keys)
        position = np.empty(len(keys), dtype=np.int64)
        position[order] = np.searchsorted(sorted_keys, keys[order])
    else:
        position = np.searchsorted(sorted_keys, keys)
    position = np.minimum(position, len(sorted_keys) - 1)
    return np.where(sorted_keys[position] == keys, position, -1)


@dataclass(frozen=True)
class Instance:
    """One round, compiled. Index ``i`` is the ``i``-th participant in id order.

    Text attributes are integer codes (``-1`` = unknown) with their display names;
    pair facts are sorted pair-key arrays (see :func:`pair_keys`).
    """

    roster: Roster
    n: int
    organisation: np.ndarray
    team: np.ndarray
    workgroup: np.ndarray
    location: np.ndarray
    tz_minutes: np.ndarray
    mode_bits: np.ndarray
    interest_words: np.ndarray
    interest_names: np.ndarray
    priority: np.ndarray
    excluded: np.ndarray
    recent: np.ndarray
    met: np.ndarray
    met_last: np.ndarray
    tie_keys: np.ndarray
    tie_strength: np.ndarray
    weak_workgroups: np.ndarray
    n_workgroups: int
    policy: Policy
    round_date: date
    seed: int


def _codes(values: np.ndarray) -> np.ndarray:
    """Integer code per value, ``-1`` for empty; equal up to case and surrounding spaces.

    Distinct raw values are few (organisations, teams, places), so they are normalised once
    each rather than once per person: O(n) hashing plus O(u log u) for u distinct values.
    """
    raw, uniques = pd.factorize(pd.Series(values, dtype=object))
    cleaned = pd.Series(uniques, dtype=object).fillna("").astype(str).str.strip().str.casefold()
    unique_codes, _ = pd.factorize(cleaned.where(cleaned != "", None), sort=True)
    unique_codes = np.append(unique_codes.astype(np.int32), np.int32(-1))
    return unique_codes[np.where(raw >= 0, raw, len(unique_codes) - 1)]


def _sorted_roster(participants: Sequence[Participant] | Roster) -> Roster:
    roster = (
        participants if isinstance(participants, Roster) else Roster.from_participants(participants)
    )
    ids = roster.ids.astype(str)
    if len(ids) < 2 or (ids[1:] > ids[:-1]).all():
        return roster  # already in id order, ids unique (files are usually written so)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    if len(sorted_ids) > 1:
        same = sorted_ids[1:] == sorted_ids[:-1]
        if same.any():
            dupes = sorted(set(sorted_ids[1:][same].tolist()))[:5]
            raise ValueError(f"participant ids must be unique; repeated: {', '.join(dupes)}")
    if np.array_equal(order, np.arange(len(order))):
        return roster
    return Roster(**{name: getattr(roster, name)[order] for name in Roster.__dataclass_fields__})


def _id_index(roster: Roster) -> pd.Index:
    return pd.Index(roster.ids.astype(str))


def _pairs_to_index(
    frame: pd.DataFrame, index: pd.Index, n: int
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Participant indices of columns ``a`` and ``b``; rows with unknown or equal ids dropped."""
    if frame.empty:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, frame
    a, b = _indexer(frame["a"], index), _indexer(frame["b"], index)
    keep = (a >= 0) & (b >= 0) & (a != b)
    if keep.all():
        return a, b, frame
    return a[keep], b[keep], frame.loc[keep]


def _indexer(column: pd.Series, index: pd.Index) -> np.ndarray:
    """Participant index of each id in ``column`` (-1 if unknown).

    A categorical column (what the file readers produce, its categories the participant ids)
    is looked up once per category, not once per row.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        if categories.equals(index):
            at = np.arange(len(index), dtype=np.int64)
        else:
            at = index.get_indexer(pd.Index(categories.astype(str)).str.strip()).astype(np.int64)
        codes = column.cat.codes.to_numpy().astype(np.int64)
        return np.where(codes >= 0, np.append(at, -1)[codes], -1)
    return index.get_indexer(column.astype(str).str.strip()).astype(np.int64)


def _history_frame(history: History) -> pd.DataFrame:
    if history is None:
        return pd.DataFrame({"a": [], "b": [], "date": []})
    if isinstance(history, pd.DataFrame):
        return history
    rows = [(m.a, m.b, m.date) for m in history]
    return pd.DataFrame(rows, columns=["a", "b", "date"])


def _exclusions_frame(exclusions: Exclusions) -> pd.DataFrame:
    if exclusions is None:
        return pd.DataFrame({"a": [], "b": []})
    if isinstance(exclusions, pd.DataFrame):
        return exclusions
    return pd.DataFrame([tuple(pair)[:2] for pair in exclusions], columns=["a", "b"])


def _ties_frame(ties: Ties) -> pd.DataFrame:
    if ties is None:
        return pd.DataFrame({"a": [], "b": [], "strength": []})
    if isinstance(ties, pd.DataFrame):
        return ties
    if isinstance(ties, Mapping):
        rows = [(a, b, s) for (a, b), s in ties.items()]
    else:
        rows = [tuple(t) for t in ties]
    return pd.DataFrame(rows, columns=["a", "b", "strength"])


def _day_numbers(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).to_numpy().astype("datetime64[D]").astype(np.int64)


def _interest_words(interests: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bit sets of interests, ``(n, ceil(V / 64))`` uint64 words, and the vocabulary."""
    n = len(interests)
    if n == 0:
        return np.zeros((0, 0), dtype=np.uint64), np.empty(0, dtype=object)
    # Once per distinct interest list (a programme has far fewer than people), in order of
    # first appearance, so each interest keeps the spelling it is first written with.
    person_codes, distinct = pd.factorize(pd.Series(interests, dtype=object))
    if len(distinct) < n:
        lists = np.empty(len(distinct), dtype=object)
        lists[:] = list(distinct)
        words, names = _interest_words(lists)
        return words[person_codes], names
    lengths = np.fromiter((len(t) for t in interests), dtype=np.int64, count=n)
    if lengths.sum() == 0:
        return np.zeros((n, 0), dtype=np.uint64), np.empty(0, dtype=object)
    flat = pd.Series([x for t in interests for x in t], dtype=object).astype(str).str.strip()
    keys = flat.str.casefold()
    codes, vocabulary = pd.factorize(keys, sort=True)
    first = pd.Series(flat.to_numpy()).groupby(codes).first()
    names = np.empty(len(vocabulary), dtype=object)
    names[:] = first.to_numpy()
    owner = np.repeat(np.arange(n), lengths)
    words = np.zeros((n, (len(vocabulary) + 63) // 64), dtype=np.uint64)
    bits = np.left_shift(np.uint64(1), (codes & 63).astype(np.uint64))
    np.bitwise_or.at(words, (owner, codes >> 6), bits)
    return words, names


def compile_instance(
    participants: Sequence[Participant] | Roster,
    *,
    history: History = None,
    exclusions: Exclusions = None,
    ties: Ties = None,
    weak_ties: Iterable[tuple[str, str]] | None = None,
    policy: Policy | None = None,
    round_date: date | None = None,
    seed: int = 0,
) -> Instance:
    """Compile a round's inputs into an :class:`Instance` (see the module docstring).

    Parameters
    ----------
    participants : sequence of Participant or Roster
    history : iterable of PastMatch, or DataFrame with columns ``a, b, date``
    exclusions : iterable of ``(a, b)``, or DataFrame with columns ``a, b``
    ties : iterable of ``(a, b, strength)``, mapping ``(a, b) -> strength``, or DataFrame
        Network ties; strengths are scaled by the largest one, so 1 is the strongest tie.
    weak_ties : iterable of ``(workgroup, workgroup)``
        Workgroup pairs whose RC is weak (either direction).
    policy : Policy
    round_date : date
        Day of the round; the no-repeat window counts back from it. Default: today (UTC).
    seed : int

    Returns
    -------
    Instance

    Examples
    --------
    >>> inst = compile_instance([Participant("b", "X"), Participant("a", "Y")], seed=1)
    >>> inst.roster.ids.tolist(), inst.organisation.tolist()
    (['a', 'b'], [1, 0])

    Notes
    -----
    O(n log n + h log h) for n people and h history/exclusion/tie rows.
    """
    policy = policy or Policy()
    round_date = round_date or datetime.now(tz=UTC).date()
    roster = _sorted_roster(participants)
    n = len(roster)
    index = _id_index(roster)

    organisation = _codes(roster.organisation)
    team_raw = _codes(roster.team)
    team_key = np.where(
        team_raw >= 0,
        organisation.astype(np.int64) * (int(team_raw.max(initial=0)) + 1) + team_raw,
        -1,
    )
    # Teams are compared for equality only, so integer codes of (organisation, team) do.
    team = np.full(n, -1, dtype=np.int32)
    team[team_key >= 0] = np.unique(team_key[team_key >= 0], return_inverse=True)[1]
    workgroup = _codes(roster.workgroup)
    location = _codes(roster.location)
    mode_codes, modes = pd.factorize(pd.Series(roster.mode, dtype=object))
    unknown_modes = set(modes) - set(MODE_BITS)
    if unknown_modes:
        raise ValueError(f"unknown meeting mode(s): {', '.join(sorted(map(str, unknown_modes)))}")
    mode_bits = np.array([MODE_BITS[m] for m in modes], dtype=np.int8)[mode_codes]
    zone_codes, zones = pd.factorize(pd.Series(roster.time_zone, dtype=object))
    offsets = np.array(
        [float(time_zone_offset(str(z), round_date)) if str(z).strip() else np.nan for z in zones]
        + [np.nan]
    )
    tz_minutes = offsets[zone_codes]  # code -1 (a missing zone) is the NaN at the end
    interest_words, interest_names = _interest_words(roster.interests)

    ea, eb, _ = _pairs_to_index(_exclusions_frame(exclusions), index, n)
    excluded = np.unique(pair_keys(ea, eb, n))

    ha, hb, hist = _pairs_to_index(_history_frame(history), index, n)
    if len(ha):
        days = _day_numbers(hist["date"])
        keys = pair_keys(ha, hb, n)
        if not (keys[1:] > keys[:-1]).all():
            # One row per pair already, in key order, is what the file reader gives when the
            # participants file is in id order: nothing to sort then.
            order = np.lexsort((days, keys))
            keys, days = keys[order], days[order]
            last = np.r_[keys[1:] != keys[:-1], True]
            keys, days = keys[last], days[last]
        met, met_last = keys, days
        round_day = np.datetime64(round_date, "D").astype(np.int64)
        window = (met_last > round_day - policy.no_repeat_days) & (met_last <= round_day)
        recent = met[window]
    else:
        met = met_last = recent = np.empty(0, dtype=np.int64)

    ta, tb, tie_rows = _pairs_to_index(_ties_frame(ties), index, n)
    if len(ta):
        strength = pd.to_numeric(tie_rows["strength"]).to_numpy(dtype=np.float64)
        keys = pair_keys(ta, tb, n)
        order = np.lexsort((-strength, keys))
        keys, strength = keys[order], strength[order]
        first = np.r_[True, keys[1:] != keys[:-1]]
        tie_keys, tie_strength = keys[first], strength[first]
        top = tie_strength.max(initial=0.0)
        tie_strength = np.clip(tie_strength / top, 0.0, 1.0) if top > 0 else tie_strength * 0.0
    else:
        tie_keys, tie_strength = np.empty(0, dtype=np.int64), np.empty(0)

    n_workgroups = int(workgroup.max(initial=-1)) + 1
    _, first_of_code = np.unique(workgroup, return_index=True)
    code_of = {
        str(roster.workgroup[i] or "").strip().casefold(): int(workgroup[i])
        for i in first_of_code.tolist()
        if workgroup[i] >= 0
    }
    weak: list[int] = []
    for first_name, second_name in weak_ties or ():
        x = code_of.get(str(first_name).strip().casefold(), -1)
        y = code_of.get(str(second_name).strip().casefold(), -1)
        if x >= 0 and y >= 0:
            weak.append(min(x, y) * n_workgroups + max(x, y))
    weak_workgroups = np.unique(np.array(weak, dtype=np.int64))

    return Instance(
        roster=roster,
        n=n,
        organisation=organisation,
        team=team,
        workgroup=workgroup,
        location=location,
        tz_minutes=tz_minutes,
        mode_bits=mode_bits,
        interest_words=interest_words,
        interest_names=interest_names,
        priority=np.asarray(roster.priority, dtype=bool),
        excluded=excluded,
        recent=recent,  # met is sorted and unique, so recent is too
        met=met,
        met_last=met_last,
        tie_keys=tie_keys,
        tie_strength=tie_strength,
        weak_workgroups=weak_workgroups,
        n_workgroups=n_workgroups,
        policy=policy,
        round_date=round_date,
        seed=int(seed),
    )

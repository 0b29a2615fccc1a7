"""Files of the pairing engine: participants, history, exclusions, ties, RC weak ties, output.

Accepted columns (names are matched after :func:`~bridgework.datasets.tabular.normalise_header`,
so ``Time Zone`` and ``time_zone`` are the same):

============== ======================================================================
participants   ``id, organisation, team, workgroup`` required; optional ``location``,
               ``time_zone`` (or ``timezone``), ``mode`` (``in person`` / ``video`` /
               ``either``, default either), ``interests`` (separated by ``;`` or ``|``),
               ``priority`` (yes/no: sat out last round)
history        ``a, b, date`` — one row per pair that met, ISO date (YYYY-MM-DD)
exclusions     ``a, b`` — never pair these two
ties           ``a, b, strength`` — existing network tie, strength a number ≥ 0
RC JSON        ``cells`` with ``rater``, ``target``, ``band``, ``suppressed`` (from
               ``bridgework rc analyze --json``); a weak tie is band "weak", not suppressed
============== ======================================================================

Every reader collects *every* problem (row, column, reason) and raises one
:class:`~bridgework.datasets.tabular.DatasetError`; checks are vectorised with pandas so a
million-row file is validated in about a second.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bridgework.datasets.columnar import Columns, read_columns, text_objects
from bridgework.datasets.limits import describe_bytes, file_limits
from bridgework.datasets.sheets import guard_cell
from bridgework.datasets.tabular import DatasetError, Problem, Source, normalise_header
from bridgework.matching.instance import time_zone_offset
from bridgework.matching.model import PairingResult, Roster

__all__ = [
    "read_exclusions",
    "read_history",
    "read_participants",
    "read_rc_weak_ties",
    "read_ties",
    "write_pairing_csv",
]

_MODES = {
    "": "either",
    "either": "either",
    "both": "either",
    "any": "either",
    "in_person": "in_person",
    "inperson": "in_person",
    "face_to_face": "in_person",
    "video": "video",
    "online": "video",
    "remote": "video",
}
_YES = {"yes", "y", "true", "1"}
_NO = {"", "no", "n", "false", "0"}
_SPACES = re.compile(r"[\s\-]+")
_ALIASES = {"timezone": "time_zone", "tz": "time_zone", "meeting_mode": "mode"}


def _columns(
    source: Source | Columns, required: tuple[str, ...], filename: str | None
) -> tuple[Columns, dict[str, str]]:
    """Read a file as Arrow columns under canonical names, blank rows dropped.

    Returns the columns and each canonical name's header as written; a missing required
    column is a problem.
    """
    read = source if isinstance(source, Columns) else read_columns(source, filename=filename)
    original: dict[str, str] = {}
    for name in read.names:
        key = normalise_header(name)
        original[_ALIASES.get(key, key)] = name
    missing = [c for c in required if c not in original]
    if missing:
        raise DatasetError(Problem(1, c, "required column is missing") for c in missing)
    table = pa.table({key: read.table.column(name) for key, name in original.items()})
    rows = read.rows
    if table.num_rows and table.num_columns:
        filled = pc.greater(pc.utf8_length(table.column(0)), 0)
        for column in table.columns[1:]:
            filled = pc.or_(filled, pc.greater(pc.utf8_length(column), 0))
        keep = filled.to_numpy(zero_copy_only=False)
        if not keep.all():
            table, rows = table.filter(filled), rows[keep]
    return Columns(table, rows), original


def _frame(
    source: Source | Columns, required: tuple[str, ...], filename: str | None
) -> pd.DataFrame:
    """Read a file into text columns under canonical names (object dtype, index = row)."""
    columns, original = _columns(source, required, filename)
    frame = columns.to_frame()
    frame.attrs["original"] = original
    return frame


def _per_distinct(column: pd.Series, function: Callable[[str], object]) -> np.ndarray:
    """``function`` of each value, computed once per distinct value (object array)."""
    codes, distinct = pd.factorize(column.to_numpy(dtype=object))
    values = np.empty(len(distinct) + 1, dtype=object)
    values[:-1] = [function(str(text)) for text in distinct]
    return values[codes]


def _where(
    frame: pd.DataFrame, mask: pd.Series | np.ndarray, column: str, reason: str
) -> list[Problem]:
    label = frame.attrs["original"].get(column, column)
    return [Problem(int(row), label, reason) for row in frame.index[np.asarray(mask)]]


def read_participants(source: Source | Columns, *, filename: str | None = None) -> Roster:
    """Read and validate a participants file into a :class:`~bridgework.matching.model.Roster`.

    Raises
    ------
    DatasetError
        Missing columns, empty or duplicated ids, empty organisation, unknown meeting mode,
        in-person-only without a location, unknown time zone, unreadable priority.

    Examples
    --------
    >>> data = b"id,organisation,team,workgroup,mode\\nana,Probation,A,PO,video\\n"
    >>> roster = read_participants(data)
    >>> roster.ids.tolist(), roster.mode.tolist()
    (['ana'], ['video'])
    """
    frame = _frame(source, ("id", "organisation", "team", "workgroup"), filename)
    problems: list[Problem] = []
    ids = frame["id"]
    problems += _where(frame, ids == "", "id", "id is empty")
    repeated = ids.duplicated(keep="first") & (ids != "")
    if repeated.any():
        first_row = (
            pd.Series(frame.index, index=frame.index).groupby(ids.to_numpy()).transform("min")
        )
        for row in frame.index[repeated.to_numpy()]:
            problems.append(
                Problem(
                    int(row),
                    frame.attrs["original"]["id"],
                    f"id {ids[row]!r} already appears on row {first_row[row]}",
                )
            )
    problems += _where(frame, frame["organisation"] == "", "organisation", "organisation is empty")
    empty = pd.Series("", index=frame.index)
    location = frame.get("location", empty)
    raw_mode = frame.get("mode", empty)
    mode = pd.Series(
        _per_distinct(raw_mode, lambda text: _MODES.get(_SPACES.sub("_", text.lower()))),
        index=frame.index,
        dtype=object,
    )
    bad_mode = mode.isna()
    problems += _where(frame, bad_mode, "mode", "mode must be in person, video or either")
    problems += _where(
        frame,
        (mode == "in_person") & (location == ""),
        "location",
        "meets in person only, so a location is needed",
    )
    zones = frame.get("time_zone", empty)
    bad_zones = set()
    for zone in zones.unique():
        if zone:
            try:
                time_zone_offset(zone, date(2000, 1, 1))
            except ValueError:
                bad_zones.add(zone)
    if bad_zones:
        problems += _where(
            frame,
            zones.isin(bad_zones),
            "time_zone",
            "unknown time zone (use e.g. Europe/London or UTC+01:00)",
        )
    priority_text = _per_distinct(frame.get("priority", empty), str.lower)
    bad_priority = ~np.isin(priority_text, list(_YES | _NO))
    problems += _where(frame, bad_priority, "priority", "priority must be yes or no")
    if problems:
        raise DatasetError(problems)
    interests_text = frame.get("interests", empty)
    interests = np.empty(len(frame), dtype=object)
    if (interests_text != "").any():
        # Once per distinct text: a programme has far fewer interest lists than people.
        codes, texts = pd.factorize(interests_text.to_numpy(dtype=object))
        parsed = np.empty(len(texts), dtype=object)
        parsed[:] = [
            tuple(sorted({x.strip() for x in text.replace("|", ";").split(";") if x.strip()}))
            for text in texts
        ]
        interests[:] = parsed[codes]
    else:
        interests[:] = [()] * len(frame)

    def column(series: pd.Series) -> np.ndarray:
        return series.to_numpy(dtype=object)

    return Roster(
        ids=column(ids),
        organisation=column(frame["organisation"]),
        team=column(frame["team"]),
        workgroup=column(frame["workgroup"]),
        location=column(location),
        time_zone=column(zones),
        mode=column(mode),
        interests=interests,
        priority=np.isin(priority_text, list(_YES)),
    )


def _pair_columns(
    source: Source | Columns,
    required: tuple[str, ...],
    participants: Roster,
    filename: str | None,
) -> tuple[Columns, dict[str, str], np.ndarray, np.ndarray, list[Problem]]:
    """Read a file of pairs: the columns, their headers as written, ``a`` and ``b`` as indices
    into ``participants`` (-1 where empty or unknown), and the problems with the two ids.

    Ids are looked up in bulk (``pyarrow.compute.index_in``), so a file of millions of pairs
    never makes a Python string per row; only a row with a problem is looked at alone.
    """
    columns, original = _columns(source, required, filename)
    known = pa.array(np.asarray(participants.ids, dtype=object).tolist(), type=pa.string())
    problems: list[Problem] = []
    found: dict[str, np.ndarray] = {}
    for name in ("a", "b"):
        values = columns.column(name)
        position = pc.fill_null(pc.index_in(values, value_set=known), -1)
        index = position.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
        empty = pc.utf8_length(values).to_numpy(zero_copy_only=False) == 0
        label = original[name]
        problems += [Problem(int(row), label, "id is empty") for row in columns.rows[empty]]
        for k in np.flatnonzero((index < 0) & ~empty).tolist():
            problems.append(
                Problem(int(columns.rows[k]), label, f"{values[k].as_py()!r} is not a participant")
            )
        found[name] = index
    a_text, b_text = columns.column("a"), columns.column("b")
    same = pc.and_(pc.equal(a_text, b_text), pc.greater(pc.utf8_length(a_text), 0))
    same_rows = columns.rows[same.to_numpy(zero_copy_only=False)]
    problems += [
        Problem(int(row), original["b"], "a and b are the same person") for row in same_rows
    ]
    return columns, original, found["a"], found["b"], problems


def _pairs(participants: Roster, a: np.ndarray, b: np.ndarray, **more: object) -> pd.DataFrame:
    """A frame of pairs whose ``a`` and ``b`` are categoricals over the participant ids."""
    ids = pd.Index(np.asarray(participants.ids, dtype=object), dtype=object)
    return pd.DataFrame(
        {
            "a": pd.Categorical.from_codes(a, categories=ids, validate=False),
            "b": pd.Categorical.from_codes(b, categories=ids, validate=False),
            **more,
        }
    )


def read_history(
    source: Source | Columns, *, participants: Roster, filename: str | None = None
) -> pd.DataFrame:
    """Read past matches (``a, b, date``): one row per pair that met, with its last date.

    Only what the rules and the scores use is kept: whether a pair has met, and when last
    (the no-repeat window and the reasons count from it). So the frame has one row per pair
    however many rounds the file spans, ``a`` and ``b`` are categoricals over the participant
    ids (``a`` the earlier in the participants file) and ``date`` is datetime64.

    Raises
    ------
    DatasetError
        Missing columns, ids that are not participants, a person paired with themself,
        dates that are not ISO ``YYYY-MM-DD``.

    Notes
    -----
    Dates are parsed once per distinct value (a history has one per round); the pairs are
    reduced with one integer sort, O(h log h) for h rows.
    """
    columns, original, a, b, problems = _pair_columns(
        source, ("a", "b", "date"), participants, filename
    )
    encoded = pc.dictionary_encode(columns.column("date"))
    distinct = pd.to_datetime(
        pd.Series(encoded.dictionary.to_pylist(), dtype=object), format="%Y-%m-%d", errors="coerce"
    )
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    bad_date = distinct.isna().to_numpy()[codes] if len(codes) else np.zeros(0, dtype=bool)
    problems += [
        Problem(int(row), original["date"], "date must be YYYY-MM-DD")
        for row in columns.rows[bad_date]
    ]
    if problems:
        raise DatasetError(problems)
    day_of = distinct.to_numpy().astype("datetime64[D]").astype(np.int64)
    del columns, encoded, bad_date  # the text is no longer needed: free it before sorting
    n = max(len(participants), 1)
    if not len(codes):
        empty = np.zeros(0, dtype=np.int64)
        return _pairs(participants, empty, empty, date=empty.astype("datetime64[s]"))
    first_day = int(day_of.min())
    span = int(day_of.max()) - first_day + 1
    # One int64 per row, (pair key, day) packed when they fit: sorting it in place reduces
    # the history without an order array or a gathered copy of each column.
    key = np.minimum(a, b).astype(np.int64)
    key *= n
    key += np.maximum(a, b)
    del a, b
    if n * n * span < 1 << 62:
        key *= span
        key += (day_of - first_day)[codes]
        del codes
        key.sort()
        pair = key // span
        last = np.empty(len(key), dtype=bool)
        last[-1] = True
        np.not_equal(pair[1:], pair[:-1], out=last[:-1])
        days = key[last] % span + first_day
        pair = pair[last]
    else:
        days = day_of[codes]
        order = np.lexsort((days, key))
        pair, days = key[order], days[order]
        last = np.r_[pair[1:] != pair[:-1], True]
        pair, days = pair[last], days[last]
    del key, last
    lo, hi = pair // n, pair % n
    return _pairs(participants, lo, hi, date=days.astype("datetime64[D]").astype("datetime64[s]"))


def read_exclusions(
    source: Source | Columns, *, participants: Roster, filename: str | None = None
) -> pd.DataFrame:
    """Read pairs that must never be made (``a, b``), as categoricals over the participant ids.

    Raises
    ------
    DatasetError
        Missing columns, ids that are not participants, a person excluded from themself.
    """
    _, _, a, b, problems = _pair_columns(source, ("a", "b"), participants, filename)
    if problems:
        raise DatasetError(problems)
    return _pairs(participants, a, b)


def read_ties(
    source: Source | Columns, *, participants: Roster, filename: str | None = None
) -> pd.DataFrame:
    """Read existing network ties (``a, b, strength``), strength a finite number ≥ 0.

    Raises
    ------
    DatasetError
        Missing columns, unknown ids, self-ties, strengths that are not numbers ≥ 0.
    """
    columns, original, a, b, problems = _pair_columns(
        source, ("a", "b", "strength"), participants, filename
    )
    text = pd.Series(text_objects(columns.column("strength")), dtype=object)
    strength = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(strength) | (np.nan_to_num(strength) < 0)
    problems += [
        Problem(int(row), original["strength"], "strength must be a number ≥ 0")
        for row in columns.rows[bad]
    ]
    if problems:
        raise DatasetError(problems)
    return _pairs(participants, a, b, strength=strength)


def read_rc_weak_ties(source: str | os.PathLike[str] | bytes) -> list[tuple[str, str]]:
    """Workgroup pairs with a weak RC tie, from ``bridgework rc analyze --json`` output.

    A cell is a weak tie when its ``band`` is ``"weak"`` and it is not ``suppressed``
    (a suppressed cell's value must not steer anything).

    Examples
    --------
    >>> data = b'{"cells": [{"rater": "nurses", "target": "porters", "rc": 2.1, '
    >>> data += b'"band": "weak", "suppressed": false}]}'
    >>> read_rc_weak_ties(data)
    [('nurses', 'porters')]

    Raises
    ------
    DatasetError
        Not JSON, no ``cells`` list, or cells missing ``rater``/``target``/``band``.
    """
    limits = file_limits()
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    if size > limits.file_bytes:
        raise DatasetError(
            [
                Problem(
                    None,
                    None,
                    f"the file has more than {describe_bytes(limits.file_bytes)}, the limit; "
                    f"raise {limits.file_bytes_variable}",
                )
            ]
        )
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except RecursionError as exc:
        raise DatasetError([Problem(None, None, "not valid JSON (nested too deeply)")]) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError([Problem(None, None, f"not valid JSON ({exc})")]) from exc
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise DatasetError([Problem(None, "cells", "expected a list of RC cells")])
    problems: list[Problem] = []
    weak: set[tuple[str, str]] = set()
    for position, cell in enumerate(cells):
        where = f"cells[{position}]"
        if not isinstance(cell, dict):
            problems.append(Problem(None, where, "must be an object"))
            continue
        for key in ("rater", "target", "band"):
            if not isinstance(cell.get(key), str) or not cell.get(key):
                problems.append(Problem(None, f"{where}.{key}", "must be a non-empty string"))
        if "suppressed" in cell and not isinstance(cell["suppressed"], bool):
            problems.append(Problem(None, f"{where}.suppressed", "must be true or false"))
        if problems:
            continue
        if cell["band"] == "weak" and not cell.get("suppressed", False):
            weak.add((cell["rater"], cell["target"]))
    if problems:
        raise DatasetError(problems)
    return sorted(weak)


def write_pairing_csv(result: PairingResult, path: str | os.PathLike[str]) -> None:
    """Write one row per participant: ``id, status, match, partners, score, reasons``.

    ``status`` is ``matched``, ``holdout`` or ``sit_out``; ``match`` numbers the groups from 1;
    ``partners`` and ``reasons`` are joined with ``"; "``; for ``sit_out`` rows ``reasons``
    says why the person sits out. One row per person suits a mail
    merge ("your coffee partner this round is ..."). Text cells are guarded against
    spreadsheet formulas (:func:`~bridgework.datasets.sheets.guard_cell`).
    """
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "status", "match", "partners", "score", "reasons"])
        rows = []
        for number, match in enumerate(result.matches, start=1):
            reasons = "; ".join(match.reasons)
            for member in match.members:
                partners = "; ".join(m for m in match.members if m != member)
                rows.append((member, "matched", number, partners, f"{match.score:.3f}", reasons))
        rows.extend((pid, "holdout", "", "", "", "") for pid in result.holdout)
        why = result.sit_out_reasons or ("",) * len(result.sit_out)
        rows.extend(
            (pid, "sit_out", "", "", "", reason)
            for pid, reason in zip(result.sit_out, why, strict=True)
        )
        # Ids and reasons come from the participants' file: guarded like every other CSV
        # the project writes, so "=HYPERLINK(...)" as an id is text, not a formula.
        writer.writerows(
            [guard_cell(cell) if isinstance(cell, str) else cell for cell in row] for row in rows
        )

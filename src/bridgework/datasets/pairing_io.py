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
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from bridgework.datasets.limits import describe_bytes, file_limits
from bridgework.datasets.tabular import DatasetError, Problem, Source, normalise_header, read_frame
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
_ALIASES = {"timezone": "time_zone", "tz": "time_zone", "meeting_mode": "mode"}


def _frame(source: Source, required: tuple[str, ...], filename: str | None) -> pd.DataFrame:
    """Read a file and rename its columns to canonical names; missing columns are problems."""
    frame = read_frame(source, filename=filename)
    names: dict[str, str] = {}
    for column in frame.columns:
        key = normalise_header(str(column))
        names[column] = _ALIASES.get(key, key)
    original = {names[c]: str(c) for c in frame.columns}
    frame = frame.rename(columns=names)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DatasetError(Problem(1, c, "required column is missing") for c in missing)
    frame.attrs["original"] = original
    return frame.apply(_strip) if len(frame) else frame


def _strip(column: pd.Series) -> pd.Series:
    """``column.str.strip()``, computed once per distinct value when values repeat a lot."""
    codes, uniques = pd.factorize(column)
    if len(uniques) * 4 > len(column):
        return column.str.strip()
    stripped = pd.Series(uniques, dtype=object).str.strip().to_numpy(dtype=object)
    values = np.where(codes >= 0, stripped[np.maximum(codes, 0)], column.to_numpy(dtype=object))
    return pd.Series(values, index=column.index, dtype=column.dtype, name=column.name)


def _where(
    frame: pd.DataFrame, mask: pd.Series | np.ndarray, column: str, reason: str
) -> list[Problem]:
    label = frame.attrs["original"].get(column, column)
    return [Problem(int(row), label, reason) for row in frame.index[np.asarray(mask)]]


def _drop_blank(frame: pd.DataFrame) -> pd.DataFrame:
    if not len(frame):
        return frame
    return frame.loc[(frame != "").any(axis=1)]


def read_participants(source: Source, *, filename: str | None = None) -> Roster:
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
    frame = _drop_blank(_frame(source, ("id", "organisation", "team", "workgroup"), filename))
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
    mode_key = raw_mode.str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    mode = mode_key.map(_MODES)
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
    priority_text = frame.get("priority", empty).str.lower()
    bad_priority = ~priority_text.isin(_YES | _NO)
    problems += _where(frame, bad_priority, "priority", "priority must be yes or no")
    if problems:
        raise DatasetError(problems)
    interests_text = frame.get("interests", empty)
    interests = np.empty(len(frame), dtype=object)
    if (interests_text != "").any():
        split = interests_text.str.replace("|", ";", regex=False).str.split(";")
        interests[:] = [tuple(sorted({x.strip() for x in parts if x.strip()})) for parts in split]
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
        priority=priority_text.isin(_YES).to_numpy(),
    )


def _pair_frame(
    source: Source, required: tuple[str, ...], known: pd.Index, filename: str | None
) -> tuple[pd.DataFrame, list[Problem]]:
    frame = _drop_blank(_frame(source, required, filename))
    problems: list[Problem] = []
    for column in ("a", "b"):
        values = frame[column]
        problems += _where(frame, values == "", column, "id is empty")
        unknown = (values != "") & ~values.isin(known)
        for row in frame.index[unknown.to_numpy()]:
            problems.append(
                Problem(
                    int(row),
                    frame.attrs["original"][column],
                    f"{values[row]!r} is not a participant",
                )
            )
    same = (frame["a"] == frame["b"]) & (frame["a"] != "")
    problems += _where(frame, same, "b", "a and b are the same person")
    return frame, problems


def read_history(
    source: Source, *, participants: Roster, filename: str | None = None
) -> pd.DataFrame:
    """Read past matches (``a, b, date``): a DataFrame with ``date`` as datetime64.

    Raises
    ------
    DatasetError
        Missing columns, ids that are not participants, a person paired with themself,
        dates that are not ISO ``YYYY-MM-DD``.
    """
    known = pd.Index(participants.ids.astype(str))
    frame, problems = _pair_frame(source, ("a", "b", "date"), known, filename)
    text = frame["date"]
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    problems += _where(frame, parsed.isna(), "date", "date must be YYYY-MM-DD")
    if problems:
        raise DatasetError(problems)
    return pd.DataFrame({"a": frame["a"], "b": frame["b"], "date": parsed})


def read_exclusions(
    source: Source, *, participants: Roster, filename: str | None = None
) -> pd.DataFrame:
    """Read pairs that must never be made (``a, b``).

    Raises
    ------
    DatasetError
        Missing columns, ids that are not participants, a person excluded from themself.
    """
    known = pd.Index(participants.ids.astype(str))
    frame, problems = _pair_frame(source, ("a", "b"), known, filename)
    if problems:
        raise DatasetError(problems)
    return pd.DataFrame({"a": frame["a"], "b": frame["b"]})


def read_ties(source: Source, *, participants: Roster, filename: str | None = None) -> pd.DataFrame:
    """Read existing network ties (``a, b, strength``), strength a finite number ≥ 0.

    Raises
    ------
    DatasetError
        Missing columns, unknown ids, self-ties, strengths that are not numbers ≥ 0.
    """
    known = pd.Index(participants.ids.astype(str))
    frame, problems = _pair_frame(source, ("a", "b", "strength"), known, filename)
    strength = pd.to_numeric(frame["strength"], errors="coerce")
    bad = strength.isna() | ~np.isfinite(strength.fillna(0)) | (strength < 0)
    problems += _where(frame, bad, "strength", "strength must be a number ≥ 0")
    if problems:
        raise DatasetError(problems)
    return pd.DataFrame({"a": frame["a"], "b": frame["b"], "strength": strength})


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
    merge ("your coffee partner this round is ...").
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
        writer.writerows(rows)

"""Validating the people and nominations of a network survey, all-or-nothing.

The two tables :func:`~bridgework.analysis.network.analyze_network` reads, whichever tool
collected them (a file through :mod:`bridgework.datasets.network_io`, or the app's database):

* **people**: one row per person in the directory, an ``id`` column and any attribute
  columns (``name``, ``email``, ``organisation``, ``team``, ``workgroup``, …). Column names are
  normalised (``" Organisation "`` → ``organisation``) so ``group_by="organisation"`` finds them.
  An optional ``responded`` column (yes/no) says who answered the survey; without it, a person
  counts as a respondent when they nominated at least one colleague.
* **nominations**: one row per answer "ego named alter", columns ``ego`` and ``alter``
  (people ids), optionally ``relation`` (``works_with`` when absent or blank; compared without
  regard to case) and ``weight`` (a positive number such as the 1–5 answer; 1 when absent or
  blank).

Every problem is collected (unknown ids, self-nominations, bad weights, duplicated
nominations, missing columns, duplicated people) and raised as one
:class:`~bridgework.problems.DatasetError`; nothing is returned while any remain. The checks
are vectorised with pandas, so 100,000 nominations validate in well under a second; only rows
with problems are visited one by one. The validators sit in the core, beside the analysis they
guard, so the core needs nothing from the file readers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bridgework.problems import FIRST_DATA_ROW, DatasetError, Problem, normalise_header

__all__ = [
    "DEFAULT_RELATION",
    "NOMINATION_COLUMNS",
    "as_frame",
    "validate_nominations",
    "validate_people",
]

#: Relation given to nominations from a file without a ``relation`` column (or a blank cell).
DEFAULT_RELATION = "works_with"

#: Columns of a validated nominations frame, in order.
NOMINATION_COLUMNS = ("ego", "alter", "relation", "weight")

_YES = frozenset({"yes", "y", "true", "1", "responded"})
_NO = frozenset({"no", "n", "false", "0", ""})


def _text(value: Any) -> str:
    """One cell as stripped text; numbers from spreadsheets or databases lose a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def as_frame(data: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Text copy of a DataFrame or of plain records, with normalised column names.

    The index becomes the spreadsheet row number (the header is row 1), so problems cite rows
    the way a user sees them. A frame from :func:`bridgework.datasets.tabular.read_frame`
    keeps its row numbers.
    """
    frame = data.copy() if isinstance(data, pd.DataFrame) else pd.DataFrame(list(data))
    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.start == FIRST_DATA_ROW):
        frame.index = pd.RangeIndex(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame))
    frame.columns = [normalise_header(str(c)) for c in frame.columns]
    repeated = frame.columns[frame.columns.duplicated()]
    if len(repeated):
        raise DatasetError(
            Problem(1, name, "column appears twice") for name in dict.fromkeys(repeated)
        )
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_string_dtype(series) and not series.isna().any():
            frame[column] = series.astype(str).str.strip()
        else:
            frame[column] = series.map(_text).astype(str)
    return frame


def _known(values: pd.Series, known: pa.Array) -> np.ndarray:
    """Which cells are in ``known``: one Arrow hash lookup per cell.

    ``Series.isin`` on pandas' Arrow-backed text turns the whole value set into Python objects
    on every call, which at 100,000 ids costs more than the lookups themselves.
    """
    cells = pa.array(values, from_pandas=True)
    found = pc.is_in(cells, value_set=known.cast(cells.type))
    return found.to_numpy(zero_copy_only=False)


def _casefold(values: pd.Series) -> pd.Series:
    """``str.casefold`` once per distinct value (a column has a handful of relations)."""
    codes, distinct = pd.factorize(values)
    folded = np.array([str(value).casefold() for value in distinct] + [""], dtype=object)
    return pd.Series(folded[codes], index=values.index, dtype=str)


def _numbers(values: pd.Series) -> pd.Series:
    """Text cells as floats, NaN where a cell is not a number.

    Arrow's cast parses a column of valid numbers in one pass; a column with a bad cell falls
    back to ``pandas.to_numeric``, which marks each bad cell rather than failing.
    """
    try:
        parsed = pc.cast(pa.array(values, from_pandas=True), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return pd.to_numeric(values, errors="coerce")
    return pd.Series(parsed.to_numpy(zero_copy_only=False), index=values.index)


def _blank_rows(frame: pd.DataFrame) -> pd.Series:
    if frame.shape[1] == 0:
        return pd.Series(True, index=frame.index)
    return (frame == "").all(axis=1)


def validate_people(data: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Check a people table and return it clean: ``id``, attributes, ``responded`` if given.

    Parameters
    ----------
    data : DataFrame or iterable of mappings
        One row per person; an ``id`` column plus attribute columns. Cells may be text or
        numbers; they are compared as text.

    Returns
    -------
    DataFrame
        Text columns with normalised names, blank rows dropped, indexed by spreadsheet row.
        ``responded`` (when present) is boolean.

    Raises
    ------
    DatasetError
        No ``id`` column, a blank or repeated id, a ``responded`` cell that is not yes/no, or
        two columns whose names normalise to the same name.

    Examples
    --------
    >>> people = validate_people([{"id": 1, "Organisation": "Health"}, {"id": 2}])
    >>> list(people.columns), list(people["id"])
    (['id', 'organisation'], ['1', '2'])
    """
    frame = as_frame(data)
    if frame.shape == (0, 0):  # no records at all
        frame = pd.DataFrame({"id": pd.Series(dtype=str)})
    problems: list[Problem] = []
    if "id" not in frame.columns:
        raise DatasetError([Problem(1, "id", "the people file needs an id column")])
    frame = frame.loc[~_blank_rows(frame)]
    ids = frame["id"]
    for row in ids.index[ids == ""]:
        problems.append(Problem(int(row), "id", "id is blank"))
    repeated = ids.duplicated(keep="first") & (ids != "")
    if repeated.any():
        first_row = {value: int(row) for row, value in ids[~ids.duplicated()].items()}
        for row, value in ids[repeated].items():
            problems.append(
                Problem(int(row), "id", f"id {value} is already used on row {first_row[value]}")
            )
    if "responded" in frame.columns:
        answers = frame["responded"].str.casefold()
        bad = ~answers.isin(_YES | _NO)
        for row, value in frame.loc[bad, "responded"].items():
            problems.append(Problem(int(row), "responded", f"expected yes or no, not {value!r}"))
        if not bad.any():
            frame = frame.assign(responded=answers.isin(_YES))
    if problems:
        raise DatasetError(problems)
    return frame


def validate_nominations(
    data: pd.DataFrame | Iterable[Mapping[str, Any]], people_ids: Iterable[str]
) -> pd.DataFrame:
    """Check nominations against the people ids and return them clean.

    Parameters
    ----------
    data : DataFrame or iterable of mappings
        Columns ``ego`` and ``alter`` (required), ``relation`` and ``weight`` (optional).
    people_ids : iterable of str
        Every valid person id (from :func:`validate_people`).

    Returns
    -------
    DataFrame
        Columns ``ego``, ``alter``, ``relation`` (lower case) as text and ``weight`` as float,
        blank rows dropped, indexed by spreadsheet row.

    Raises
    ------
    DatasetError
        Missing ``ego``/``alter`` column; blank or unknown ids; a self-nomination; a weight that
        is not a positive finite number; the same (ego, alter, relation) twice.

    Examples
    --------
    >>> rows = [{"ego": "a", "alter": "b", "weight": "4"}, {"ego": "b", "alter": "a"}]
    >>> validate_nominations(rows, ["a", "b"]).to_dict("records")[0]
    {'ego': 'a', 'alter': 'b', 'relation': 'works_with', 'weight': 4.0}

    Notes
    -----
    O(rows) vectorised work plus O(problems) to report them.
    """
    frame = as_frame(data)
    if frame.shape == (0, 0):  # no records at all (a wave nobody has answered yet)
        frame = pd.DataFrame({column: pd.Series(dtype=str) for column in ("ego", "alter")})
    problems = [
        Problem(1, column, "the nominations file needs this column")
        for column in ("ego", "alter")
        if column not in frame.columns
    ]
    if problems:
        raise DatasetError(problems)
    frame = frame.loc[~_blank_rows(frame)]
    ids = people_ids if isinstance(people_ids, pd.Series) else list(people_ids)
    known = pc.unique(pa.array(ids, type=pa.large_string(), from_pandas=True))
    for column in ("ego", "alter"):
        values = frame[column]
        for row in values.index[values == ""]:
            problems.append(Problem(int(row), column, f"{column} is blank"))
        unknown = (values != "") & ~_known(values, known)
        for row, value in values[unknown].items():
            problems.append(Problem(int(row), column, f"no person with id {value}"))
    self_rows = (frame["ego"] == frame["alter"]) & (frame["ego"] != "")
    for row, value in frame.loc[self_rows, "ego"].items():
        problems.append(Problem(int(row), "alter", f"{value} nominates themselves"))

    if "relation" in frame.columns:
        relation = _casefold(frame["relation"]).replace("", DEFAULT_RELATION)
    else:
        relation = pd.Series(DEFAULT_RELATION, index=frame.index, dtype=str)
    if "weight" in frame.columns:
        raw = frame["weight"]
        weight = _numbers(raw.replace("", "1"))
        bad = ~(np.isfinite(weight.to_numpy(dtype=float, na_value=np.nan)) & (weight > 0))
        for row, value in raw[bad].items():
            problems.append(
                Problem(int(row), "weight", f"expected a positive number, not {value!r}")
            )
    else:
        weight = pd.Series(1.0, index=frame.index)

    clean = pd.DataFrame(
        {
            "ego": frame["ego"],
            "alter": frame["alter"],
            "relation": relation.astype(str),
            "weight": weight.astype(float),
        },
        index=frame.index,
    )
    key = clean[["ego", "alter", "relation"]]
    repeated = key.duplicated(keep="first")
    if repeated.any():
        first = key[~key.duplicated(keep="first")]
        first_row = {
            tuple(values): int(row)
            for row, values in zip(first.index, first.to_numpy(), strict=True)
        }
        for row, values in key[repeated].iterrows():
            ego, alter, rel = values
            problems.append(
                Problem(
                    int(row),
                    None,
                    f"{ego} → {alter} ({rel}) is already on row {first_row[(ego, alter, rel)]}",
                )
            )
    if problems:
        raise DatasetError(problems)
    return clean

"""People and nominations files for network mapping, validated row by row, all-or-nothing.

Two files describe a network survey, whichever tool collected it:

* a **people file**: one row per person in the directory, an ``id`` column and any attribute
  columns (``name``, ``email``, ``organisation``, ``team``, ``workgroup``, …). Column names are
  normalised (``" Organisation "`` → ``organisation``) so ``--group-by organisation`` finds them.
  An optional ``responded`` column (yes/no) says who answered the survey; without it, a person
  counts as a respondent when they nominated at least one colleague.
* a **nominations file**: one row per answer "ego named alter", columns ``ego`` and ``alter``
  (people ids), optionally ``relation`` (``works_with`` when absent or blank; compared without
  regard to case) and ``weight`` (a positive number such as the 1–5 answer; 1 when absent or
  blank).

Every problem in a file is collected (unknown ids, self-nominations, bad weights, duplicated
nominations, missing columns, duplicated people) and raised as one
:class:`~bridgework.problems.DatasetError`; nothing is returned while any remain. The
validators themselves live in the core (:mod:`bridgework.analysis.network_input`), which the
analysis also calls on rows from the database; they are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from bridgework.analysis.network_input import (
    DEFAULT_RELATION,
    NOMINATION_COLUMNS,
    as_frame,
    validate_nominations,
    validate_people,
)
from bridgework.datasets.columnar import read_columns
from bridgework.datasets.tabular import Source

__all__ = [
    "DEFAULT_RELATION",
    "NOMINATION_COLUMNS",
    "as_frame",
    "read_network_people",
    "read_nominations",
    "validate_nominations",
    "validate_people",
]


def read_network_people(source: Source, *, filename: str | None = None) -> pd.DataFrame:
    """Read and validate a people file (CSV or XLSX); see :func:`validate_people`."""
    return validate_people(read_columns(source, filename=filename).to_text_frame())


def read_nominations(
    source: Source, people_ids: Iterable[str], *, filename: str | None = None
) -> pd.DataFrame:
    """Read and validate a nominations file (CSV or XLSX); see :func:`validate_nominations`."""
    return validate_nominations(read_columns(source, filename=filename).to_text_frame(), people_ids)

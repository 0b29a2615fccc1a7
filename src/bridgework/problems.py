"""Problems with an input, reported where the user can find them: the project's leaf module.

Every reader and validator in Bridgework — the file importers in :mod:`bridgework.datasets`,
the network validators and the policy reader in the pure core (:mod:`bridgework.analysis`,
:mod:`bridgework.matching`) — reports what is wrong as :class:`Problem` s and raises them
together as one :class:`DatasetError`, so a user fixes a file in one pass and nothing is written
meanwhile.

This module imports nothing else of the project (an import-linter contract in
``pyproject.toml`` keeps it so): the core and every layer above it may import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["FIRST_DATA_ROW", "DatasetError", "Problem", "normalise_header", "problem_line"]

#: Spreadsheet row number of the first data row (row 1 is the header).
FIRST_DATA_ROW = 2


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located where the user can find it.

    ``row`` is the spreadsheet row (header = 1) or ``None`` for the whole file;
    ``column`` is the column name as the user wrote it, or ``None`` for the whole row.

    Examples
    --------
    >>> str(Problem(3, "email", "not an email address"))
    'row 3, column email: not an email address'
    """

    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        where = ", ".join(parts) if parts else "file"
        return f"{where}: {self.reason}"


class DatasetError(ValueError):
    """An input failed validation; ``problems`` lists every problem found, sorted by row."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(
            problems, key=lambda p: (p.row or 0, p.column or "", p.reason)
        )
        if not self.problems:
            raise ValueError("DatasetError needs at least one problem")
        count = len(self.problems)
        summary = str(self.problems[0])
        if count > 1:
            summary += f" (and {count - 1} more problem{'s' if count > 2 else ''})"
        super().__init__(summary)


def normalise_header(name: str) -> str:
    """Canonical form of a column name: ``" E-mail Address "`` → ``"e_mail_address"``."""
    cleaned = name.strip().lstrip("\ufeff").lower()
    out = []
    for char in cleaned:
        out.append(char if char.isalnum() else "_")
    return "_".join(part for part in "".join(out).split("_") if part)


def problem_line(problem: Problem, file: str | None = None) -> str:
    """A problem as the command line prints it: a whole-file problem names the file.

    Examples
    --------
    >>> problem_line(Problem(None, None, "not a CSV or XLSX table (binary data)"), "people.csv")
    'people.csv: not a CSV or XLSX table (binary data)'
    >>> problem_line(Problem(4, "email", "not an email address"), "people.csv")
    'row 4, column email: not an email address'
    """
    if file and problem.row is None and problem.column is None:
        return f"{file}: {problem.reason}"
    return str(problem)

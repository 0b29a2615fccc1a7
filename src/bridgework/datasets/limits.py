"""How big a file Bridgework reads: every limit, its default and its variable, in one place.

Every reader (:mod:`bridgework.datasets.tabular` and everything built on it) checks a file
against a :class:`Limits` *before* doing the work: the bytes on disk, the bytes an XLSX would
unpack to (and how hard it is compressed, so a zip bomb is refused unopened), then the rows,
columns and cell lengths as it streams. A file over a limit is refused at once with a message
naming the limit and the variable that raises it.

Two sets of limits exist:

* :func:`file_limits` for files an analyst names on the command line (``bridgework rc``,
  ``network``, ``pair``, ``import-people``): sized for real exports, up to a million rows;
* :func:`upload_limits` for files uploaded through the web app, which a request reads while a
  person waits: smaller, so no upload holds a worker for more than a few seconds.

Both are read from the environment on every call (reading a few variables costs nothing), so a
deployment or a test changes them without a restart of anything but the process. docs/limits.md
lists them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["LIMIT_VARIABLES", "Limits", "describe_bytes", "file_limits", "upload_limits"]

_MB = 1024 * 1024

#: Every variable, its default and what it limits: ``(variable, default, meaning)``.
#: docs/limits.md lists the same; tests/datasets/test_limits.py keeps the two in step.
LIMIT_VARIABLES: tuple[tuple[str, int, str], ...] = (
    ("BRIDGEWORK_MAX_FILE_BYTES", 1024 * _MB, "bytes of a file read on the command line"),
    ("BRIDGEWORK_MAX_ROWS", 1_000_000, "data rows of a file read on the command line"),
    (
        "BRIDGEWORK_MAX_XLSX_UNCOMPRESSED_BYTES",
        2048 * _MB,
        "bytes an XLSX read on the command line may unpack to",
    ),
    ("BRIDGEWORK_MAX_UPLOAD_BYTES", 10 * _MB, "bytes of a file uploaded through the web app"),
    ("BRIDGEWORK_MAX_UPLOAD_ROWS", 20_000, "data rows of a file uploaded through the web app"),
    (
        "BRIDGEWORK_MAX_UPLOAD_XLSX_UNCOMPRESSED_BYTES",
        200 * _MB,
        "bytes an uploaded XLSX may unpack to",
    ),
    ("BRIDGEWORK_MAX_COLUMNS", 1_000, "columns of any file"),
    ("BRIDGEWORK_MAX_CELL_CHARS", 32_767, "characters in one cell of any file (Excel's own)"),
    (
        "BRIDGEWORK_MAX_XLSX_RATIO",
        200,
        "how many times larger than its compressed size a part of an XLSX may unpack to",
    ),
)

_DEFAULTS = {name: default for name, default, _ in LIMIT_VARIABLES}


def _read(name: str, fallback: str | None = None) -> int:
    """The variable as a positive whole number, else its default (a typo must not lift it)."""
    text = os.environ.get(name)
    if text is None and fallback is not None:
        text = os.environ.get(fallback)
    if text is None:
        return _DEFAULTS[name]
    try:
        value = int(text.replace("_", "").strip())
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, not {text!r}") from exc
    if value < 1:
        raise ValueError(f"{name} must be 1 or more, not {value}")
    return value


@dataclass(frozen=True)
class Limits:
    """The limits one read is held to; ``*_variable`` name what raises each one."""

    file_bytes: int
    rows: int
    columns: int
    cell_chars: int
    xlsx_uncompressed_bytes: int
    xlsx_ratio: int
    file_bytes_variable: str = "BRIDGEWORK_MAX_FILE_BYTES"
    rows_variable: str = "BRIDGEWORK_MAX_ROWS"
    xlsx_uncompressed_variable: str = "BRIDGEWORK_MAX_XLSX_UNCOMPRESSED_BYTES"


def describe_bytes(count: int) -> str:
    """``10 MB`` for whole megabytes, else the count of bytes."""
    if count >= _MB and count % _MB == 0:
        return f"{count // _MB:,} MB"
    return f"{count:,} bytes"


def file_limits() -> Limits:
    """Limits for a file named on the command line (analyst scale: a million rows)."""
    return Limits(
        file_bytes=_read("BRIDGEWORK_MAX_FILE_BYTES"),
        rows=_read("BRIDGEWORK_MAX_ROWS"),
        columns=_read("BRIDGEWORK_MAX_COLUMNS"),
        cell_chars=_read("BRIDGEWORK_MAX_CELL_CHARS"),
        xlsx_uncompressed_bytes=_read("BRIDGEWORK_MAX_XLSX_UNCOMPRESSED_BYTES"),
        xlsx_ratio=_read("BRIDGEWORK_MAX_XLSX_RATIO"),
    )


def upload_limits() -> Limits:
    """Limits for a file uploaded through the web app (read while a person waits).

    ``BRIDGEWORK_IMPORT_MAX_BYTES``, the older name of ``BRIDGEWORK_MAX_UPLOAD_BYTES``, is still
    read when the new one is not set.
    """
    return Limits(
        file_bytes=_read("BRIDGEWORK_MAX_UPLOAD_BYTES", fallback="BRIDGEWORK_IMPORT_MAX_BYTES"),
        rows=_read("BRIDGEWORK_MAX_UPLOAD_ROWS"),
        columns=_read("BRIDGEWORK_MAX_COLUMNS"),
        cell_chars=_read("BRIDGEWORK_MAX_CELL_CHARS"),
        xlsx_uncompressed_bytes=_read("BRIDGEWORK_MAX_UPLOAD_XLSX_UNCOMPRESSED_BYTES"),
        xlsx_ratio=_read("BRIDGEWORK_MAX_XLSX_RATIO"),
        file_bytes_variable="BRIDGEWORK_MAX_UPLOAD_BYTES",
        rows_variable="BRIDGEWORK_MAX_UPLOAD_ROWS",
        xlsx_uncompressed_variable="BRIDGEWORK_MAX_UPLOAD_XLSX_UNCOMPRESSED_BYTES",
    )

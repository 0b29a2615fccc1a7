"""Reading a nominations file for a network wave: ``ego, alter[, relation, weight]``.

``ego`` and ``alter`` are directory person ids or email addresses. Emails are turned into ids
first; then :func:`bridgework.datasets.network_io.validate_nominations` checks every row (unknown
people, self-nominations, bad weights, duplicates) and lists every problem by row and column,
so a file is imported whole or not at all. A relation is free text (a file may bring relations
the survey does not ask about) but must fit the database column.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bridgework.datasets.limits import upload_limits
from bridgework.datasets.network_io import validate_nominations
from bridgework.datasets.tabular import DatasetError, Problem, read_frame
from bridgework.ona.models import NominationImport

__all__ = ["PREVIEW_ROWS", "ImportRow", "nominations_preview", "parse_nominations"]

#: Rows a preview shows.
PREVIEW_ROWS = 50

#: Longest relation name a nomination can store (``Nomination.relation``).
MAX_RELATION_LENGTH = 40


@dataclass(frozen=True)
class ImportRow:
    """One valid nomination of a file, with directory person ids."""

    row: int
    ego: int
    alter: int
    relation: str
    weight: float


def parse_nominations(upload: NominationImport) -> list[ImportRow]:
    """Every row of the upload, validated; raises ``DatasetError`` listing every problem."""
    from bridgework.directory.models import Person

    people = Person.objects.filter(network_id=upload.network_id).values_list("pk", "email")
    ids = [str(pk) for pk, _ in people]
    by_email = {email.casefold(): str(pk) for pk, email in people if email}
    try:
        frame = read_frame(bytes(upload.content), filename=upload.filename, limits=upload_limits())
    except DatasetError:
        raise
    except (ValueError, UnicodeError) as exc:
        raise DatasetError([Problem(None, None, f"could not read the file: {exc}")]) from exc
    for column in ("ego", "alter"):
        if column in frame.columns:
            frame[column] = frame[column].map(
                lambda v: by_email.get(v.strip().casefold(), v.strip())
            )
    problems = []
    if "relation" in frame.columns:
        too_long = frame["relation"].str.strip().str.len() > MAX_RELATION_LENGTH
        problems = [
            Problem(int(row), "relation", f"at most {MAX_RELATION_LENGTH} characters")
            for row in frame.index[too_long]
        ]
    try:
        clean = validate_nominations(frame, ids)
    except DatasetError as exc:
        raise DatasetError([*exc.problems, *problems]) from exc
    if problems:
        raise DatasetError(problems)
    return [
        ImportRow(int(index), int(r.ego), int(r.alter), str(r.relation), float(r.weight))
        for index, r in zip(clean.index, clean.itertuples(index=False), strict=True)
    ]


def nominations_preview(upload: NominationImport) -> dict[str, Any]:
    """What the preview page shows of a file, as JSON-ready data: how many rows and the first
    :data:`PREVIEW_ROWS`, or every problem. The page (for a small file) and the worker's
    check (for a large one) both call this."""
    try:
        rows = parse_nominations(upload)
    except DatasetError as exc:
        return {"problems": [asdict(p) for p in exc.problems]}
    return {"count": len(rows), "rows": [asdict(r) for r in rows[:PREVIEW_ROWS]]}

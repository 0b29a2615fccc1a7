"""Checking an uploaded people file: the preview step, inline for a small file or in the
worker for a large one, with one function behind both.

:func:`people_file_check` reads the file within the web app's limits and plans it against
today's directory; the upload page calls it for a file up to ``BRIDGEWORK_UPLOAD_INLINE_BYTES``,
and :func:`people_import_check` (the ``people-import-check`` job) for a larger one, storing
what it found on the upload: the preview (:func:`plan_preview`, the same fields the page shows
of an :class:`~bridgework.directory.imports.ImportPlan`) or every problem, so the preview page
reads the result instead of the file. A refused file is not kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bridgework.datasets.limits import upload_limits
from bridgework.datasets.tabular import DatasetError, Problem
from bridgework.directory import imports
from bridgework.directory.imports import ImportPlan
from bridgework.directory.models import Network, PeopleImport

__all__ = [
    "checked_plan",
    "checked_problems",
    "inline_bytes",
    "people_file_check",
    "people_import_check",
    "plan_preview",
]


def inline_bytes() -> int:
    """Largest upload checked inside the request; larger ones are checked in the worker."""
    return int(getattr(settings, "UPLOAD_INLINE_BYTES", 1024 * 1024))


def people_file_check(
    *, network: Network, filename: str, content: bytes
) -> tuple[ImportPlan | None, list[Problem]]:
    """Read and plan a people file as the web app does (its limits, today's directory):
    the plan, or ``None`` and every problem."""
    try:
        records, columns = imports.read_people_file(
            content, filename=filename, limits=upload_limits()
        )
        plan = imports.people_import_plan(network=network, records=records, columns=columns)
    except DatasetError as exc:
        return None, list(exc.problems)
    return plan, []


def plan_preview(plan: ImportPlan) -> dict[str, Any]:
    """What the preview page shows of a plan, as JSON-ready data."""
    return {
        "creates": [
            {
                "row": r.row,
                "name": r.name,
                "email": r.email,
                "organisation": r.organisation,
                "workgroup": r.workgroup,
            }
            for r in plan.creates
        ],
        "updates": [
            {
                "record": {"row": u.record.row, "name": u.record.name, "email": u.record.email},
                "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in u.changes],
            }
            for u in plan.updates
        ],
        "unchanged": plan.unchanged,
        "new_organisations": list(plan.new_organisations),
        "new_teams": [list(t) for t in plan.new_teams],
        "new_workgroups": list(plan.new_workgroups),
        "total_rows": plan.total_rows,
    }


def checked_plan(upload: PeopleImport) -> dict[str, Any] | None:
    """The stored preview of a file checked in the worker, if it fitted."""
    return upload.checked.get("plan")


def checked_problems(upload: PeopleImport) -> list[Problem]:
    """The stored problems of a file checked in the worker (none if it fitted)."""
    return [Problem(p["row"], p["column"], p["reason"]) for p in upload.checked.get("problems", [])]


@transaction.atomic
def people_import_check(*, upload: PeopleImport) -> PeopleImport:
    """Check an upload waiting to be checked, and store its preview or its problems.

    A file that fits waits for confirmation (which checks it again against the directory of
    that day); a refused one is not kept. Checking an upload again does nothing.
    """
    upload = PeopleImport.objects.select_for_update().get(pk=upload.pk)
    if upload.status != PeopleImport.Status.CHECKING:
        return upload
    plan, problems = people_file_check(
        network=upload.network, filename=upload.filename, content=bytes(upload.content)
    )
    checked_at = timezone.now().isoformat()
    if plan is None:
        upload.status = PeopleImport.Status.REFUSED
        upload.content = b""
        upload.checked = {
            "checked_at": checked_at,
            "problems": [{"row": p.row, "column": p.column, "reason": p.reason} for p in problems],
        }
    else:
        upload.status = PeopleImport.Status.PREVIEW
        upload.checked = {"checked_at": checked_at, "plan": plan_preview(plan)}
    upload.save(update_fields=["status", "content", "checked"])
    return upload

"""Checking a large people file and confirming a people import, run by the worker with
progress (:mod:`bridgework.jobs`).

A file larger than the request may handle is checked in the worker (``people-import-check``):
the same reading and planning as the upload page does inline, with the preview or every
problem stored on the upload for its preview page.

The import stays all-or-nothing: the whole file is checked against today's directory first,
then written in one transaction (in batches of inserts and updates), so its progress page
shows it checking and importing, then the outcome; a stopped import has changed nothing and
runs again from the start.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext_lazy

from bridgework.datasets.tabular import DatasetError
from bridgework.directory import exports as _exports  # noqa: F401  (registers the downloads)
from bridgework.directory import import_checks, imports, selectors
from bridgework.directory.models import Network, PeopleImport
from bridgework.jobs.kinds import JobKind, JobRefusedError, for_coordinators, register

PEOPLE_IMPORT = "people-import"
PEOPLE_IMPORT_CHECK = "people-import-check"


def _load(network: Network, pk: int) -> PeopleImport:
    return selectors.people_import_for(network, pk)


def _rows(upload: PeopleImport) -> int:
    if upload.status != PeopleImport.Status.PREVIEW:
        return 0
    try:
        records, _ = imports.read_people_file(bytes(upload.content), filename=upload.filename)
    except DatasetError:
        return 0
    return len(records)


def _check(upload: PeopleImport) -> None:
    if upload.status != PeopleImport.Status.PREVIEW:
        raise JobRefusedError("This import was already confirmed or discarded.")


def _apply(upload: PeopleImport) -> tuple[int, str, dict[str, Any]]:
    try:
        plan = imports.people_import_confirm(upload=upload)
    except DatasetError as exc:
        raise JobRefusedError(
            f"The file no longer fits the directory, so nothing was changed: {exc}. "
            "Upload it again to see every problem."
        ) from exc
    created, updated = len(plan.creates), len(plan.updates)
    return (
        plan.total_rows,
        f"Imported {created:,} new and {updated:,} updated people.",
        {"created": created, "updated": updated, "unchanged": plan.unchanged},
    )


register(
    JobKind(
        name=PEOPLE_IMPORT,
        title=gettext_lazy("Importing people"),
        progress=ngettext_lazy(
            "Imported %(done)s of %(total)s row",
            "Imported %(done)s of %(total)s rows",
            "count",
        ),
        waiting=ngettext_lazy(
            "Waiting to start: %(total)s row to go.",
            "Waiting to start: %(total)s rows to go.",
            "count",
        ),
        load=_load,
        back=lambda upload: (
            reverse("directory:people", kwargs={"network": upload.network.slug}),
            "people",
        ),
        remaining=_rows,
        apply=_apply,
        check=_check,
        working=gettext_lazy("Checking and importing the file…"),
        working_total=ngettext_lazy(
            "Checking and importing the file: %(total)s row",
            "Checking and importing the file: %(total)s rows",
            "count",
        ),
        role=for_coordinators,
    )
)


def _check_pending(upload: PeopleImport) -> None:
    if upload.status != PeopleImport.Status.CHECKING:
        raise JobRefusedError("This file has already been checked.")


def _apply_check(upload: PeopleImport) -> tuple[int, str, dict[str, Any]]:
    upload = import_checks.people_import_check(upload=upload)
    plan = import_checks.checked_plan(upload)
    if plan is None:
        problems = len(upload.checked.get("problems", []))
        return (
            0,
            f"The file has {problems:,} problem{'s' if problems != 1 else ''}. Nothing was "
            "imported: see them on the file's page, fix them and upload it again.",
            {"problems": problems},
        )
    return (
        plan["total_rows"],
        f"Checked {plan['total_rows']:,} rows: {len(plan['creates']):,} new, "
        f"{len(plan['updates']):,} updated and {plan['unchanged']:,} unchanged people. "
        "Check the changes, then confirm the import.",
        {"created": len(plan["creates"]), "updated": len(plan["updates"])},
    )


register(
    JobKind(
        name=PEOPLE_IMPORT_CHECK,
        title=gettext_lazy("Checking a people file"),
        progress=ngettext_lazy(
            "Checked %(done)s of %(total)s row",
            "Checked %(done)s of %(total)s rows",
            "count",
        ),
        waiting=ngettext_lazy(
            "Waiting to start: %(total)s row to go.",
            "Waiting to start: %(total)s rows to go.",
            "count",
        ),
        load=_load,
        back=lambda upload: (
            reverse(
                "directory:imports_preview",
                kwargs={"network": upload.network.slug, "pk": upload.pk},
            ),
            f"the import of {upload.filename}",
        ),
        remaining=lambda upload: 0,  # rows are only known once the file is read
        apply=_apply_check,
        check=_check_pending,
        working=gettext_lazy("Checking the file…"),
        working_total=ngettext_lazy(
            "Checking the file: %(total)s row",
            "Checking the file: %(total)s rows",
            "count",
        ),
        role=for_coordinators,
    )
)

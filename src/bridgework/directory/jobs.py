"""Confirming a people import, run by the worker with progress (:mod:`bridgework.jobs`).

The import stays all-or-nothing: the whole file is checked against today's directory first,
then written in one transaction (in batches of inserts and updates), so its progress page
shows it checking and importing, then the outcome; a stopped import has changed nothing and
runs again from the start.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from bridgework.datasets.tabular import DatasetError
from bridgework.directory import imports, selectors
from bridgework.directory.models import Network, PeopleImport
from bridgework.jobs.kinds import JobKind, JobRefusedError, register

PEOPLE_IMPORT = "people-import"


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
        title="Importing people",
        verb="Imported",
        noun="rows",
        noun_one="row",
        load=_load,
        back=lambda upload: (
            reverse("directory:people", kwargs={"network": upload.network.slug}),
            "people",
        ),
        remaining=_rows,
        apply=_apply,
        check=_check,
        working="Checking and importing the file",
    )
)

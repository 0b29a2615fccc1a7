"""The people list download (CSV or XLSX): one build function for the inline download and
the stored file a job builds when the list is large (:mod:`bridgework.jobs.exports`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from bridgework.datasets.people import PersonRecord, write_people
from bridgework.directory import selectors
from bridgework.directory.models import Network, Person, Role
from bridgework.jobs.exports import ExportKind, export_register

__all__ = ["PEOPLE_EXPORTS", "people_export_build", "people_export_rows"]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _people(network: Network):
    return selectors.people_for(network, selectors.PeopleFilter(status="all"))


def _record(person: Person) -> PersonRecord:
    return PersonRecord(
        row=0,
        name=person.name,
        email=person.email,
        organisation=person.organisation.name if person.organisation else "",
        team=person.team.name if person.team else "",
        workgroup=person.workgroup.name if person.workgroup else "",
        job_title=person.job_title,
        location=person.location,
        time_zone=person.time_zone,
        language=person.language,
        manager_email=person.manager.email if person.manager else "",
        active=person.active,
    )


def people_export_rows(network: Network, params: dict[str, Any]) -> int:
    return _people(network).count()


def people_export_build(network: Network, params: dict[str, Any]) -> bytes:
    """Everyone in the directory (active or not), in the import's own columns."""
    people = _people(network)
    return write_people(
        (_record(p) for p in people.iterator(chunk_size=2000)), format=params["format"]
    )


def _register(fmt: str) -> ExportKind:
    return export_register(
        ExportKind(
            name=f"people-{fmt}",
            title=f"people {fmt.upper()}",
            role=Role.ANALYST,
            rows=people_export_rows,
            build=people_export_build,
            filename=lambda network, params: f"{network.slug}-people.{params['format']}",
            content_type=CONTENT_TYPES[fmt],
            audit=lambda params, rows: {
                "export": f"people {params['format'].upper()}",
                "rows": rows,
            },
            back=lambda network, params: (
                reverse("directory:people", kwargs={"network": network.slug}),
                "people",
            ),
        )
    )


PEOPLE_EXPORTS = {fmt: _register(fmt) for fmt in CONTENT_TYPES}

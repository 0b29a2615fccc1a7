"""Importing people from CSV/XLSX: plan (the preview) and apply (all-or-nothing).

The file format and row-level validation live in :mod:`bridgework.datasets.people` (pure, no
Django). This module adds what needs the database: matching rows to existing people by email
(case-insensitive), checking managers exist, and writing everything in one transaction.

Blank cells leave existing values as they are, and a column missing from the file is not
touched, so a partial file (just names and emails, say) never wipes the directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from bridgework.datasets.limits import Limits
from bridgework.datasets.people import PersonRecord, parse_people, present_columns
from bridgework.datasets.tabular import DatasetError, Problem, Source, read_table
from bridgework.directory.models import (
    Network,
    Organisation,
    PeopleImport,
    Person,
    Team,
    Workgroup,
)

#: Fields compared and written, in the order a preview shows them.
COMPARED_FIELDS = (
    "name",
    "organisation",
    "team",
    "workgroup",
    "job_title",
    "location",
    "time_zone",
    "manager_email",
    "active",
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class PersonUpdate:
    """An existing person the file changes, with each changed field."""

    record: PersonRecord
    person_id: int
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ImportPlan:
    """What confirming an import would do. Nothing has been written."""

    creates: tuple[PersonRecord, ...]
    updates: tuple[PersonUpdate, ...]
    unchanged: int
    new_organisations: tuple[str, ...]
    new_teams: tuple[tuple[str, str], ...]
    new_workgroups: tuple[str, ...]
    columns: frozenset[str] = field(default_factory=frozenset)

    @property
    def total_rows(self) -> int:
        return len(self.creates) + len(self.updates) + self.unchanged


def read_people_file(
    source: Source, *, filename: str | None = None, limits: Limits | None = None
) -> tuple[list[PersonRecord], frozenset[str]]:
    """Parse a people file; returns its records and which known columns it has.

    ``limits`` default to the command line's (:func:`~bridgework.datasets.limits.file_limits`);
    the web app passes :func:`~bridgework.datasets.limits.upload_limits`.
    """
    table = read_table(source, filename=filename, limits=limits)
    return parse_people(table), present_columns(table)


def _record_values(record: PersonRecord) -> dict[str, str]:
    values = {name: getattr(record, name) for name in COMPARED_FIELDS if name != "active"}
    values["active"] = "yes" if record.active else "no"
    return values


def _wanted(record: PersonRecord, columns: frozenset[str], current: dict[str, str]) -> dict:
    """The values this record asks for: blank cells and absent columns keep what is there."""
    wanted = dict(current)
    for name, value in _record_values(record).items():
        if name not in columns:
            continue
        if name == "active" or value != "":
            wanted[name] = value
    # A team is named within its organisation: a new organisation without a team clears it.
    if (
        wanted["organisation"] != current["organisation"]
        and "team" in columns
        and record.team == ""
    ):
        wanted["team"] = ""
    return wanted


def people_import_plan(
    *, network: Network, records: list[PersonRecord], columns: frozenset[str]
) -> ImportPlan:
    """Match records to the directory and work out the changes; raise on database problems.

    Raises
    ------
    DatasetError
        A manager email matches nobody in the file or the directory.
    """
    existing = {
        values["email"].casefold(): (pk, values) for pk, values in _directory_rows(network).items()
    }
    file_emails = {r.email_key for r in records}
    problems = [
        Problem(
            r.row,
            "manager_email",
            f"no one with email {r.manager_email} in the file or the directory",
        )
        for r in records
        if r.manager_email
        and r.manager_email.casefold() not in file_emails
        and r.manager_email.casefold() not in existing
    ]
    if problems:
        raise DatasetError(problems)

    creates: list[PersonRecord] = []
    updates: list[PersonUpdate] = []
    unchanged = 0
    for record in records:
        found = existing.get(record.email_key)
        if found is None:
            creates.append(record)
            continue
        pk, current = found
        wanted = _wanted(record, columns, current)
        changes = tuple(
            FieldChange(name, current[name], wanted[name])
            for name in COMPARED_FIELDS
            if current[name] != wanted[name]
        )
        if changes:
            updates.append(PersonUpdate(record=record, person_id=pk, changes=changes))
        else:
            unchanged += 1

    known_orgs = {
        name.casefold()
        for name in Organisation.objects.filter(network=network).values_list("name", flat=True)
    }
    known_teams = {
        (org.casefold(), team.casefold())
        for org, team in Team.objects.filter(network=network).values_list(
            "organisation__name", "name"
        )
    }
    known_workgroups = {
        name.casefold()
        for name in Workgroup.objects.filter(network=network).values_list("name", flat=True)
    }
    new_orgs: dict[str, str] = {}
    new_teams: dict[tuple[str, str], tuple[str, str]] = {}
    new_workgroups: dict[str, str] = {}
    for record in records:
        if record.organisation and record.organisation.casefold() not in known_orgs:
            new_orgs.setdefault(record.organisation.casefold(), record.organisation)
        team_key = (record.organisation.casefold(), record.team.casefold())
        if record.team and team_key not in known_teams:
            new_teams.setdefault(team_key, (record.organisation, record.team))
        if record.workgroup and record.workgroup.casefold() not in known_workgroups:
            new_workgroups.setdefault(record.workgroup.casefold(), record.workgroup)
    return ImportPlan(
        creates=tuple(creates),
        updates=tuple(updates),
        unchanged=unchanged,
        new_organisations=tuple(sorted(new_orgs.values(), key=str.casefold)),
        new_teams=tuple(sorted(new_teams.values(), key=lambda t: (t[0].casefold(), t[1]))),
        new_workgroups=tuple(sorted(new_workgroups.values(), key=str.casefold)),
        columns=columns,
    )


class _Directory:
    """Get-or-create for organisations, teams and workgroups by case-insensitive name."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.orgs = {o.name.casefold(): o for o in Organisation.objects.filter(network=network)}
        self.teams = {
            (t.organisation_id, t.name.casefold()): t for t in Team.objects.filter(network=network)
        }
        self.workgroups = {w.name.casefold(): w for w in Workgroup.objects.filter(network=network)}

    def organisation(self, name: str) -> Organisation | None:
        if not name:
            return None
        key = name.casefold()
        if key not in self.orgs:
            self.orgs[key] = Organisation.objects.create(network=self.network, name=name)
        return self.orgs[key]

    def team(self, organisation: Organisation | None, name: str) -> Team | None:
        if not name or organisation is None:
            return None
        key = (organisation.pk, name.casefold())
        if key not in self.teams:
            self.teams[key] = Team.objects.create(
                network=self.network, organisation=organisation, name=name
            )
        return self.teams[key]

    def workgroup(self, name: str) -> Workgroup | None:
        if not name:
            return None
        key = name.casefold()
        if key not in self.workgroups:
            self.workgroups[key] = Workgroup.objects.create(network=self.network, name=name)
        return self.workgroups[key]


#: Rows sent per ``executemany`` call.
_BATCH = 5_000

#: Fields an import writes, besides ``manager`` (linked once everyone exists).
_WRITTEN = (
    "name",
    "organisation",
    "team",
    "workgroup",
    "job_title",
    "location",
    "time_zone",
    "active",
    "updated_at",
)

#: Fields checked by the model's validators before anything is written.
_CHECKED = ("name", "email", "job_title", "location", "time_zone")


def _check_values(rows: list[tuple[int, dict[str, Any]]]) -> None:
    """The model's field checks, set-based: each distinct value of each field checked once.

    ``Person.full_clean`` per person would run the same validators a hundred thousand times
    (the time zone one lists every zone on disk each time) and query the unique constraint
    once per person; the plan already matched every email to the directory, and a file's
    emails are unique (ignoring case), so only the field validators are left to run. Teams
    belong to their organisation and every group to the network by construction.
    """
    problems: list[Problem] = []
    for name in _CHECKED:
        field = Person._meta.get_field(name)
        first_row: dict[str, int] = {}
        for row, values in rows:
            if name in values:
                first_row.setdefault(values[name], row)
        for value, row in first_row.items():
            if value == "" and field.blank:
                continue
            try:
                field.clean(value, None)
            except ValidationError as error:
                problems.extend(Problem(row, name, message) for message in error.messages)
    if problems:
        raise DatasetError(problems)


def _run_many(sql: str, rows: list[list[Any]]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            cursor.executemany(sql, rows[start : start + _BATCH])


def _insert_people(rows: list[dict[str, Any]]) -> None:
    """``INSERT`` every row with one prepared statement (``bulk_create`` compiles every cell
    in Python, which takes longer than the database takes to write them)."""
    if not rows:
        return
    # Every column but the key: those a row leaves out get the model's default, as a save
    # would give them (so a field added to Person later still gets its value).
    fields = [
        field
        for field in Person._meta.concrete_fields
        if not field.primary_key and not getattr(field, "db_returning", False)
    ]
    defaults = {
        field.name: field.get_db_prep_save(field.get_default(), connection)
        for field in fields
        if field.name not in rows[0]
    }
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Person._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    names = [field.name for field in fields]
    _run_many(sql, [[{**defaults, **row}[name] for name in names] for row in rows])


def _update_people(rows: list[dict[str, Any]], names: tuple[str, ...]) -> None:
    """``UPDATE`` the ``names`` columns of every row (each with its ``id``), one statement."""
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = [Person._meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(Person._meta.db_table)} SET {assignments} "
        f"WHERE {quote(Person._meta.pk.column)} = %s"
    )
    _run_many(sql, [[row[name] for name in names] + [row["id"]] for row in rows])


def _directory_rows(network: Network, ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """Today's values of the compared fields (and ``email``) by person id, as text the way a
    file writes them: of these people, or of everyone in the network. Plain values, no model
    instances, so a directory of 100,000 people loads in a second or two."""
    names = ("organisation__name", "team__name", "workgroup__name", "manager__email")
    people = Person.objects.filter(network=network)
    chunks = [None] if ids is None else [ids[i : i + _BATCH] for i in range(0, len(ids), _BATCH)]
    found: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        query = people if chunk is None else people.filter(pk__in=chunk)
        for values in query.values(
            "pk", "email", "name", "job_title", "location", "time_zone", "active", *names
        ):
            found[values["pk"]] = {
                "email": values["email"],
                "name": values["name"],
                "organisation": values["organisation__name"] or "",
                "team": values["team__name"] or "",
                "workgroup": values["workgroup__name"] or "",
                "job_title": values["job_title"],
                "location": values["location"],
                "time_zone": values["time_zone"],
                "manager_email": values["manager__email"] or "",
                "active": "yes" if values["active"] else "no",
            }
    return found


@transaction.atomic
def people_import_apply(*, network: Network, plan: ImportPlan) -> tuple[int, int]:
    """Write a plan: create and update people (and referenced groups) in one transaction.

    Returns ``(created, updated)``. Managers are linked after everyone exists, so a file may
    list a person before their manager. Validation is set-based and the writes are prepared
    statements run for every row (``executemany``), so a file of 100,000 people takes seconds,
    not minutes; a problem found on the way raises before anything is written, and one the
    database finds rolls everything back.
    """
    directory = _Directory(network)
    moment = timezone.now()
    now = Person._meta.get_field("updated_at").get_db_prep_save(moment, connection)

    def columns(values: dict[str, str]) -> dict[str, Any]:
        organisation = directory.organisation(values["organisation"])
        team = directory.team(organisation, values["team"])
        workgroup = directory.workgroup(values["workgroup"])
        return {
            "name": values["name"],
            "organisation": organisation.pk if organisation else None,
            "team": team.pk if team else None,
            "workgroup": workgroup.pk if workgroup else None,
            "job_title": values["job_title"],
            "location": values["location"],
            "time_zone": values["time_zone"],
            "active": values["active"] == "yes",
            "updated_at": now,
        }

    manager_of: dict[str, str] = {}
    creates: list[dict[str, Any]] = []
    checked: list[tuple[int, dict[str, Any]]] = []
    for record in plan.creates:
        row = {"network": network.pk, "email": record.email.strip(), "created_at": now}
        row |= columns(_record_values(record))
        creates.append(row)
        checked.append((record.row, row))
        manager_of[record.email_key] = record.manager_email
    current = _directory_rows(network, [update.person_id for update in plan.updates])
    updates: list[dict[str, Any]] = []
    person_id: dict[str, int] = {}
    manager_id: dict[int, int | None] = {}
    for update in plan.updates:
        values = current.get(update.person_id)
        if values is None:
            raise DatasetError(
                [Problem(update.record.row, None, "this person left the directory meanwhile")]
            )
        wanted = _wanted(update.record, plan.columns, values)
        row = {"id": update.person_id} | columns(wanted)
        updates.append(row)
        checked.append((update.record.row, row))
        person_id[update.record.email_key] = update.person_id
        manager_of[update.record.email_key] = wanted["manager_email"]
    _check_values(checked)
    try:
        _insert_people(creates)
        _update_people(updates, _WRITTEN)
    except IntegrityError as error:
        raise DatasetError(
            [Problem(None, None, f"the directory changed while importing ({error}); try again")]
        ) from error

    # Everyone exists now: link managers, by id, where the link changes.
    for pk, email, manager in Person.objects.filter(network=network).values_list(
        "pk", "email", "manager_id"
    ):
        person_id.setdefault(email.casefold(), pk)
        manager_id[pk] = manager
    relinked = []
    for email_key, manager_email in manager_of.items():
        pk = person_id[email_key]
        wanted_manager = person_id.get(manager_email.casefold()) if manager_email else None
        if wanted_manager != manager_id.get(pk):
            relinked.append({"id": pk, "manager": wanted_manager, "updated_at": now})
    _update_people(relinked, ("manager", "updated_at"))
    return len(plan.creates), len(plan.updates)


def people_import(
    *,
    network: Network,
    source: Source,
    filename: str | None = None,
    dry_run: bool = False,
) -> ImportPlan:
    """Validate, plan and (unless ``dry_run``) apply a people file, all-or-nothing.

    Used by the command line; the web flow calls the plan and apply steps separately so a
    coordinator can read the preview in between.
    """
    records, columns = read_people_file(source, filename=filename)
    plan = people_import_plan(network=network, records=records, columns=columns)
    if not dry_run:
        people_import_apply(network=network, plan=plan)
    return plan


@transaction.atomic
def people_import_upload(
    *, network: Network, user: object, filename: str, content: bytes
) -> PeopleImport:
    """Keep an uploaded file for its preview; it is re-validated on confirmation."""
    return PeopleImport.objects.create(
        network=network, uploaded_by=user, filename=filename[:255], content=content
    )


@transaction.atomic
def people_import_confirm(*, upload: PeopleImport, limits: Limits | None = None) -> ImportPlan:
    """Apply an uploaded file after its preview, re-checking it against today's directory."""
    upload = PeopleImport.objects.select_for_update().get(pk=upload.pk)
    if upload.status != PeopleImport.Status.PREVIEW:
        raise DatasetError([Problem(None, None, "this import was already confirmed or discarded")])
    records, columns = read_people_file(
        bytes(upload.content), filename=upload.filename, limits=limits
    )
    plan = people_import_plan(network=upload.network, records=records, columns=columns)
    created, updated = people_import_apply(network=upload.network, plan=plan)
    upload.status = PeopleImport.Status.APPLIED
    upload.applied_at = timezone.now()
    upload.created_count, upload.updated_count = created, updated
    upload.content = b""  # the people are in the directory now; do not keep a second copy
    upload.save()
    return plan


def people_import_discard(*, upload: PeopleImport) -> None:
    """Drop an upload that was not confirmed."""
    upload.status = PeopleImport.Status.DISCARDED
    upload.content = b""
    upload.save(update_fields=["status", "content"])

"""Importing people from CSV/XLSX: plan (the preview) and apply (all-or-nothing).

The file format and row-level validation live in :mod:`bridgework.datasets.people` (pure, no
Django). This module adds what needs the database: matching rows to existing people by email
(case-insensitive), checking managers exist, and writing everything in one transaction.

Blank cells leave existing values as they are, and a column missing from the file is not
touched, so a partial file (just names and emails, say) never wipes the directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
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
from bridgework.web.copy_insert import copy_insert

#: Fields compared and written, in the order a preview shows them.
COMPARED_FIELDS = (
    "name",
    "organisation",
    "team",
    "workgroup",
    "job_title",
    "location",
    "time_zone",
    "language",
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


def _current_values(person: Person) -> dict[str, str]:
    return {
        "name": person.name,
        "organisation": person.organisation.name if person.organisation else "",
        "team": person.team.name if person.team else "",
        "workgroup": person.workgroup.name if person.workgroup else "",
        "job_title": person.job_title,
        "location": person.location,
        "time_zone": person.time_zone,
        "language": person.language,
        "manager_email": person.manager.email if person.manager else "",
        "active": "yes" if person.active else "no",
    }


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
        p.email.casefold(): p
        for p in Person.objects.filter(network=network).select_related(
            "organisation", "team", "workgroup", "manager"
        )
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
        person = existing.get(record.email_key)
        if person is None:
            creates.append(record)
            continue
        current = _current_values(person)
        wanted = _wanted(record, columns, current)
        changes = tuple(
            FieldChange(name, current[name], wanted[name])
            for name in COMPARED_FIELDS
            if current[name] != wanted[name]
        )
        if changes:
            updates.append(PersonUpdate(record=record, person_id=person.pk, changes=changes))
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
    """Organisations, teams and workgroups by case-insensitive name; the missing ones a
    plan names are created up front, one insert per kind."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.orgs = {o.name.casefold(): o for o in Organisation.objects.filter(network=network)}
        self.teams = {
            (t.organisation_id, t.name.casefold()): t for t in Team.objects.filter(network=network)
        }
        self.workgroups = {w.name.casefold(): w for w in Workgroup.objects.filter(network=network)}

    def create_missing(self, plan: ImportPlan) -> None:
        new_orgs = [
            Organisation(network=self.network, name=name)
            for name in plan.new_organisations
            if name.casefold() not in self.orgs
        ]
        for org in Organisation.objects.bulk_create(new_orgs):
            self.orgs[org.name.casefold()] = org
        if any(o.pk is None for o in new_orgs):  # a database without ids from bulk inserts
            self.orgs = {
                o.name.casefold(): o for o in Organisation.objects.filter(network=self.network)
            }
        new_teams = []
        for org_name, team_name in plan.new_teams:
            org = self.orgs.get(org_name.casefold())
            if org is not None and (org.pk, team_name.casefold()) not in self.teams:
                new_teams.append(Team(network=self.network, organisation=org, name=team_name))
        for team in Team.objects.bulk_create(new_teams):
            self.teams[(team.organisation_id, team.name.casefold())] = team
        new_groups = [
            Workgroup(network=self.network, name=name)
            for name in plan.new_workgroups
            if name.casefold() not in self.workgroups
        ]
        for group in Workgroup.objects.bulk_create(new_groups):
            self.workgroups[group.name.casefold()] = group

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


#: Rows per insert or update statement when applying a plan.
APPLY_BATCH = 500

#: Levels of management inserted with their manager; anyone deeper (or in a circle of people
#: managing each other) is inserted first and linked to their manager afterwards.
MANAGER_LEVELS = 30

#: Fields an import writes on a person.
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

#: Foreign keys are checked by the plan (names within this network), not row by row.
_NOT_CLEANED = ["network", "organisation", "team", "workgroup", "manager"]


def _check(person: Person, row: int | None, problems: list[Problem]) -> None:
    try:
        person.clean_fields(exclude=_NOT_CLEANED)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            problems.extend(Problem(row, name, message) for message in messages)


def _insert(network: Network, people: list[Person]) -> None:
    copy_insert(Person, people, batch_size=APPLY_BATCH)
    if any(p.pk is None for p in people):  # a database without ids from bulk inserts
        saved = dict(
            Person.objects.filter(network=network, email__in=[p.email for p in people])
            .annotate(email_key=Lower("email"))
            .values_list("email_key", "pk")
        )
        for person in people:
            person.pk = saved[person.email.lower()]


@transaction.atomic
def people_import_apply(*, network: Network, plan: ImportPlan) -> tuple[int, int]:
    """Write a plan: create and update people (and referenced groups) in one transaction.

    Returns ``(created, updated)``. All-or-nothing: every row is checked before anything is
    written (a problem raises :class:`DatasetError`), then people are inserted and updated
    :data:`APPLY_BATCH` at a time (``COPY`` on PostgreSQL, ``bulk_create`` elsewhere;
    ``bulk_update``), so the number of
    statements grows with the batches, not the rows. A file may list a person before their
    manager: new people are inserted managers first, with their manager in the insert.
    """
    directory = _Directory(network)
    directory.create_missing(plan)
    now = timezone.now()
    by_email: dict[str, Person] = {}
    manager_of: dict[str, str] = {}
    problems: list[Problem] = []

    def assign(person: Person, values: dict[str, str]) -> None:
        person.name = values["name"]
        organisation = directory.organisation(values["organisation"])
        person.organisation = organisation
        person.team = directory.team(organisation, values["team"])
        person.workgroup = directory.workgroup(values["workgroup"])
        person.job_title = values["job_title"]
        person.location = values["location"]
        person.time_zone = values["time_zone"]
        person.language = values["language"]
        person.active = values["active"] == "yes"
        person.updated_at = now

    created: list[Person] = []
    for record in plan.creates:
        person = Person(network=network, email=record.email.strip(), created_at=now)
        assign(person, _record_values(record))
        _check(person, record.row, problems)
        created.append(person)
        by_email[record.email_key] = person
        manager_of[record.email_key] = record.manager_email
    updated: list[Person] = []
    ids = [update.person_id for update in plan.updates]
    current = {}
    for start in range(0, len(ids), APPLY_BATCH):
        current.update(
            Person.objects.select_related("organisation", "team", "workgroup", "manager").in_bulk(
                ids[start : start + APPLY_BATCH]
            )
        )
    for update in plan.updates:
        person = current.get(update.person_id)
        if person is None or person.network_id != network.pk:
            problems.append(Problem(update.record.row, "email", "this person was just removed"))
            continue
        wanted = _wanted(update.record, plan.columns, _current_values(person))
        assign(person, wanted)
        _check(person, update.record.row, problems)
        updated.append(person)
        by_email[update.record.email_key] = person
        manager_of[update.record.email_key] = wanted["manager_email"]
    if problems:
        raise DatasetError(problems)

    # Managers: those outside the file come from the directory (one query per 500); those
    # in the file get their id when inserted, so new people are inserted manager first,
    # level by level, and carry their manager in the insert itself.
    needed = {email.casefold() for email in manager_of.values() if email}
    managers = {k: v for k, v in by_email.items() if k in needed}
    missing = sorted(needed - set(managers))
    for start in range(0, len(missing), APPLY_BATCH):
        for person in (
            Person.objects.filter(network=network)
            .annotate(email_key=Lower("email"))
            .filter(email_key__in=missing[start : start + APPLY_BATCH])
        ):
            managers.setdefault(person.email.casefold(), person)

    def manager_of_person(email_key: str) -> Person | None:
        email = manager_of[email_key]
        return managers.get(email.casefold()) if email else None

    keys = {id(person): key for key, person in by_email.items()}
    waiting = created
    for _level in range(MANAGER_LEVELS):
        if not waiting:
            break
        ready, later = [], []
        for person in waiting:
            manager = manager_of_person(keys[id(person)])
            if manager is None or manager.pk is not None:
                person.manager = manager
                ready.append(person)
            else:
                later.append(person)
        if not ready:  # people managing each other in a circle: linked afterwards
            break
        _insert(network, ready)
        waiting = later
    _insert(network, waiting)
    for person in updated:
        person.manager = manager_of_person(keys[id(person)])
    Person.objects.bulk_update(updated, (*_WRITTEN, "manager"), batch_size=APPLY_BATCH)
    for person in waiting:
        person.manager = manager_of_person(keys[id(person)])
    Person.objects.bulk_update(waiting, ["manager"], batch_size=APPLY_BATCH)
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
    *, network: Network, user: object, filename: str, content: bytes, checked: bool = True
) -> PeopleImport:
    """Keep an uploaded file for its preview; it is re-validated on confirmation. An upload
    not yet ``checked`` waits for its check in the worker
    (:func:`bridgework.directory.import_checks.people_import_check`)."""
    return PeopleImport.objects.create(
        network=network,
        uploaded_by=user,
        filename=filename[:255],
        content=content,
        status=PeopleImport.Status.PREVIEW if checked else PeopleImport.Status.CHECKING,
    )


@transaction.atomic
def people_import_confirm(*, upload: PeopleImport, limits: Limits | None = None) -> ImportPlan:
    """Apply an uploaded file after its preview, re-checking it against today's directory
    (within ``limits``, the command line's by default: the worker confirms)."""
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

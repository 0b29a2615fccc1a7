"""Backing up one network to a file and restoring it, into this or another database.

The file is gzipped JSON::

    {"format": "bridgework-network-backup", "version": 1, "created_at": "...",
     "network": "<slug>", "migrations": {"<app>": ["0001_initial", ...]},
     "logins": [{"pk", "email", "name", "password", "is_active", "date_joined"}],
     "models": [{"model": "surveys.response", "objects": [<Django JSON serializer rows>]}]}

Which records belong to the network is worked out from the models: every model of a
Bridgework app with a chain of required foreign keys to ``directory.Network`` (a wave's
invitations' answers through the invitation, and so on), so a model added later is backed
up without a change here. Logins are shared between networks: the backup carries those the
network's records refer to (members, inviters, uploaders, audit actors) by email, with their
password hash; restoring reuses a login with the same email, or creates it.

Restoring keeps each table's primary keys when none of them is taken in this database (the
usual case: the same database after the network was deleted, or an empty one), so ids in
links, bookmarks and the audit log stay true and every figure is identical (bootstrap
intervals are seeded by the wave's id). Where any is taken, that table's rows get new keys,
and every foreign key, many-to-many link and the ``"wg:<id>"``/``"ext:<id>"`` target of an
RC answer pointing at them is remapped, so a backup also restores into a database that
holds other networks. It is all or nothing (one transaction), and refuses a network slug
that exists, a file from a newer version of Bridgework (a migration this one does not know),
or a file that is not a backup. Personal-link tokens are stored as digests and restored
as they are, so links sent before the backup keep working after a restore.
"""

from __future__ import annotations

import datetime
import gzip
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.directory.models import Network

__all__ = [
    "BACKUP_FORMAT",
    "BACKUP_VERSION",
    "BackupError",
    "backup_models",
    "network_backup",
    "network_restore",
]

BACKUP_FORMAT = "bridgework-network-backup"
BACKUP_VERSION = 1


class _ExactEncoder(DjangoJSONEncoder):
    """Times to the microsecond (Django's encoder keeps milliseconds only)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A backup file that cannot be restored here; the message says why."""


def _project_models() -> list[type[models.Model]]:
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("bridgework.")
        for model in config.get_models()
        if model is not User
    ]


def _network_path(model: type[models.Model], seen: frozenset = frozenset()) -> str | None:
    """The lookup from ``model`` to its network id (``"network"``, ``"invitation__network"``),
    through foreign keys only, preferring a direct ``network`` field; ``None`` if none."""
    if model is Network:
        return "pk"
    forward = [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.related_model is not model
    ]
    for field in forward:
        if field.related_model is Network:
            return field.name
    for field in forward:
        if field.related_model in seen or field.related_model is User or field.null:
            continue
        path = _network_path(field.related_model, seen | {model})
        if path is not None:
            return f"{field.name}__{path}"
    return None


def backup_models() -> list[tuple[type[models.Model], str]]:
    """Every model a network backup holds with its lookup to the network, in an order where
    each model comes after those its foreign keys point to."""
    found = {m: p for m in _project_models() if (p := _network_path(m)) is not None}
    ordered: list[type[models.Model]] = []

    def visit(model: type[models.Model], stack: tuple = ()) -> None:
        if model in ordered or model in stack:
            return
        for field in model._meta.get_fields():
            if isinstance(field, (models.ForeignKey, models.ManyToManyField)):
                target = field.related_model
                if target in found and target is not model:
                    visit(target, (*stack, model))
        ordered.append(model)

    for model in sorted(found, key=lambda m: m._meta.label):
        visit(model)
    return [(model, found[model]) for model in ordered]


def _migrations() -> dict[str, list[str]]:
    labels = {config.label for config in apps.get_app_configs()}
    applied: dict[str, list[str]] = defaultdict(list)
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        if app in labels:
            applied[app].append(name)
    return dict(applied)


def _queryset(model: type[models.Model], path: str, network: Network) -> models.QuerySet:
    return model._base_manager.filter(**{path: network.pk}).order_by("pk")


def network_backup(*, network: Network, path: Path) -> dict[str, int]:
    """Write ``network`` to ``path`` (gzipped JSON). Returns the number of rows per model."""
    sections = []
    login_ids: set[int] = set()
    counts: dict[str, int] = {}
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # One snapshot for every query, so the file is consistent while the app runs.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for model, lookup in backup_models():
            rows = _queryset(model, lookup, network)
            objects = serializers.serialize("python", rows)
            for field in model._meta.get_fields():
                if isinstance(field, models.ForeignKey) and field.related_model is User:
                    login_ids |= {o["fields"][field.name] for o in objects} - {None}
            sections.append({"model": model._meta.label_lower, "objects": objects})
            counts[model._meta.label_lower] = len(objects)
        logins = [
            {
                "pk": user.pk,
                "email": user.email,
                "name": user.name,
                "password": user.password,
                "is_active": user.is_active,
                "date_joined": user.date_joined.isoformat(),
            }
            for user in User.objects.filter(pk__in=login_ids).order_by("pk")
        ]
    document = {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "created_at": timezone.now().isoformat(),
        "network": network.slug,
        "migrations": _migrations(),
        "logins": logins,
        "models": sections,
    }
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(document, handle, cls=_ExactEncoder)
    counts["accounts.user"] = len(logins)
    return counts


def _read(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise
    except (OSError, EOFError, ValueError) as exc:
        raise BackupError(f"{path} is not a Bridgework backup (gzipped JSON): {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{path} is not a Bridgework network backup.")
    if document.get("version") != BACKUP_VERSION:
        raise BackupError(
            f"{path} is a backup of format version {document.get('version')}; this version "
            f"of Bridgework reads version {BACKUP_VERSION}."
        )
    return document


def _check_migrations(recorded: dict[str, list[str]]) -> None:
    here = _migrations()
    unknown = sorted(
        f"{app}.{name}"
        for app, names in recorded.items()
        for name in names
        if name not in here.get(app, [])
    )
    if unknown:
        raise BackupError(
            "The backup was made by a newer version of Bridgework (migrations not applied "
            f"here: {', '.join(unknown[:5])}). Upgrade and run migrations, then restore."
        )


@contextmanager
def _keep_timestamps() -> Iterator[None]:
    """Restore ``auto_now`` fields (e.g. a person's ``updated_at``) as they were saved."""
    fields = [
        f
        for model in _project_models()
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False)
    ]
    for field in fields:
        field.auto_now = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now = True


def _remap_target(value: str, pks: dict[tuple[str, int], int]) -> str:
    """An RC answer's target names a workgroup or external target by id."""
    kind, _, old = value.partition(":")
    label = {"wg": "directory.workgroup", "ext": "surveys.externaltarget"}.get(kind)
    if label is None or not old.isdigit() or (label, int(old)) not in pks:
        raise BackupError(f"An RC answer's target {value!r} is not in the backup.")
    return f"{kind}:{pks[(label, int(old))]}"


#: Text fields that hold other rows' ids, with how to rewrite them.
_EMBEDDED_IDS = {("surveys.response", "target"): _remap_target}


def _login_ids(logins: list[dict[str, Any]]) -> dict[int, int]:
    ids = {}
    for login in logins:
        user = User.objects.filter(email__iexact=login["email"]).first()
        if user is None:
            user = User(
                email=login["email"],
                name=login["name"],
                password=login["password"],
                is_active=login["is_active"],
                date_joined=login["date_joined"],
            )
            user.save()
        ids[login["pk"]] = user.pk
    return ids


def network_restore(*, path: Path) -> tuple[Network, dict[str, int]]:
    """Restore the network in the backup at ``path``; returns it and the rows per model.

    Raises :class:`BackupError` (and writes nothing) when the file cannot be restored here.
    """
    document = _read(path)
    _check_migrations(document.get("migrations", {}))
    slug = document.get("network", "")
    if Network.objects.filter(slug=slug).exists():
        raise BackupError(
            f"A network with the slug {slug!r} already exists here. Restore into a database "
            "without it (delete it first if the backup is to replace it)."
        )
    known = {model._meta.label_lower: model for model, _ in backup_models()}
    counts: dict[str, int] = {}
    with transaction.atomic(), _keep_timestamps():
        users = _login_ids(document.get("logins", []))
        pks: dict[tuple[str, int], int] = {}
        deferred: list[tuple[type[models.Model], int, str, int]] = []
        links: list[tuple[models.ManyToManyField, int, list[int]]] = []
        for section in document["models"]:
            model = known.get(section["model"])
            if model is None:
                raise BackupError(f"The backup holds {section['model']}, unknown here.")
            label = model._meta.label_lower
            old_pks = [row["pk"] for row in section["objects"]]
            keep = not model._base_manager.filter(pk__in=old_pks).exists()
            instances, pending = [], []
            for row in section["objects"]:
                values, self_refs, m2m = _values(model, row, pks, users)
                if keep:
                    values[model._meta.pk.attname] = row["pk"]
                instances.append(model(**values))
                pending.append((row["pk"], self_refs, m2m))
            # bulk_create: no custom save() (an audit event refuses nothing here: it is new),
            # the rows exactly as they were saved; both databases return the new ids.
            model._base_manager.bulk_create(instances, batch_size=500)
            for instance, (old, self_refs, m2m) in zip(instances, pending, strict=True):
                pks[(label, old)] = instance.pk
                deferred += [(model, instance.pk, name, ref) for name, ref in self_refs]
                links += [(field, instance.pk, olds) for field, olds in m2m]
            counts[label] = len(section["objects"])
            if keep and old_pks:
                _reset_sequence(model)
        for model, pk, name, old in deferred:
            target = pks.get((model._meta.label_lower, old))
            model._base_manager.filter(pk=pk).update(**{f"{name}_id": target})
        through_rows: dict[Any, list[models.Model]] = defaultdict(list)
        for field, pk, olds in links:
            related = field.related_model._meta.label_lower
            missing = [old for old in olds if (related, old) not in pks]
            if missing:
                raise BackupError(f"{field} links to {related} rows missing from the backup.")
            through = field.remote_field.through
            through_rows[through] += [
                through(
                    **{
                        f"{field.m2m_field_name()}_id": pk,
                        f"{field.m2m_reverse_field_name()}_id": pks[(related, old)],
                    }
                )
                for old in olds
            ]
        for through, rows in through_rows.items():
            through._base_manager.bulk_create(rows, batch_size=500)
        network = Network.objects.get(slug=slug)
    counts["accounts.user"] = len(users)
    return network, counts


def _reset_sequence(model: type[models.Model]) -> None:
    """After rows were inserted with their own ids, let the next new row take a free one
    (PostgreSQL's sequences do not notice; SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _values(
    model: type[models.Model],
    row: dict[str, Any],
    pks: dict[tuple[str, int], int],
    users: dict[int, int],
) -> tuple[dict[str, Any], list[tuple[str, int]], list[tuple[Any, list[int]]]]:
    """One serialized row as model field values, with foreign keys remapped; self-references
    and many-to-many links are returned to be set once every row exists."""
    label = model._meta.label_lower
    values: dict[str, Any] = {}
    self_refs: list[tuple[str, int]] = []
    m2m: list[tuple[Any, list[int]]] = []
    for name, value in row["fields"].items():
        try:
            field = model._meta.get_field(name)
        except Exception:  # a field dropped by a later migration: nothing to restore it into
            continue
        if isinstance(field, models.ManyToManyField):
            m2m.append((field, list(value)))
        elif isinstance(field, models.ForeignKey):
            if value is None:
                values[field.attname] = None
            elif field.related_model is User:
                values[field.attname] = users.get(value)
            elif field.related_model is model:
                values[field.attname] = None
                self_refs.append((name, value))
            else:
                related = field.related_model._meta.label_lower
                if (related, value) not in pks:
                    raise BackupError(f"{label} {row['pk']} refers to a missing {related}.")
                values[field.attname] = pks[(related, value)]
        else:
            python = field.to_python(value)
            rewrite = _EMBEDDED_IDS.get((label, name))
            values[field.attname] = rewrite(python, pks) if rewrite else python
    return values, self_refs, m2m

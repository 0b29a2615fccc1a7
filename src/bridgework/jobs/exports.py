"""Downloads too large to build while a person waits: built by a job into a stored file.

An app describes each of its downloads once, with :func:`export_register`: how many rows it
has, how to build its bytes (the one function both paths call, so the stored file has exactly
the figures, the suppression and the columns of the inline download), its file name and type,
the role a member needs, and what the audit log records when it is downloaded. The view calls
:func:`bridgework.jobs.views.export_or_enqueue`: up to ``BRIDGEWORK_EXPORT_INLINE_ROWS`` rows
it answers with the file at once; above, it records an :class:`ExportFile`, starts an
``export`` job and opens its progress page, which offers the download when the file is built.

A stored file can be downloaded for ``BRIDGEWORK_EXPORT_KEEP_HOURS`` hours by members with the
export's role, each download audited like the inline one; then the retention sweep
(:func:`exports_delete_expired`, run by the worker with the other retention work) deletes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext_lazy

from bridgework.directory.models import Network
from bridgework.jobs.kinds import JobKind, JobRefusedError, register
from bridgework.jobs.models import EXPORT_JOB, ExportFile

__all__ = [
    "EXPORT_JOB",
    "ExportKind",
    "export_build",
    "export_kind_for",
    "export_register",
    "export_start",
    "exports_delete_expired",
    "inline_rows",
    "keep_for",
]


Params = dict[str, Any]


@dataclass(frozen=True)
class ExportKind:
    """One download.

    ``rows(network, params)`` counts what it would write (cheaply: a count); ``build(network,
    params)`` writes it; ``filename`` and ``content_type`` name it; ``role`` is the role its
    inline view needs; ``audit(params, rows)`` are the details the audit log records for a
    download; ``back(network, params)`` is ``(url, label)`` of the page it is downloaded from.
    """

    name: str
    title: str
    role: str
    rows: Callable[[Network, Params], int]
    build: Callable[[Network, Params], bytes]
    filename: Callable[[Network, Params], str]
    content_type: str
    audit: Callable[[Params, int], dict[str, Any]]
    back: Callable[[Network, Params], tuple[str, str]]


_EXPORTS: dict[str, ExportKind] = {}


def export_register(kind: ExportKind) -> ExportKind:
    _EXPORTS[kind.name] = kind
    return kind


def export_kind_for(name: str) -> ExportKind:
    return _EXPORTS[name]


def inline_rows() -> int:
    """Largest download (in rows) built inside the request."""
    return int(getattr(settings, "EXPORT_INLINE_ROWS", 5000))


def keep_for() -> timedelta:
    """How long a stored download can be downloaded."""
    return timedelta(hours=float(getattr(settings, "EXPORT_KEEP_HOURS", 24)))


def export_start(*, network: Network, kind: str, params: Params, user: Any) -> ExportFile:
    """Record a download to be built by a job (the caller starts the job)."""
    spec = export_kind_for(kind)
    now = timezone.now()
    return ExportFile.objects.create(
        network=network,
        kind=kind,
        params=params,
        role=spec.role,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        filename=spec.filename(network, params)[:255],
        content_type=spec.content_type,
        created_at=now,
        expires_at=now + keep_for(),
    )


def export_build(*, export: ExportFile) -> ExportFile:
    """Build a recorded download's file and keep it (its download window starts now)."""
    spec = export_kind_for(export.kind)
    network = export.network
    content = spec.build(network, export.params)
    now = timezone.now()
    export.content = content
    export.rows = spec.rows(network, export.params)
    export.built_at = now
    export.expires_at = now + keep_for()
    export.save(update_fields=["content", "rows", "built_at", "expires_at"])
    return export


def exports_delete_expired(*, now: datetime | None = None) -> int:
    """Delete every stored download past its window; returns how many."""
    deleted, _ = ExportFile.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def _load(network: Network, pk: int) -> ExportFile:
    return ExportFile.objects.select_related("network").get(network=network, pk=pk)


def _check(export: ExportFile) -> None:
    if export.built_at is not None:
        raise JobRefusedError("This file has already been built.")


def _apply(export: ExportFile) -> tuple[int, str, dict[str, Any]]:
    export = export_build(export=export)
    hours = round(keep_for().total_seconds() / 3600)
    return (
        export.rows,
        f"Built {export.filename}: {export.rows:,} rows. Download it within {hours} hours.",
        {"export": export.pk, "rows": export.rows},
    )


def _back(export: ExportFile) -> tuple[str, str]:
    return export_kind_for(export.kind).back(export.network, export.params)


def download_for(export: ExportFile) -> tuple[str, str] | None:
    """``(url, label)`` of a built download still in its window, else ``None``."""
    if not export.is_ready:
        return None
    url = reverse("jobs:exports_download", kwargs={"network": export.network.slug, "pk": export.pk})
    return url, f"Download {export.filename}"


register(
    JobKind(
        name=EXPORT_JOB,
        title=gettext_lazy("Preparing a download"),
        progress=ngettext_lazy(
            "Wrote %(done)s of %(total)s row",
            "Wrote %(done)s of %(total)s rows",
            "count",
        ),
        waiting=ngettext_lazy(
            "Waiting to start: %(total)s row to go.",
            "Waiting to start: %(total)s rows to go.",
            "count",
        ),
        load=_load,
        back=_back,
        remaining=lambda export: export_kind_for(export.kind).rows(export.network, export.params),
        apply=_apply,
        check=_check,
        working=gettext_lazy("Writing the file…"),
        working_total=ngettext_lazy(
            "Writing the file: %(total)s row",
            "Writing the file: %(total)s rows",
            "count",
        ),
        result=download_for,
        role=lambda export: export.role,
    )
)

"""Network waves' and the roles self-assessment's bulk actions, and checking and importing a
large nominations file, run by the worker with progress (:mod:`bridgework.jobs`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext_lazy

from bridgework.datasets.tabular import DatasetError
from bridgework.directory.models import Network
from bridgework.jobs.kinds import JobKind, JobRefusedError, for_coordinators, register
from bridgework.ona import analyses, results, selectors, services
from bridgework.ona.models import NominationImport
from bridgework.waves.jobs import wave_jobs_register

_JOBS = wave_jobs_register(
    kind=services.NETWORK_WAVES,
    prefix="network",
    load=selectors.network_wave_for,
    show_route="networks:nwaves_show",
    closed=gettext_lazy("This survey has closed, so no more invitations can be sent."),
    not_open=gettext_lazy("Reminders can only be sent while the survey is open."),
)
INVITATIONS = _JOBS.invitations
REMINDERS = _JOBS.reminders
ROLES_INVITATIONS = "roles-invitations"


def _network(network: Network, pk: int) -> Network:
    if network.pk != pk:
        raise Network.DoesNotExist("the roles self-assessment of another network")
    return network


register(
    JobKind(
        name=ROLES_INVITATIONS,
        title=gettext_lazy("Sending self-assessment links"),
        progress=ngettext_lazy(
            "Sent %(done)s of %(total)s link",
            "Sent %(done)s of %(total)s links",
            "count",
        ),
        outcome=ngettext_lazy(
            "Sent %(done)s link.",
            "Sent %(done)s links.",
            "count",
        ),
        waiting=ngettext_lazy(
            "Waiting to start: %(total)s link to go.",
            "Waiting to start: %(total)s links to go.",
            "count",
        ),
        load=_network,
        back=lambda network: (
            reverse("networks:roles", kwargs={"network": network.slug}),
            "the roles self-assessment",
        ),
        remaining=lambda network: services.roles_invitations_remaining(network=network),
        batch=lambda network, n: services.roles_invitations_create_batch(network=network, limit=n),
    )
)

NOMINATIONS_CHECK = "nominations-check"
NOMINATIONS_IMPORT = "nominations-import"


def _nominations_back(upload: NominationImport) -> tuple[str, str]:
    url = reverse(
        "networks:nimports_show", kwargs={"network": upload.network.slug, "pk": upload.pk}
    )
    return url, f"the import of {upload.filename}"


def _not_checked(upload: NominationImport) -> None:
    if upload.checked or upload.applied_at is not None:
        raise JobRefusedError("This file has already been checked.")


def _check(upload: NominationImport) -> tuple[int, str, dict[str, Any]]:
    upload = services.nominations_import_check(upload=upload)
    if "problems" in upload.checked:
        problems = len(upload.checked["problems"])
        return (
            0,
            f"The file has {problems:,} problem{'s' if problems != 1 else ''}; nothing was "
            "imported: see them on the file's page, fix them and upload it again.",
            {"problems": problems},
        )
    count = upload.checked["count"]
    return (
        count,
        f"Checked {count:,} nomination{'s' if count != 1 else ''}: check the first rows, then "
        "import them.",
        {"count": count},
    )


def _ready(upload: NominationImport) -> None:
    if upload.applied_at is not None:
        raise JobRefusedError("This file has already been imported.")
    if "count" not in upload.checked:
        raise JobRefusedError("This file has not been checked, or has problems.")


def _import(upload: NominationImport) -> tuple[int, str, dict[str, Any]]:
    try:
        count = services.nominations_import(upload=upload)
    except DatasetError as exc:
        raise JobRefusedError(
            f"The file no longer fits the directory, so nothing was imported: {exc}. "
            "Upload it again to see every problem."
        ) from exc
    return count, f"Imported {count:,} nomination{'s' if count != 1 else ''}.", {"count": count}


register(
    JobKind(
        name=NOMINATIONS_CHECK,
        title=gettext_lazy("Checking a nominations file"),
        progress=ngettext_lazy(
            "Checked %(done)s of %(total)s nomination",
            "Checked %(done)s of %(total)s nominations",
            "count",
        ),
        waiting=ngettext_lazy(
            "Waiting to start: %(total)s nomination to go.",
            "Waiting to start: %(total)s nominations to go.",
            "count",
        ),
        load=selectors.nomination_import_for,
        back=_nominations_back,
        remaining=lambda upload: 0,  # rows are only known once the file is read
        apply=_check,
        check=_not_checked,
        working=gettext_lazy("Checking the file…"),
        working_total=ngettext_lazy(
            "Checking the file: %(total)s nomination",
            "Checking the file: %(total)s nominations",
            "count",
        ),
        role=for_coordinators,
    )
)

register(
    JobKind(
        name=NOMINATIONS_IMPORT,
        title=gettext_lazy("Importing nominations"),
        progress=ngettext_lazy(
            "Imported %(done)s of %(total)s nomination",
            "Imported %(done)s of %(total)s nominations",
            "count",
        ),
        waiting=ngettext_lazy(
            "Waiting to start: %(total)s nomination to go.",
            "Waiting to start: %(total)s nominations to go.",
            "count",
        ),
        load=selectors.nomination_import_for,
        back=_nominations_back,
        remaining=lambda upload: upload.checked.get("count", 0),
        apply=_import,
        check=_ready,
        working=gettext_lazy("Checking and importing the file…"),
        working_total=ngettext_lazy(
            "Checking and importing the file: %(total)s nomination",
            "Checking and importing the file: %(total)s nominations",
            "count",
        ),
        role=for_coordinators,
    )
)

register(
    JobKind(
        name=analyses.ANALYSIS_JOB,
        title=gettext_lazy("Preparing the network figures"),
        progress=ngettext_lazy(
            "Analysed the network of %(total)s person",
            "Analysed the network of %(total)s people",
            "count",
        ),
        waiting=gettext_lazy("Waiting to start: the network’s measures are next in line."),
        load=analyses.analysis_request_for,
        back=analyses.analysis_back,
        remaining=lambda request: results.released_people(request.wave),
        apply=analyses.analysis_apply,
        atomic=False,  # minutes of computing; the cache entries are its only writes
        role=analyses.analysis_role,
        working=gettext_lazy("Computing the network’s measures…"),
        working_total=ngettext_lazy(
            "Computing the measures of a network of %(total)s person",
            "Computing the measures of a network of %(total)s people",
            "count",
        ),
    )
)

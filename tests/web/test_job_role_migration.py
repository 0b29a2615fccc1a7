"""Jobs recorded before each job carried the role needed to see it take that role when the
database is upgraded: a download's job its file's; a named map's analysis and the checks and
imports of people and nominations files the coordinator's, as their pages are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from bridgework.jobs.models import ExportFile, Job
from bridgework.ona.models import AnalysisRequest
from tests.factories import make_network, make_network_wave

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("jobs", "0002_export_files"),
    ("networks", "0009_analysis_requests"),
    ("directory", "0006_min_group_size_bound"),
]


def test_earlier_jobs_take_the_role_of_their_download_or_named_map():
    network = make_network("alpha")
    wave = make_network_wave(network)
    owners_download = ExportFile.objects.create(
        network=network, kind="audit", role="owner", expires_at=timezone.now() + timedelta(1)
    )
    everyones_download = ExportFile.objects.create(
        network=network, kind="people", role="analyst", expires_at=timezone.now() + timedelta(1)
    )
    named, organisations = (
        AnalysisRequest.objects.create(network=network, wave=wave, page=page, key=page)
        for page in ("people", "organisations")
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_job = executor.loader.project_state(BEFORE).apps.get_model("jobs", "Job")
    made = {
        name: old_job.objects.create(network_id=network.pk, kind=kind, target_id=target).pk
        for name, kind, target in (
            ("owners download", "export", owners_download.pk),
            ("everyone's download", "export", everyones_download.pk),
            ("named map", "network-analysis", named.pk),
            ("organisation map", "network-analysis", organisations.pk),
            ("invitations", "rc-invitations", named.pk),  # same id, another kind
            ("people file checked", "people-import-check", 1),
            ("people imported", "people-import", 1),
            ("nominations checked", "nominations-check", 1),
            ("nominations imported", "nominations-import", 1),
        )
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    roles = {name: Job.objects.get(pk=pk).role for name, pk in made.items()}
    assert roles == {
        "owners download": "owner",
        "everyone's download": "analyst",
        "named map": "coordinator",
        "organisation map": "analyst",
        "invitations": "analyst",
        "people file checked": "coordinator",
        "people imported": "coordinator",
        "nominations checked": "coordinator",
        "nominations imported": "coordinator",
    }

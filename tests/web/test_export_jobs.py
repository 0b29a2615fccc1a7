"""Downloads above BRIDGEWORK_EXPORT_INLINE_ROWS are built by a job into a stored file with the
same build function as the inline download: the same bytes, for the same audience, audited the
same way, and deleted by the retention sweep once their window has passed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bridgework.audit.models import Action, AuditEvent
from bridgework.datasets.people import read_people
from bridgework.governance.retention import retention_apply
from bridgework.jobs.models import ExportFile, Job
from tests.factories import add_people

pytestmark = pytest.mark.django_db


def downloads() -> list[dict]:
    return list(
        AuditEvent.objects.filter(action=Action.EXPORT_DOWNLOADED)
        .order_by("pk")
        .values_list("details", flat=True)
    )


def through_a_job(client, url: str, capture, settings) -> tuple[Job, str]:
    settings.EXPORT_INLINE_ROWS = 3
    with capture(execute=True):
        response = client.get(url)
    job = Job.objects.filter(kind="export").latest("pk")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/jobs/{job.pk}/")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    page = client.get(response["Location"]).content.decode()
    export = ExportFile.objects.get(pk=job.target_id)
    download = f"/n/{export.network.slug}/jobs/downloads/{export.pk}/"
    assert f'href="{download}"' in page
    return job, download


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_people_list_is_built_by_a_job_into_the_same_file(
    coordinator, analyst, network_a, django_capture_on_commit_callbacks, settings, fmt
):
    add_people(network_a, count=12)
    url = f"/n/{network_a.slug}/people/export.{fmt}"
    inline = coordinator.get(url)
    assert inline.status_code == 200
    assert not Job.objects.exists()
    job, download = through_a_job(coordinator, url, django_capture_on_commit_callbacks, settings)
    assert job.outcome.startswith(f"Built {network_a.slug}-people.{fmt}: 14 rows.")
    assert len(downloads()) == 1  # building is not downloading
    stored = analyst.get(download)  # the inline download's audience: any member
    assert stored.status_code == 200
    assert stored["Content-Disposition"] == inline["Content-Disposition"]
    assert stored["Content-Type"] == inline["Content-Type"]
    if fmt == "csv":
        assert stored.content == inline.content
    else:  # a workbook carries its own timestamp: compare what it holds
        assert read_people(stored.content, filename="p.xlsx") == read_people(
            inline.content, filename="p.xlsx"
        )
    first, second = downloads()
    assert second == {**first, "prepared_by_job": True}
    assert first == {"export": f"people {fmt.upper()}", "rows": 14}


def test_a_stored_audit_log_is_for_owners_only_and_never_another_network(
    owner, coordinator, analyst, network_a, network_b, django_capture_on_commit_callbacks, settings
):
    from tests.factories import login_with

    for i in range(6):
        AuditEvent.objects.create(
            network=network_a, action=Action.EXPORT_DOWNLOADED, details={"i": i}
        )
    url = f"/n/{network_a.slug}/audit/export.csv"
    job, download = through_a_job(owner, url, django_capture_on_commit_callbacks, settings)
    settings.EXPORT_INLINE_ROWS = 1000
    inline = owner.get(url).content  # the log as it was built: downloads are audited after
    stored = owner.get(download)
    assert stored.status_code == 200
    assert stored.content == inline
    assert coordinator.get(download).status_code == 403
    assert analyst.get(download).status_code == 403
    # Nor can they read its job: the page names the file and counts the log's rows.
    page = f"/n/{network_a.slug}/jobs/{job.pk}/"
    assert "audit" in owner.get(page).content.decode()
    assert f'href="{page}"' in owner.get(f"/n/{network_a.slug}/jobs/").content.decode()
    for reader in (coordinator, analyst):
        assert reader.get(page).status_code == 404
        assert f"/jobs/{job.pk}/" not in reader.get(f"/n/{network_a.slug}/jobs/").content.decode()
    other = login_with(network_b, "owner", "owner@beta.example")
    assert other.get(f"/n/{network_b.slug}/jobs/downloads/{job.target_id}/").status_code == 404


def test_stored_downloads_are_deleted_after_their_window(
    coordinator, network_a, django_capture_on_commit_callbacks, settings
):
    add_people(network_a, count=5)
    job, download = through_a_job(
        coordinator,
        f"/n/{network_a.slug}/people/export.csv",
        django_capture_on_commit_callbacks,
        settings,
    )
    assert retention_apply() == {}  # still within its window
    assert coordinator.get(download).status_code == 200
    later = timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS, minutes=1)
    assert retention_apply(now=later) == {"exports": 1}
    assert not ExportFile.objects.exists()
    assert coordinator.get(download).status_code == 404
    page = coordinator.get(f"/n/{network_a.slug}/jobs/{job.pk}/").content.decode()
    assert "Built " in page  # the job's outcome stays
    assert download not in page


def test_the_demo_sized_lists_download_at_once(coordinator, owner, network_a):
    add_people(network_a, count=40)
    for url, client in (
        (f"/n/{network_a.slug}/people/export.csv", coordinator),
        (f"/n/{network_a.slug}/audit/export.csv", owner),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
    assert not Job.objects.exists()

"""Uploads larger than a request may handle are stored at once and checked by a job in the
worker, with the same preview, the same row-level problems and the same outcome as a file
checked inline."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bridgework.directory import imports
from bridgework.directory.models import PeopleImport, Person
from bridgework.jobs import services as jobs
from bridgework.jobs.models import Job
from tests import nasty_files

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

#: Seconds the upload request may take with the largest file.
UPLOAD_SECONDS = 3


def post(client, network, name: str, content: bytes):
    return client.post(
        f"/n/{network.slug}/people/import/", {"file": SimpleUploadedFile(name, content)}
    )


def problems_table(html: str) -> str:
    found = re.search(r'<div class="govuk-error-summary".*?</table>', html, re.S)
    assert found, "no problems on the page"
    return found.group(0)


def preview_part(html: str) -> str:
    found = re.search(r'<dl class="govuk-summary-list">.*?<form method="post"', html, re.S)
    assert found, "no preview on the page"
    return found.group(0)


def through_the_worker(client, network, name, content, capture, settings):
    """Upload with the inline limit below the file's size; run the check job."""
    settings.UPLOAD_INLINE_BYTES = 10
    with capture(execute=True):
        response = post(client, network, name, content)
    job = Job.objects.filter(kind="people-import-check").latest("pk")
    assert response.status_code == 302
    assert response["Location"] == f"/n/{network.slug}/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    upload = PeopleImport.objects.get(pk=job.target_id)
    page = client.get(f"/n/{network.slug}/people/import/{upload.pk}/").content.decode()
    return job, upload, page


def test_a_hundred_thousand_people_upload_returns_at_once_and_the_job_refuses_it_like_inline(
    coordinator, network_a, django_capture_on_commit_callbacks, settings
):
    name, content = nasty_files.hundred_thousand_people()
    inline = post(coordinator, network_a, name, content)  # the default inline limit: 1 MB
    assert len(content) > settings.UPLOAD_INLINE_BYTES
    assert inline.status_code == 302  # stored only: the job checks it
    job = Job.objects.get(kind="people-import-check")
    assert job.status == Job.Status.QUEUED
    Job.objects.all().delete()
    PeopleImport.objects.all().delete()
    started = time.perf_counter()
    response = post(coordinator, network_a, name, content)
    elapsed = time.perf_counter() - started
    assert elapsed < UPLOAD_SECONDS, f"the upload request took {elapsed:.1f}s"
    job = Job.objects.get(kind="people-import-check")
    assert response["Location"] == f"/n/{network_a.slug}/jobs/{job.pk}/"
    upload = PeopleImport.objects.get()
    assert upload.status == PeopleImport.Status.CHECKING
    waiting = coordinator.get(response["Location"]).content.decode()
    assert "Checking the file…" in waiting
    # The preview page sends the coordinator to the job until it has checked the file.
    preview = coordinator.get(f"/n/{network_a.slug}/people/import/{upload.pk}/")
    assert preview["Location"] == response["Location"]
    job = jobs.job_run(job_id=job.pk)
    assert job.status == Job.Status.DONE
    assert "The file has 1 problem" in job.outcome
    upload.refresh_from_db()
    assert upload.status == PeopleImport.Status.REFUSED
    assert bytes(upload.content) == b""  # a refused file is not kept
    page = coordinator.get(f"/n/{network_a.slug}/people/import/{upload.pk}/").content.decode()
    assert "20,000 rows" in page
    assert "BRIDGEWORK_MAX_UPLOAD_ROWS" in page
    # The same problems as the page says when it checks the file in the request.
    settings.UPLOAD_INLINE_BYTES = len(content)
    inline_page = post(coordinator, network_a, name, content).content.decode()
    assert problems_table(page) == problems_table(inline_page)
    assert not Person.objects.filter(email="p1@example.org").exists()
    # Its job cannot be confirmed into an import.
    refused = coordinator.post(
        f"/n/{network_a.slug}/people/import/{upload.pk}/confirm/", {"action": "confirm"}
    )
    assert refused.status_code == 302
    assert not Job.objects.filter(kind="people-import").exists()


def test_row_level_problems_found_in_the_worker_are_those_found_inline(
    coordinator, network_a, django_capture_on_commit_callbacks, settings
):
    content = (FIXTURES / "people-bad.csv").read_bytes()
    inline = post(coordinator, network_a, "bad.csv", content).content.decode()
    job, upload, page = through_the_worker(
        coordinator, network_a, "bad.csv", content, django_capture_on_commit_callbacks, settings
    )
    assert "The file has 3 problems" in page
    assert "benedict.amadi@" in page
    assert problems_table(page) == problems_table(inline)
    assert job.outcome_data == {"problems": 3}
    assert upload.status == PeopleImport.Status.REFUSED


def test_a_large_file_checked_in_the_worker_previews_and_imports_as_inline(
    coordinator, network_a, django_capture_on_commit_callbacks, settings
):
    rows = ["name,email,organisation,workgroup,job_title\n"]
    rows.append("alpha Staff,STAFF@ALPHA.EXAMPLE,,,Senior nurse\n")  # an update
    rows += [f"Person {n},p{n}@alpha.example,Agency {n % 4},Group {n % 3},\n" for n in range(300)]
    content = "".join(rows).encode()
    inline = post(coordinator, network_a, "people.csv", content)
    assert inline.status_code == 302
    inline_page = coordinator.get(inline["Location"]).content.decode()
    PeopleImport.objects.all().delete()
    job, upload, page = through_the_worker(
        coordinator, network_a, "people.csv", content, django_capture_on_commit_callbacks, settings
    )
    assert upload.status == PeopleImport.Status.PREVIEW
    assert "Checked 301 rows: 300 new, 1 updated and 0 unchanged people." in job.outcome
    assert preview_part(page) == preview_part(inline_page)
    assert "Senior nurse" in page
    # The new people are shown a page at a time, whatever the size of the file.
    assert 'aria-label="Pages of new people"' in page
    assert page.count("@alpha.example</td>") == 50
    second = coordinator.get(f"/n/{network_a.slug}/people/import/{upload.pk}/?new_page=2")
    assert "Page 2 of 6" in second.content.decode()
    # The job page leads to the preview.
    job_page = coordinator.get(f"/n/{network_a.slug}/jobs/{job.pk}/").content.decode()
    assert f'href="/n/{network_a.slug}/people/import/{upload.pk}/"' in job_page
    # Confirming is the existing import job, with the same outcome.
    with django_capture_on_commit_callbacks(execute=True):
        done = coordinator.post(
            f"/n/{network_a.slug}/people/import/{upload.pk}/confirm/", {"action": "confirm"}
        )
    outcome = coordinator.get(done["Location"]).content.decode()
    assert "Imported 300 new and 1 updated people." in outcome
    assert Person.objects.filter(network=network_a, email__startswith="p2").count() == 111
    assert Person.objects.get(email="staff@alpha.example").job_title == "Senior nurse"


def test_the_upload_request_of_a_large_file_does_not_read_it(
    coordinator, network_a, monkeypatch, settings
):
    settings.UPLOAD_INLINE_BYTES = 10

    def not_here(*args, **kwargs):
        raise AssertionError("the file was read in the request")

    monkeypatch.setattr(imports, "read_people_file", not_here)
    response = post(coordinator, network_a, "a.csv", b"name,email\nNew One,new1@alpha.example\n")
    assert response.status_code == 302
    assert Job.objects.get(kind="people-import-check").status == Job.Status.QUEUED


def test_a_small_file_is_still_checked_in_the_request(coordinator, network_a):
    response = post(coordinator, network_a, "a.csv", b"name,email\nNew One,new1@alpha.example\n")
    upload = PeopleImport.objects.get()
    assert response["Location"] == f"/n/{network_a.slug}/people/import/{upload.pk}/"
    assert upload.status == PeopleImport.Status.PREVIEW
    assert not Job.objects.exists()

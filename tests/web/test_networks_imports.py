"""Importing nominations into a network wave from XLSX: a preview, then all rows or none."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from bridgework.directory.models import Person
from bridgework.ona import services
from bridgework.ona.models import NetworkWave, Nomination


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def wave(network_a) -> NetworkWave:
    org = network_a.organisations.first()
    for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing"):
        Person.objects.create(
            network=network_a,
            name=name,
            email=f"{name.split()[0].lower()}@a.example",
            organisation=org,
        )
    now = timezone.now()
    return services.network_wave_create(
        network=network_a,
        name="Imported map",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),  # imports fill closed waves too (past surveys)
    )


def _upload(client, wave: NetworkWave, content: bytes, name: str = "nominations.xlsx") -> str:
    response = client.post(
        f"/n/{wave.network.slug}/networks/waves/{wave.pk}/import/",
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.django_db
def test_xlsx_nominations_are_previewed_with_names_then_imported(wave, coordinator):
    ada, grace, alan = (
        Person.objects.get(name=n) for n in ("Ada Lovelace", "Grace Hopper", "Alan Turing")
    )
    content = _xlsx(
        [
            ["ego", "alter", "relation", "weight"],
            [ada.pk, grace.pk, "trust", 4],  # ids as numbers, as Excel stores them
            ["grace@a.example", alan.pk, "Advice", 2.5],  # emails work too; case is ignored
            [alan.pk, ada.pk, None, None],  # blank relation and weight: works_with, 1
        ]
    )
    preview_url = _upload(coordinator, wave, content)
    preview = coordinator.get(preview_url).content.decode()
    assert "3 nominations are ready to import" in preview
    assert "Ada Lovelace" in preview
    assert "Grace Hopper" in preview
    assert not Nomination.objects.exists()  # nothing written by the preview

    coordinator.post(preview_url)
    coordinator.post(preview_url)  # confirming twice imports once
    rows = set(Nomination.objects.values_list("ego", "alter", "relation", "weight", "imported"))
    assert rows == {
        (ada.pk, grace.pk, "trust", 4.0, True),
        (grace.pk, alan.pk, "advice", 2.5, True),
        (alan.pk, ada.pk, "works_with", 1.0, True),
    }
    # The imported relation can be chosen on the map, and the map page answers.
    page = coordinator.get(f"/n/{wave.network.slug}/networks/waves/{wave.pk}/map/?relation=advice")
    assert page.status_code == 200
    assert b'<option value="advice" selected>Advice</option>' in page.content


@pytest.mark.django_db
def test_bad_xlsx_rows_are_listed_by_row_and_column_and_nothing_is_written(wave, coordinator):
    ada, grace = Person.objects.get(name="Ada Lovelace"), Person.objects.get(name="Grace Hopper")
    content = _xlsx(
        [
            ["ego", "alter", "relation", "weight"],
            [ada.pk, grace.pk, "trust", 4],  # row 2 is fine
            [ada.pk, ada.pk, "trust", 3],  # row 3: self-nomination
            [ada.pk, 999999, "trust", 3],  # row 4: unknown alter
            [grace.pk, ada.pk, "trust", "often"],  # row 5: weight not a number
            [grace.pk, ada.pk, "x" * 41, 2],  # row 6: relation too long to store
            [ada.pk, grace.pk, "trust", 5],  # row 7: repeats row 2
        ]
    )
    preview_url = _upload(coordinator, wave, content)
    page = coordinator.get(preview_url).content.decode()
    assert "The file has 5 problems; nothing was imported" in page
    cells = page.split("<tbody", 1)[1]
    for row, column in (("3", "alter"), ("4", "alter"), ("5", "weight"), ("6", "relation")):
        assert (
            f'<td class="govuk-table__cell">{row}</td><td class="govuk-table__cell">{column}</td>'
            in cells
        )
    assert "is already on row 2" in page
    assert "Import " not in page  # no confirm button
    coordinator.post(preview_url)
    assert not Nomination.objects.exists()


@pytest.mark.django_db
def test_a_damaged_xlsx_is_a_problem_not_a_traceback(wave, coordinator):
    preview_url = _upload(coordinator, wave, b"PK\x03\x04 not really a workbook")
    page = coordinator.get(preview_url)
    assert page.status_code == 200
    assert b"not a readable XLSX workbook" in page.content
    assert coordinator.post(preview_url).status_code == 200
    assert not Nomination.objects.exists()


@pytest.mark.django_db
def test_import_is_for_coordinators_only(wave, analyst):
    url = f"/n/{wave.network.slug}/networks/waves/{wave.pk}/import/"
    assert analyst.get(url).status_code == 403
    assert (
        analyst.post(url, {"file": SimpleUploadedFile("n.xlsx", _xlsx([["ego"]]))}).status_code
        == 403
    )


def _main_part(html: str) -> str:
    """The page's preview (the import's id and the form's token aside)."""
    start = html.index('<h1 class="govuk-heading-l">')
    part = html[start : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", part)


@pytest.mark.django_db
def test_a_large_nominations_file_is_checked_and_imported_by_jobs_like_a_small_one(
    wave, coordinator, settings, django_capture_on_commit_callbacks
):
    from bridgework.jobs.models import Job
    from bridgework.ona.models import NominationImport

    people = {p.name: p for p in Person.objects.filter(network=wave.network)}
    rows = [["ego", "alter", "relation", "weight"]] + [
        [people[a].email, people[b].pk, "advice", 2]
        for a, b in (("Ada Lovelace", "Grace Hopper"), ("Grace Hopper", "Alan Turing"))
    ]
    content = _xlsx(rows)
    inline = coordinator.get(_upload(coordinator, wave, content)).content.decode()
    NominationImport.objects.all().delete()
    settings.UPLOAD_INLINE_BYTES = 10  # every file is "large"
    with django_capture_on_commit_callbacks(execute=True):
        location = _upload(coordinator, wave, content)
    check = Job.objects.get(kind="nominations-check")
    assert location == f"/n/{wave.network.slug}/jobs/{check.pk}/"
    assert check.status == "done"
    record = NominationImport.objects.get()
    page_url = f"/n/{wave.network.slug}/networks/imports/{record.pk}/"
    page = coordinator.get(page_url).content.decode()
    assert "Grace Hopper" in page
    assert _main_part(page) == _main_part(inline)
    assert not Nomination.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = coordinator.post(page_url)
    job = Job.objects.get(kind="nominations-import")
    assert done["Location"] == f"/n/{wave.network.slug}/jobs/{job.pk}/"
    assert job.status == "done"
    assert job.outcome == "Imported 2 nominations."
    assert Nomination.objects.filter(wave=wave, imported=True).count() == 2


@pytest.mark.django_db
def test_a_large_nominations_file_with_problems_lists_them_like_a_small_one(
    wave, coordinator, settings, django_capture_on_commit_callbacks
):
    from bridgework.ona.models import NominationImport

    content = _xlsx([["ego", "alter"], ["nobody@a.example", "ada@a.example"], ["x", "x"]])
    inline = coordinator.get(_upload(coordinator, wave, content)).content.decode()
    assert "govuk-error-summary" in inline
    NominationImport.objects.all().delete()
    settings.UPLOAD_INLINE_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        _upload(coordinator, wave, content)
    record = NominationImport.objects.get()
    assert bytes(record.content) == b""  # a refused file is not kept
    page = coordinator.get(f"/n/{wave.network.slug}/networks/imports/{record.pk}/").content
    assert _main_part(page.decode()) == _main_part(inline)
    coordinator.post(f"/n/{wave.network.slug}/networks/imports/{record.pk}/")
    assert not Nomination.objects.exists()

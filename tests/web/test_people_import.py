"""People import: the web preview/confirm flow and ``bridgework import-people``."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bridgework.cli import main
from bridgework.directory.models import Organisation, PeopleImport, Person, Workgroup

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def upload(client, network, name: str, content: bytes):
    url = f"/n/{network.slug}/people/import/"
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


@pytest.mark.django_db
def test_bad_file_lists_every_problem_and_writes_nothing(coordinator, network_a):
    before = Person.objects.count()
    response = upload(coordinator, network_a, "bad.csv", (FIXTURES / "people-bad.csv").read_bytes())
    assert response.status_code == 200
    html = response.content.decode()
    assert "The file has 3 problems" in html
    assert "benedict.amadi@" in html
    assert "Pacific/Honolula" in html
    assert "own email" in html
    assert Person.objects.count() == before
    assert not PeopleImport.objects.exists()


@pytest.mark.django_db
def test_preview_then_confirm_creates_people_and_groups(
    coordinator, network_a, django_capture_on_commit_callbacks
):
    response = upload(
        coordinator, network_a, "good.csv", (FIXTURES / "people-good.csv").read_bytes()
    )
    assert response.status_code == 302
    preview = coordinator.get(response["Location"])
    html = preview.content.decode()
    assert "Riverbend Legal Aid" in html
    assert "Parent attorneys" in html
    assert Person.objects.filter(network=network_a).count() == 2  # nothing written yet
    upload_id = PeopleImport.objects.get().pk
    with django_capture_on_commit_callbacks(execute=True):
        done = coordinator.post(
            f"/n/{network_a.slug}/people/import/{upload_id}/confirm/", {"action": "confirm"}
        )
    assert done.status_code == 302
    outcome = coordinator.get(done["Location"]).content.decode()
    assert "Imported 10 new and 0 updated people." in outcome
    assert Person.objects.filter(network=network_a).count() == 12
    assert Organisation.objects.filter(network=network_a, name="Riverbend Legal Aid").exists()
    assert Workgroup.objects.filter(network=network_a, name="Parent attorneys").exists()
    # Confirming twice (a double click) changes nothing more.
    again = coordinator.post(
        f"/n/{network_a.slug}/people/import/{upload_id}/confirm/", {"action": "confirm"}
    )
    assert again.status_code == 302
    assert Person.objects.filter(network=network_a).count() == 12


@pytest.mark.django_db
def test_update_matches_email_case_insensitively_and_keeps_blank_cells(
    coordinator, network_a, django_capture_on_commit_callbacks
):
    person = Person.objects.get(email="staff@alpha.example")
    person.location = "Harbour Town"
    person.save()
    content = b"Name,Email,Job title,Location\nalpha Staff,STAFF@ALPHA.EXAMPLE,Senior nurse,\n"
    response = upload(coordinator, network_a, "update.csv", content)
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = coordinator.get(response["Location"]).content.decode()
    assert "Senior nurse" in preview
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(response["Location"] + "confirm/", {"action": "confirm"})
    person.refresh_from_db()
    assert person.job_title == "Senior nurse"
    assert person.location == "Harbour Town"
    assert person.manager is not None  # no manager column: unchanged


@pytest.mark.django_db
def test_unknown_manager_is_a_problem(coordinator, network_a):
    content = b"name,email,manager_email\nNew Person,new@alpha.example,nobody@alpha.example\n"
    response = upload(coordinator, network_a, "m.csv", content)
    assert "no one with email nobody@alpha.example" in response.content.decode()
    assert not Person.objects.filter(email="new@alpha.example").exists()


@pytest.mark.django_db
def test_analyst_cannot_import(analyst, network_a):
    response = analyst.get(f"/n/{network_a.slug}/people/import/")
    assert response.status_code == 403
    assert "cannot do that" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_cli_import_exit_codes_and_dry_run(network_a, capsys):
    bad = str(FIXTURES / "people-bad.csv")
    assert main(["import-people", bad, "--network", network_a.slug]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3
    assert err[0].startswith("row 3, column Email:")
    assert Person.objects.filter(network=network_a).count() == 2

    good = str(FIXTURES / "people-good.csv")
    assert main(["import-people", good, "--network", network_a.slug, "--dry-run"]) == 0
    assert "would create 10" in capsys.readouterr().out
    assert Person.objects.filter(network=network_a).count() == 2

    assert main(["import-people", good, "--network", network_a.slug]) == 0
    assert Person.objects.filter(network=network_a).count() == 12
    assert main(["import-people", good, "--network", "nope"]) == 2


@pytest.mark.django_db
def test_export_round_trips_through_import(coordinator, network_a):
    from bridgework.datasets.people import read_people

    for fmt in ("csv", "xlsx"):
        response = coordinator.get(f"/n/{network_a.slug}/people/export.{fmt}")
        assert response.status_code == 200
        records = read_people(response.content, filename=f"x.{fmt}")
        assert {r.email for r in records} == {"manager@alpha.example", "staff@alpha.example"}
        staff = next(r for r in records if r.email == "staff@alpha.example")
        assert staff.manager_email == "manager@alpha.example"
        assert staff.team == "alpha Team"


def _people_file(n: int) -> bytes:
    """``n`` people in a management tree (person i reports to person (i - 1) // 2), listed
    reports first, then two more who manage each other; a few organisations and teams."""
    rows = ["name,email,organisation,team,workgroup,manager_email"]
    for i in reversed(range(n)):
        manager = f"p{(i - 1) // 2}@alpha.example" if i else ""
        rows.append(f"P {i},p{i}@alpha.example,Org {i % 3},Team {i % 2},Group {i % 4},{manager}")
    rows.append("Ann,ann@alpha.example,Org 0,,,bob@alpha.example")
    rows.append("Bob,bob@alpha.example,Org 0,,,ann@alpha.example")
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.django_db
def test_import_links_managers_listed_after_their_reports_and_in_a_circle(network_a):
    from bridgework.directory.imports import people_import

    people_import(network=network_a, source=_people_file(40), filename="p.csv")
    people = {p.email: p for p in Person.objects.filter(network=network_a)}
    assert people["p0@alpha.example"].manager is None
    for i in range(1, 40):
        assert people[f"p{i}@alpha.example"].manager == people[f"p{(i - 1) // 2}@alpha.example"]
    assert people["ann@alpha.example"].manager == people["bob@alpha.example"]
    assert people["bob@alpha.example"].manager == people["ann@alpha.example"]
    assert Organisation.objects.filter(network=network_a, name__startswith="Org ").count() == 3


@pytest.mark.django_db
def test_import_queries_do_not_grow_with_the_number_of_rows(network_a, network_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bridgework.directory.imports import people_import

    counts = []
    # 48 and 60 people: management trees of the same depth (6 levels, one insert each, as
    # SQLite takes up to 76 people per insert). Queries grow with inserts, not with rows.
    for network, n in ((network_a, 48), (network_b, 60)):
        with CaptureQueriesContext(connection) as queries:
            people_import(network=network, source=_people_file(n), filename="p.csv")
        assert Person.objects.filter(network=network).count() == n + 4
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_import_writes_nothing_when_a_row_fails_its_checks_at_write_time(network_a, monkeypatch):
    from bridgework.datasets.tabular import DatasetError
    from bridgework.directory import imports

    real = imports._check

    def refuses_row_5(person, row, problems):
        real(person, row, problems)
        if row == 5:
            problems.append(imports.Problem(row, "name", "refused"))

    monkeypatch.setattr(imports, "_check", refuses_row_5)
    before = Person.objects.count()
    with pytest.raises(DatasetError, match="refused"):
        imports.people_import(network=network_a, source=_people_file(8), filename="p.csv")
    assert Person.objects.count() == before
    assert not Organisation.objects.filter(name__startswith="Org ").exists()

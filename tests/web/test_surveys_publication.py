"""Published results snapshots: live results that cannot be differenced, frozen final results,
dimension counts, guarded downloads and one snapshot under races."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import load_workbook

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.directory.models import Workgroup
from bridgework.surveys import selectors, services
from bridgework.surveys.models import Invitation, Response, ResultsSnapshot, Wave
from bridgework.surveys.results import wave_results_freeze, wave_results_publish
from tests.factories import make_survey


def respond(invitation: Invitation, targets: list[str], scores: dict[str, int | None]) -> None:
    for target in targets:
        Response.objects.create(invitation=invitation, target=target, **scores)
    invitation.completed_at = timezone.now()
    invitation.save()


def rows(client, url: str) -> dict[tuple[str, str], dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    table = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return {(row["rater"], row["target"]): row for row in table}


def close(wave: Wave) -> None:
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    wave.refresh_from_db()


@pytest.fixture
def live(network_a):
    survey = make_survey(network_a, sizes=(12, 6))
    Wave.objects.filter(pk=survey.wave.pk).update(live_results=True)
    survey.wave.refresh_from_db()
    return survey


def _url(survey, what: str = "results.csv") -> str:
    return f"/n/{survey.wave.network.slug}/surveys/waves/{survey.wave.pk}/{what}"


@pytest.mark.django_db
def test_one_more_answer_does_not_move_a_live_cell(analyst, live):
    group0 = list(Invitation.objects.filter(wave=live.wave, workgroup=live.groups[0]))
    target = [f"wg:{live.groups[1].pk}"]
    for i, invitation in enumerate(group0[:5]):
        respond(invitation, target, dict.fromkeys(DIMENSIONS, 3 + i % 2))
    first = rows(analyst, _url(live))[("Group 0", "Group 1")]
    assert first["n"] == "5"
    # The sixth answer is all ones: if the cell moved, subtracting would give them back.
    respond(group0[5], target, dict.fromkeys(DIMENSIONS, 1))
    second = rows(analyst, _url(live))[("Group 0", "Group 1")]
    assert second["n"] == "5"
    assert second["rc"] == first["rc"]
    assert first["as_of"] == ""  # current values carry no date
    assert second["as_of"]  # kept values say when they were published
    assert ResultsSnapshot.objects.filter(wave=live.wave).count() == 2
    # Five more (ten in all) stand behind the next values.
    for invitation in group0[6:9]:
        respond(invitation, target, dict.fromkeys(DIMENSIONS, 5))
    assert rows(analyst, _url(live))[("Group 0", "Group 1")]["n"] == "5"
    respond(group0[9], target, dict.fromkeys(DIMENSIONS, 5))
    third = rows(analyst, _url(live))[("Group 0", "Group 1")]
    assert third["n"] == "10"
    assert float(third["rc"]) != float(first["rc"])


@pytest.mark.django_db
def test_closed_wave_results_are_frozen_when_raw_answers_go(analyst, network_a):
    survey = make_survey(network_a, sizes=(6, 6))
    for invitation in Invitation.objects.filter(wave=survey.wave):
        respond(invitation, [f"wg:{g.pk}" for g in survey.groups], dict.fromkeys(DIMENSIONS, 4))
    close(survey.wave)
    snapshot = wave_results_freeze(wave=survey.wave)
    assert snapshot.final
    before = rows(analyst, _url(survey))
    Response.objects.filter(invitation__wave=survey.wave).delete()  # erasure, retention
    assert rows(analyst, _url(survey)) == before
    assert ResultsSnapshot.objects.filter(wave=survey.wave).count() == 1
    assert selectors.results_snapshot_for(survey.wave) == snapshot


@pytest.mark.django_db
def test_freezing_an_open_wave_is_refused(network_a):
    survey = make_survey(network_a, sizes=(6,))
    with pytest.raises(ValueError, match="still open"):
        wave_results_freeze(wave=survey.wave)


@pytest.mark.django_db
def test_closing_a_wave_publishes_its_final_snapshot(network_a):
    survey = make_survey(network_a, sizes=(6,))
    services.wave_close(wave=survey.wave)
    assert ResultsSnapshot.objects.get(wave=survey.wave).final


@pytest.mark.django_db
def test_one_final_snapshot_and_unique_numbers(network_a):
    survey = make_survey(network_a, sizes=(6,))
    close(survey.wave)
    first = wave_results_publish(wave=survey.wave)
    assert wave_results_publish(wave=survey.wave) == first
    with pytest.raises(IntegrityError), transaction.atomic():
        ResultsSnapshot.objects.create(wave=survey.wave, number=2, final=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResultsSnapshot.objects.create(wave=survey.wave, number=1)


@pytest.mark.django_db
def test_dimension_behind_one_answer_is_hidden_on_page_csv_and_xlsx(analyst, network_a):
    survey = make_survey(network_a, sizes=(6, 6))
    target = [f"wg:{survey.groups[1].pk}"]
    invitations = list(Invitation.objects.filter(wave=survey.wave, workgroup=survey.groups[0]))
    respond(invitations[0], target, dict.fromkeys(DIMENSIONS, 2))
    for invitation in invitations[1:]:
        respond(invitation, target, {**dict.fromkeys(DIMENSIONS, 4), "timely": None})
    close(survey.wave)
    row = rows(analyst, _url(survey))[("Group 0", "Group 1")]
    assert row["n"] == "6"
    assert row["timely"] == ""
    assert "timely" in row["hidden_parts"]
    sheet = load_workbook(io.BytesIO(analyst.get(_url(survey, "results.xlsx")).content))["Cells"]
    header = [c.value for c in sheet[1]]
    for line in sheet.iter_rows(min_row=2, values_only=True):
        record = dict(zip(header, line, strict=False))
        if (record["rater"], record["target"]) == ("Group 0", "Group 1"):
            assert record.get("timely") in (None, "")
    page = analyst.get(
        f"/n/{network_a.slug}/surveys/waves/{survey.wave.pk}/results/cell/"
        f"?rater=Group%200&target=Group%201"
    ).content.decode()
    assert "fewer than 5 respondents" in page
    assert "2.00" not in page


@pytest.mark.django_db
def test_formula_workgroup_names_come_out_inert(analyst, network_a):
    survey = make_survey(network_a, sizes=(6, 6))
    Workgroup.objects.filter(pk=survey.groups[0].pk).update(name='=HYPERLINK("http://x","y")')
    for invitation in Invitation.objects.filter(wave=survey.wave):
        respond(invitation, [f"wg:{g.pk}" for g in survey.groups], dict.fromkeys(DIMENSIONS, 4))
    close(survey.wave)
    text = analyst.get(_url(survey)).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert not any(line.startswith("=") for line in text.splitlines())
    workbook = load_workbook(io.BytesIO(analyst.get(_url(survey, "results.xlsx")).content))
    for sheet in workbook.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)

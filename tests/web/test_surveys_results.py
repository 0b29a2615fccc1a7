"""Results pages and downloads: figures from the analysis, suppression everywhere, no single
respondent's answers, change since the previous wave, roles."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.surveys import services
from bridgework.surveys.models import Invitation, Response, Wave
from bridgework.surveys.results import wave_analysis, wave_comparison
from tests.factories import answer_survey as answer
from tests.factories import close_wave as close
from tests.factories import make_survey


@pytest.fixture
def closed_survey(network_a):
    survey = make_survey(network_a, sizes=(6, 2, 7))  # Group 1 has 2 respondents: below 5
    answer(survey)
    close(survey.wave)
    return survey


@pytest.mark.django_db
def test_results_wait_until_close_unless_live(coordinator, network_a):
    survey = make_survey(network_a, sizes=(6,))
    answer(survey)
    url = f"/n/{network_a.slug}/surveys/waves/{survey.wave.pk}/results/"
    assert "Results show once the wave closes" in coordinator.get(url).content.decode()
    assert coordinator.get(url.replace("results/", "results.csv")).status_code == 302
    Wave.objects.filter(pk=survey.wave.pk).update(live_results=True)
    assert "Who rates whom" in coordinator.get(url).content.decode()


@pytest.mark.django_db
def test_results_page_shows_the_analysis_figures_with_band_n_and_range(analyst, closed_survey):
    wave = closed_survey.wave
    analysis = wave_analysis(wave)
    cell = next(c for c in analysis.cells if not c.suppressed)
    assert cell.n >= 5
    html = analyst.get(f"/n/alpha/surveys/waves/{wave.pk}/results/").content.decode()
    assert f"{cell.rc:.2f}" in html
    assert f">{cell.band}<" in html
    assert f"n {cell.n}" in html
    assert f"{cell.ci[0]:.2f}–{cell.ci[1]:.2f}" in html
    assert "Suppressed" in html
    assert "Where to start" in html
    assert "Cronbach" in html
    assert "Reciprocity gaps" in html


@pytest.mark.django_db
def test_no_page_or_download_shows_a_suppressed_value_or_one_persons_answers(
    coordinator, closed_survey
):
    wave = closed_survey.wave
    analysis = wave_analysis(wave)
    hidden = [c for c in analysis.cells if c.suppressed]
    assert hidden
    assert all(c.rc is None for c in hidden)
    # The small group's true (unsuppressed) mean is between 1 and 2; nothing near it may show.
    base = f"/n/alpha/surveys/waves/{wave.pk}"
    pages = [f"{base}/results/", f"{base}/results/print/"]
    pages += [f"{base}/results/cell/?rater={c.rater}&target={c.target}" for c in analysis.cells]
    for url in pages:
        html = coordinator.get(url).content.decode()
        for value in ("1.50", "1.43", "1.57", "1.00", "2.00"):
            assert f">{value}" not in html, (url, value)
    rows = list(
        csv.DictReader(
            io.StringIO(coordinator.get(f"{base}/results.csv").content.decode("utf-8-sig"))
        )
    )
    assert len(rows) == len(analysis.cells)
    for row in rows:
        if row["suppressed"] == "True":
            assert row["rc"] == ""
            assert row["ci_low"] == ""
            assert all(row[k] == "" for k in DIMENSIONS)
    workbook = load_workbook(io.BytesIO(coordinator.get(f"{base}/results.xlsx").content))
    values = [
        cell for sheet in workbook for line in sheet.iter_rows(values_only=True) for cell in line
    ]
    assert not any(isinstance(v, float) and v < 2.2 and v >= 1 for v in values if v != 0)
    # No respondent ids or names anywhere.
    for person in ("G0 P0", "G1 P0", "g1p0@"):
        assert all(person not in str(v) for v in values)


@pytest.mark.django_db
def test_cell_profile_shows_seven_dimensions_or_says_suppressed(coordinator, closed_survey):
    wave = closed_survey.wave
    base = f"/n/alpha/surveys/waves/{wave.pk}/results/cell/"
    shown = next(c for c in wave_analysis(wave).cells if not c.suppressed)
    html = coordinator.get(base, {"rater": shown.rater, "target": shown.target}).content.decode()
    for label in ("Frequent communication", "Shared goals", "Mutual respect"):
        assert label in html
    html = coordinator.get(base, {"rater": "Group 1", "target": "Group 0"}).content.decode()
    assert "Suppressed" in html
    assert "Mutual respect" not in html
    assert coordinator.get(base, {"rater": "Nobody", "target": "Group 0"}).status_code == 404


@pytest.mark.django_db
def test_change_since_previous_wave_with_uncertainty(coordinator, network_a):
    first = make_survey(network_a, sizes=(6, 6), name="Before", opened_days_ago=40)
    answer(first, big_score=2, small_score=2)
    Wave.objects.filter(pk=first.wave.pk).update(closes_at=timezone.now() - timedelta(days=30))
    second = make_survey(network_a, sizes=(6, 6), name="After", process=first.process)
    answer(second, big_score=4, small_score=4)
    close(second.wave)
    before, comparison = wave_comparison(second.wave)
    assert before.pk == first.wave.pk
    change = comparison.cell("Group 0", "Group 1").change
    assert change.difference == pytest.approx(2.0)
    html = coordinator.get(f"/n/alpha/surveys/waves/{second.wave.pk}/results/").content.decode()
    assert "Change since Before" in html
    assert f"{change.ci[0]:.2f} to {change.ci[1]:.2f}" in html
    csv_text = coordinator.get(f"/n/alpha/surveys/waves/{second.wave.pk}/change.csv").content
    rows = list(csv.DictReader(io.StringIO(csv_text.decode("utf-8-sig"))))
    assert {row["difference"] for row in rows} == {"2.0"}
    xlsx = coordinator.get(f"/n/alpha/surveys/waves/{second.wave.pk}/change.xlsx")
    assert xlsx.content[:2] == b"PK"


@pytest.mark.django_db
def test_not_applicable_targets_are_not_rated(coordinator, network_a):
    survey = make_survey(network_a, sizes=(6,), external=("Families",))
    now = timezone.now()
    for invitation in Invitation.objects.filter(wave=survey.wave):
        services.response_save(
            invitation=invitation,
            target=f"wg:{survey.groups[0].pk}",
            works_with=True,
            scores={k: 4 for k in DIMENSIONS},
        )
        services.response_save(
            invitation=invitation,
            target=f"ext:{survey.process.external_targets.get().pk}",
            works_with=False,
            scores={k: 1 for k in DIMENSIONS},
        )
    assert now
    analysis = wave_analysis(survey.wave)
    assert [c.target for c in analysis.cells] == ["Group 0"]


@pytest.mark.django_db
def test_network_minimum_larger_than_the_wave_s_suppresses_rc_cells(network_a):
    survey = make_survey(network_a, sizes=(6, 2, 7))
    answer(survey)
    close(survey.wave)
    shown = {(c.rater, c.target) for c in wave_analysis(survey.wave).cells if not c.suppressed}
    assert shown, "with the wave's own minimum of 5 the groups of 6 and 7 are shown"
    network_a.min_group_size = 8
    network_a.save()
    wave = Wave.objects.get(pk=survey.wave.pk)
    assert wave.min_group_size_in_force == 8
    assert all(cell.suppressed for cell in wave_analysis(wave).cells)


@pytest.mark.django_db
def test_negative_icc_is_shown_as_zero_with_a_note_on_the_page_and_in_the_xlsx(analyst, network_a):
    from bridgework.analysis.reported import NEGATIVE_ICC_NOTE
    from tests.analysis.negative_icc import SCORES, raw_forms

    survey = make_survey(network_a, sizes=tuple(len(s) for s in SCORES.values()))
    targets = [f"wg:{g.pk}" for g in survey.groups]
    by_group = {
        g.pk: list(scores) for g, scores in zip(survey.groups, SCORES.values(), strict=True)
    }
    invitations = Invitation.objects.filter(wave=survey.wave).order_by("pk")
    for invitation in invitations:
        score = by_group[invitation.workgroup_id].pop()
        for target in targets:
            Response.objects.create(
                invitation=invitation, target=target, **dict.fromkeys(DIMENSIONS, score)
            )
        invitation.completed_at = timezone.now()
        invitation.save()
    close(survey.wave)
    raw = wave_analysis(survey.wave).reliability
    assert raw.icc1 < 0
    assert raw.icc2 < -1

    base = f"/n/alpha/surveys/waves/{survey.wave.pk}"
    html = analyst.get(f"{base}/results/").content.decode()
    reliability = html[html.index("How reliable are these figures?") :]
    for name in ("ICC(1)", "ICC(2)"):
        shown = reliability[reliability.index(f">{name}</dt>") :]
        assert re.match(rf">{re.escape(name)}</dt><dd[^>]*>0\.00<p", shown), shown[:120]
    assert reliability.count(NEGATIVE_ICC_NOTE) == 2
    workbook = load_workbook(io.BytesIO(analyst.get(f"{base}/results.xlsx").content))
    rows = {row[0]: row[1:] for row in workbook["Reliability"].iter_rows(values_only=True)}
    assert rows["icc1"] == (0, NEGATIVE_ICC_NOTE)
    assert rows["icc2"] == (0, NEGATIVE_ICC_NOTE)
    sheets = "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    for value in (raw.icc1, raw.icc2):
        assert not any(form in html for form in raw_forms(value)), value
        assert not any(form in sheets for form in raw_forms(value)), value

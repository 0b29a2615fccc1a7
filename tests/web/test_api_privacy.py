"""The API under the privacy rule, exactly as the pages: for each results endpoint, what the
API returns equals what the page shows the same audience; a figure under the minimum group
size is null with ``suppressed: true``; and one more answer between two looks moves nothing
(the API reads the same published snapshot or release the pages do)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.programmes.dashboard import programme_dashboard
from bridgework.surveys.models import Invitation, Response, Wave
from bridgework.surveys.results import wave_figures
from tests.factories import make_survey
from tests.web.api_client import Api
from tests.web.api_data import (
    answer,
    answer_network,
    close,
    dashboard_url,
    give_feedback,
    make_network_survey,
    run_round,
)
from tests.web.insider import Differencer, between, table_rows, text

# --- RC results ---------------------------------------------------------------------------


@pytest.fixture
def closed_survey(network_a):
    survey = make_survey(network_a, sizes=(6, 2, 7))  # Group 1 has 2 respondents: below 5
    answer(survey)
    close(survey.wave)
    return survey


def _floats(document) -> list[float]:
    found = []
    if isinstance(document, dict):
        for value in document.values():
            found += _floats(value)
    elif isinstance(document, list):
        for value in document:
            found += _floats(value)
    elif isinstance(document, float):
        found.append(document)
    return found


@pytest.mark.django_db
def test_rc_results_are_the_results_page_figures_for_the_same_audience(analyst, closed_survey):
    wave = closed_survey.wave
    body = Api(wave.network).json(f"rc/waves/{wave.pk}/results")
    page = analyst.get(f"/n/alpha/surveys/waves/{wave.pk}/results/").content.decode()
    heatmap = table_rows(between(page, '<table class="govuk-table" id="heatmap">', "</table>"))
    targets = heatmap[0][1:]
    shown_on_page = {}
    for row in heatmap[1:]:
        for target, cell in zip(targets, row[1:], strict=True):
            shown_on_page[(row[0], target)] = cell
    assert len(body["cells"]) == len(shown_on_page) == 9
    for cell in body["cells"]:
        on_page = shown_on_page[(cell["rater"], cell["target"])]
        if cell["suppressed"]:
            assert on_page == "Suppressed"
            assert (cell["rc"], cell["n"], cell["ci"], cell["dimensions"]) == (None,) * 4
        else:
            assert on_page.startswith(f"{cell['rc']:.2f}")
            assert f"n {cell['n']}" in on_page
            assert f"{cell['ci'][0]:.2f}–{cell['ci'][1]:.2f}" in on_page
            assert cell["band"] in on_page
    # The same snapshot the page reads, figure for figure.
    analysis = wave_figures(wave).analysis
    for cell, ours in zip(analysis.cells, body["cells"], strict=True):
        assert (cell.rater, cell.target, cell.rc, cell.n) == (
            ours["rater"],
            ours["target"],
            ours["rc"],
            ours["n"],
        )
    overall = text(between(page, '<h2 class="govuk-heading-m">Overall</h2>', "</dl>"))
    for figure in body["overall"]:
        value = figure["value"]
        assert ("Suppressed" if value is None else f"{value:.2f}") in overall
    assert body["final"] is True
    assert body["n_respondents"] == analysis.overall.n_respondents


@pytest.mark.django_db
def test_an_rc_cell_under_the_minimum_is_null_in_the_api(closed_survey):
    wave = closed_survey.wave
    body = Api(wave.network).json(f"rc/waves/{wave.pk}/results")
    small = [c for c in body["cells"] if c["rater"] == "Group 1"]
    assert len(small) == 3
    for cell in small:
        assert cell["suppressed"] is True
        assert cell["reason"]
        assert all(cell[key] is None for key in ("rc", "n", "ci", "band", "communication"))
    gaps = [g for g in body["reciprocity"] if "Group 1" in (g["a"], g["b"])]
    assert gaps
    assert all(g["suppressed"] and g["gap"] is None for g in gaps)
    # The small group answered 1s and 2s: no honest figure of the others is that low.
    assert not [v for v in _floats(body) if 1 <= v < 2.2 and v not in (1.0, 2.0)]
    assert "G1 P0" not in json.dumps(body)


@pytest.mark.django_db
def test_rc_results_wait_for_the_wave_like_the_page(network_a):
    survey = make_survey(network_a, sizes=(6,))
    answer(survey)
    api = Api(network_a)
    body = api.json(f"rc/waves/{survey.wave.pk}/results")
    assert body["available"] is False
    assert body["cells"] == []
    assert body["overall"] == []
    Wave.objects.filter(pk=survey.wave.pk).update(live_results=True)
    assert api.json(f"rc/waves/{survey.wave.pk}/results")["available"] is True


def _answer_one(invitation: Invitation, targets: list[str], score: int) -> None:
    for index, target in enumerate(targets):
        Response.objects.create(
            invitation=invitation,
            target=target,
            **{key: min(5, score + (i + index) % 2) for i, key in enumerate(DIMENSIONS)},
        )
    invitation.completed_at = timezone.now()
    invitation.save()


def _rc_figures(body: dict) -> dict:
    figures: dict = {}
    for cell in body["cells"]:
        key = (cell["rater"], cell["target"])
        figures[("rc", *key)] = cell["rc"]
        figures[("n", *key)] = cell["n"]
        figures[("communication", *key)] = cell["communication"]
        figures[("relationship", *key)] = cell["relationship"]
        for part in cell["dimensions"] or ():
            figures[("dim", *key, part["dimension"])] = part["value"]
    for figure in body["overall"]:
        figures[("overall", figure["name"])] = figure["value"]
    figures["n_respondents"] = body["n_respondents"]
    for row in body["workgroups"]:
        for name in ("rc_received", "rc_given", "within"):
            figures[(name, row["workgroup"])] = row[name]
    for gap in body["reciprocity"]:
        figures[("gap", gap["a"], gap["b"])] = gap["gap"]
    return figures


@pytest.mark.django_db
def test_looking_at_live_rc_results_after_every_answer_gives_no_one_away(network_a, coordinator):
    survey = make_survey(network_a, sizes=(6, 6))
    Wave.objects.filter(pk=survey.wave.pk).update(live_results=True)
    api = Api(network_a)
    targets = [f"wg:{g.pk}" for g in survey.groups]
    url = f"rc/waves/{survey.wave.pk}/results"
    watcher = Differencer(min_group_size=5)
    invitations = list(Invitation.objects.filter(wave=survey.wave).order_by("pk"))
    seen = []
    for number, invitation in enumerate(invitations):
        _answer_one(invitation, targets, score=1 + number % 5)
        watcher.answered(invitation.pk)
        body = api.json(url)
        figures = _rc_figures(body)
        watcher.view(figures)
        seen.append(figures)
    assert watcher.leaks == []
    # Figures did show (the test is not vacuous) and the last one-more-answer moved nothing.
    assert any(v is not None for v in seen[-1].values())
    assert seen[-1] == seen[-2]
    # The page shows the same snapshot at the end.
    page = coordinator.get(f"/n/alpha/surveys/waves/{survey.wave.pk}/results/").content.decode()
    for key, value in seen[-1].items():
        if isinstance(key, tuple) and key[0] == "rc" and value is not None:
            assert f"{value:.2f}" in page


# --- network survey summary -----------------------------------------------------------------


@pytest.fixture
def network_survey(network_a):
    return make_network_survey(network_a)


@pytest.mark.django_db
def test_network_summary_is_the_organisation_map_pages_figures(analyst, network_survey):
    wave, *_ = network_survey
    body = Api(wave.network).json(f"network-surveys/waves/{wave.pk}/summary")
    page = analyst.get(f"/n/alpha/networks/waves/{wave.pk}/map/").content.decode()
    table = table_rows(between(page, "Organisations (table of the map)</caption>", "</table>"))
    rows = {row[0]: row for row in table[1:]}
    assert set(rows) == {o["name"] for o in body["organisations"]}
    for org in body["organisations"]:
        row = rows[org["name"]]
        assert row[1] == str(org["size"])
        assert row[2] == ("–" if org["respondents"] is None else str(org["respondents"]))
        if org["visible"]:
            assert row[3:5] == [str(org["ties_within"]), str(org["ties_out"])]
        else:
            assert row[3] == "Too few answers to show"
            assert all(org[key] is None for key in ("ties_within", "ties_out", "ei_index"))
    tiny = next(o for o in body["organisations"] if o["name"] == "Tiny Agency")
    assert tiny["visible"] is False
    assert tiny["respondents"] is None
    assert "Tiny Agency" in body["suppressed"]
    density = next(r for r in body["density"] if r["name"] == "Tiny Agency")
    assert density["cells"] == [None] * len(body["density"])
    assert f"{body['validity']['respondents']} of {body['validity']['people']}" in text(page)
    # Organisation level only: no person's name or id, and no named map endpoint.
    assert "Tiny Agency 0" not in json.dumps(body)
    assert Api(wave.network).get(f"network-surveys/waves/{wave.pk}/people").status_code == 404


@pytest.mark.django_db
def test_one_more_network_answer_moves_nothing_in_the_api(network_survey):
    wave, invitations, late, people = network_survey
    api = Api(wave.network)
    url = f"network-surveys/waves/{wave.pk}/summary"
    before = api.json(url)
    answer_network(wave, invitations[late.pk], late, people[:5])
    after = api.json(url)
    assert after == before
    assert before["validity"]["respondents"] == 16
    assert api.json(url, relation="nonsense", strength=99) == before


# --- programme dashboard --------------------------------------------------------------------


@pytest.mark.django_db
def test_programme_dashboard_is_what_an_analyst_sees_without_comments(network_a, analyst):
    round_ = run_round(network_a)
    give_feedback(round_, 12, "Private thought number {i}.")
    body = Api(network_a).json(f"programmes/{round_.programme_id}/dashboard")
    figures = programme_dashboard(round_.programme, respondent_level=False)
    assert body["meeting_rate"] == figures.meeting_rate == 1.0
    assert body["feedback_count"] == figures.feedback_count == 12
    assert body["will_work_together"] == figures.will_work_together
    assert [r["met"] for r in body["rounds"]] == [r["met"] for r in figures.rounds]
    assert body["ratings"] == [{"score": s, "count": n} for s, n in figures.ratings]
    assert "Private thought" not in json.dumps(body)
    assert "comments" not in body
    page = analyst.get(dashboard_url(round_)).content.decode()
    assert f"{round(100 * body['meeting_rate'])}% of {body['feedback_count']}" in page


@pytest.mark.django_db
def test_programme_feedback_under_the_minimum_is_null_and_one_more_moves_nothing(network_a):
    round_ = run_round(network_a)
    api = Api(network_a)
    url = f"programmes/{round_.programme_id}/dashboard"
    give_feedback(round_, 4)
    hidden = api.json(url)
    assert (hidden["meeting_rate"], hidden["mean_rating"], hidden["ratings"]) == (None, None, [])
    assert hidden["feedback_hidden"] is True
    assert [r["met"] for r in hidden["rounds"]] == [None]
    give_feedback(round_, 5)  # one more person
    shown = api.json(url)
    assert shown["meeting_rate"] == 1.0
    assert [r["met"] for r in shown["rounds"]] == [5]
    give_feedback(round_, 6)  # and one more: released figures stay as they were
    assert api.json(url) == shown

"""Every results page leads with pictures drawn from the rows of its tables: the same number
of cells, nodes and bars as the table, suppressed where the table suppresses, and no value
the table hides anywhere in the SVG."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from bridgework.surveys.models import Wave
from bridgework.surveys.results import wave_figures, wave_frame
from tests.chart_svg import marks, page_svgs, shows_number, texts
from tests.factories import (
    ONE_QUIET_AGENCY,
    answer_survey_scored,
    make_network_wave,
    make_rc_waves_with_small_group,
    make_survey,
    published_round,
    small_group_scores,
)


@pytest.fixture
def rc_two_waves(network_a):
    return make_rc_waves_with_small_group(network_a)


def _true_means(wave: Wave) -> dict[tuple[str, str], str]:
    """Every cell's RC as the page would write it, computed without any privacy pass."""
    frame = wave_frame(wave)
    per_person = frame.groupby(["respondent_workgroup", "target_workgroup", "respondent_id"])[
        "score"
    ].mean()
    cells = per_person.groupby(level=[0, 1]).mean()
    return {key: f"{value:.2f}" for key, value in cells.items()}


def _table(html: str, marker: str) -> str:
    return html.split(marker, 1)[1].split("</table>", 1)[0]


@pytest.mark.django_db
def test_rc_pictures_match_the_heatmap_table_and_hide_what_it_hides(coordinator, rc_two_waves):
    wave = rc_two_waves.wave
    html = coordinator.get(f"/n/alpha/surveys/waves/{wave.pk}/results/").content.decode()
    svgs = page_svgs(html)
    assert {"chart-rc-heatmap", "chart-rc-tie-map", "chart-rc-change"} <= set(svgs)
    # The pictures come before the table they stand beside.
    assert html.index('id="chart-rc-heatmap"') < html.index('id="heatmap"')

    table = _table(html, 'id="heatmap"')
    suppressed_in_table = table.count(">Suppressed<")
    shown_in_table = len(re.findall(r'<span class="govuk-body-s">n \d+', table))
    heat = svgs["chart-rc-heatmap"]
    assert suppressed_in_table > 0
    assert marks(heat, "suppressed") == suppressed_in_table
    assert marks(heat, "cells") == shown_in_table
    assert sum(t.count("suppressed") for t in texts(heat)) >= suppressed_in_table
    figures = wave_figures(wave)
    shown = [h.cell for _, row in figures.heatmap["rows"] for h in row if h.cell]
    written = texts(heat)
    for cell in shown:
        if not cell.suppressed:
            assert f"{cell.rc:.2f}" in written
            assert f"n {cell.n}" in written

    # The map: one node per workgroup, one line per rated pair of different workgroups.
    tie_map = svgs["chart-rc-tie-map"]
    between = [c for c in shown if c.rater != c.target]
    assert marks(tie_map, "nodes") == len(figures.heatmap["targets"])
    assert marks(tie_map, "ties") == sum(not c.suppressed for c in between)
    assert marks(tie_map, "suppressed_ties") == sum(c.suppressed for c in between)

    change_table = _table(html, "Change per rater → rated pair")
    change = svgs["chart-rc-change"]
    assert marks(change, "changes") == change_table.count("govuk-table__cell--numeric") // 3
    assert marks(change, "suppressed") == change_table.count(">Suppressed<") > 0

    # No hidden value, formatted as the page would write it, is in any picture.
    true = _true_means(wave)
    # (The small group's cells: its distinctive answers give values no other figure has.)
    small = rc_two_waves.groups[1].name
    hidden = {true[(c.rater, c.target)] for c in shown if c.suppressed and c.rater == small}
    assert hidden == {"1.14"}
    for value in hidden:
        assert f">{value}" not in html
        for svg in svgs.values():
            assert not shows_number(svg, value), value


@pytest.mark.django_db
def test_the_print_page_carries_the_same_pictures(coordinator, rc_two_waves):
    wave = rc_two_waves.wave
    page = coordinator.get(f"/n/alpha/surveys/waves/{wave.pk}/results/").content.decode()
    printed = coordinator.get(f"/n/alpha/surveys/waves/{wave.pk}/results/print/")
    svgs = page_svgs(printed.content.decode())
    assert set(svgs) == set(page_svgs(page))
    for svg in svgs.values():
        assert svg.get("role") == "img"
        title = svg.find("{http://www.w3.org/2000/svg}title")
        desc = svg.find("{http://www.w3.org/2000/svg}desc")
        assert title.text
        assert desc.text
        assert svg.get("aria-labelledby") == title.get("id")
        assert svg.get("aria-describedby") == desc.get("id")


@pytest.mark.django_db
def test_progress_pictures_have_a_bar_per_shown_group_and_hide_hidden_counts(analyst, network_a):
    survey = make_survey(network_a, sizes=(6, 2, 7))
    answer_survey_scored(survey, small_group_scores(survey.groups[1]))
    html = analyst.get(f"/n/alpha/surveys/waves/{survey.wave.pk}/progress/").content.decode()
    svg = page_svgs(html)["chart-response-rates-workgroup"]
    table = _table(html, "By workgroup</caption>")
    rows = table.count('<th scope="row"')
    hidden = table.count("Hidden: fewer than")
    assert hidden > 0
    assert marks(svg, "bars") == rows - hidden
    assert marks(svg, "suppressed") == hidden
    assert "chart-response-rates-organisation" in page_svgs(html)


@pytest.mark.django_db
def test_network_pictures_match_the_organisations_table(analyst, network_a):
    wave = make_network_wave(network_a, silent=ONE_QUIET_AGENCY)
    html = analyst.get(f"/n/alpha/networks/waves/{wave.pk}/map/").content.decode()
    svgs = page_svgs(html)
    table = _table(html, "Organisations (table of the map)</caption>")
    rows = table.count('<th scope="row"')
    hidden = table.count("Too few answers to show")
    assert 0 < hidden < rows
    assert marks(svgs["chart-ona-ei-index"], "bars") == rows - hidden
    assert marks(svgs["chart-ona-ei-index"], "suppressed") == hidden
    assert marks(svgs["chart-ona-ties"], "bars") == 2 * (rows - hidden)
    assert marks(svgs["chart-ona-ties"], "suppressed") == hidden


@pytest.mark.django_db
def test_coffee_dashboard_pictures_match_its_tables(network_a):
    from bridgework.directory.models import Role
    from tests.factories import login_with

    round_ = published_round(network_a)
    client = login_with(network_a, Role.COORDINATOR, "coffee@alpha.example")
    html = client.get(f"/n/alpha/coffee/{round_.programme_id}/dashboard/").content.decode()
    svgs = page_svgs(html)
    assert marks(svgs["chart-coffee-participation"], "bars") == 3  # one round, three outcomes
    matrix = _table(html, "Pairs matched, by the two people's organisations</caption>")
    cells = matrix.count('<td class="govuk-table__cell govuk-table__cell--numeric">')
    assert marks(svgs["chart-coffee-matches"], "cells") == cells > 0
    # No feedback yet: no ratings picture, as there is no ratings table.
    assert "chart-coffee-ratings" not in svgs


@pytest.mark.django_db
def test_roles_mix_picture_has_a_bar_per_row_of_the_mix_table(analyst, network_a):
    from bridgework.analysis.roles_assessment import ITEMS
    from bridgework.ona.models import RolesInvitation
    from bridgework.tokens import issue_token
    from tests.factories import add_people

    url = "/n/alpha/networks/roles/"
    people = add_people(network_a, 6)
    for index, person in enumerate(people):
        RolesInvitation.objects.create(
            network=network_a,
            person=person,
            digest=issue_token().digest,
            answers={item.id: 5 if index % 2 == (item.role == "broker") else 2 for item in ITEMS},
            consent=False,
            completed_at=timezone.now(),
        )
        html = analyst.get(url).content.decode()
        if index < 4:  # under the minimum group size: no table, no picture
            assert "chart-roles-mix" not in page_svgs(html)
    table = _table(html, "a person can have more than one main role</caption>")
    svg = page_svgs(html)["chart-roles-mix"]
    assert marks(svg, "bars") == table.count('<th scope="row"') == 5
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th><td class="govuk-table__cell">'
        r'[^<]*</td><td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>',
        table,
    )
    assert len(rows) == 5
    written = texts(svg)
    for label, count in rows:
        assert label.replace("&#x27;", "'") in written
        assert count in written

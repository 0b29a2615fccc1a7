"""Each results picture, in a real browser: drawn (a non-empty screenshot), with as many
cells, nodes or bars as its table has rows, and the page still free of axe-core violations."""

from __future__ import annotations

import pytest

from bridgework.accounts.models import User
from bridgework.directory.models import Membership, Role
from tests.browser.accessibility import axe_violations
from tests.browser.pages import sign_in
from tests.factories import (
    ONE_QUIET_AGENCY,
    PASSWORD,
    give_feedback_everyone,
    make_network,
    make_network_wave,
    make_rc_waves_with_small_group,
    published_round,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n"


def _marks(page, chart: str, layer: str) -> int:
    return page.locator(f"#{chart} g.{layer}_marks > :not(.bw-hatch)").count()


def _rows(page, table) -> int:
    return table.locator("tbody tr").count()


def _screenshot(page, chart: str, tmp_path) -> None:
    picture = page.locator(f"#{chart}")
    box = picture.bounding_box()
    assert box is not None
    assert box["width"] > 100
    assert box["height"] > 50
    path = tmp_path / f"{chart}.png"
    picture.screenshot(path=str(path))
    content = path.read_bytes()
    assert content.startswith(PNG)
    assert len(content) > 2000, f"{chart} looks blank"


def test_every_results_picture_is_drawn_and_matches_its_table(page, tmp_path):
    network = make_network("alpha")
    user = User.objects.create_user("owner@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.OWNER)
    survey = make_rc_waves_with_small_group(network)
    network_wave = make_network_wave(network, silent=ONE_QUIET_AGENCY)
    round_ = published_round(network)
    assert give_feedback_everyone(round_) >= 5
    failures: dict = {}
    sign_in(page)

    # RC: heatmap, map and change, beside the heatmap and change tables.
    page.goto(f"/n/alpha/surveys/waves/{survey.wave.pk}/results/")
    for chart in ("chart-rc-heatmap", "chart-rc-tie-map", "chart-rc-change"):
        _screenshot(page, chart, tmp_path)
    heatmap = page.locator("#heatmap")
    suppressed = heatmap.locator("td", has_text="Suppressed").count()
    shown = heatmap.locator("td a").count()
    assert suppressed > 0
    assert _marks(page, "chart-rc-heatmap", "suppressed") == suppressed
    assert _marks(page, "chart-rc-heatmap", "cells") == shown
    assert page.locator("#chart-rc-heatmap .bw-hatch").count() == suppressed
    workgroups = heatmap.locator("thead th").count() - 1
    assert _marks(page, "chart-rc-tie-map", "nodes") == workgroups
    ties = _marks(page, "chart-rc-tie-map", "ties")
    assert ties + _marks(page, "chart-rc-tie-map", "suppressed_ties") == workgroups * (
        workgroups - 1
    )
    change = page.locator("table", has_text="Change per rater")
    assert _marks(page, "chart-rc-change", "changes") + _marks(
        page, "chart-rc-change", "suppressed"
    ) == _rows(page, change)
    assert page.get_by_role("img", name="Heatmap: relational coordination").count() == 1
    failures["rc results"] = axe_violations(page)

    # Progress: one bar per workgroup whose counts are shown.
    page.goto(f"/n/alpha/surveys/waves/{survey.wave.pk}/progress/")
    _screenshot(page, "chart-response-rates-workgroup", tmp_path)
    table = page.locator("table", has_text="By workgroup")
    assert _marks(page, "chart-response-rates-workgroup", "bars") + _marks(
        page, "chart-response-rates-workgroup", "suppressed"
    ) == _rows(page, table)
    failures["progress"] = axe_violations(page)

    # Network survey: E-I index and ties, a bar (or "too few answers") per organisation.
    page.goto(f"/n/alpha/networks/waves/{network_wave.pk}/map/")
    page.locator("#network-map canvas").first.wait_for()  # the map's script has run
    organisations = _rows(page, page.locator("table", has_text="Organisations (table of the map)"))
    hidden = page.get_by_text("Too few answers to show").count()
    for chart in ("chart-ona-ei-index", "chart-ona-ties"):
        _screenshot(page, chart, tmp_path)
        assert _marks(page, chart, "suppressed") == hidden > 0
    assert 0 < hidden < organisations
    assert _marks(page, "chart-ona-ei-index", "bars") == organisations - hidden
    assert _marks(page, "chart-ona-ties", "bars") == 2 * (organisations - hidden)
    failures["network map"] = axe_violations(page)

    # Coffee: participation, matches and ratings, against their tables.
    page.goto(f"/n/alpha/coffee/{round_.programme_id}/dashboard/")
    for chart in ("chart-coffee-participation", "chart-coffee-matches", "chart-coffee-ratings"):
        _screenshot(page, chart, tmp_path)
    rounds = _rows(page, page.locator("table", has_text="Participants by round"))
    assert _marks(page, "chart-coffee-participation", "bars") == 3 * rounds
    matrix = page.locator("table", has_text="Pairs matched")
    assert _marks(page, "chart-coffee-matches", "cells") == matrix.locator("tbody td").count()
    ratings = page.locator("table", has_text="How useful people found")
    assert _marks(page, "chart-coffee-ratings", "bars") == _rows(page, ratings) == 5
    failures["coffee dashboard"] = axe_violations(page)

    # On a phone the pictures shrink to the screen, keeping their proportions.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/n/alpha/surveys/waves/{survey.wave.pk}/results/")
    for chart in ("chart-rc-heatmap", "chart-rc-tie-map", "chart-rc-change"):
        box = page.locator(f"#{chart}").bounding_box()
        width, height = (float(v) for v in page.locator(f"#{chart}").get_attribute(
            "viewBox").split()[2:])  # fmt: skip
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
        assert abs(box["height"] / box["width"] - height / width) < 0.02, chart

    assert not any(failures.values()), failures

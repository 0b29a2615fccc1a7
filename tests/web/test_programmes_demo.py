"""The demo programme: past rounds, feedback, a held-out group and RC waves to compare."""

from __future__ import annotations

import time

import pytest

from bridgework.directory.models import Network
from bridgework.programmes.dashboard import programme_dashboard
from bridgework.programmes.models import Feedback, Programme, Round, RoundPlace


@pytest.mark.django_db
def test_demo_programme_fills_the_dashboard_quickly(client):
    from bridgework.demo import demo_load

    started = time.perf_counter()
    demo_load()
    assert time.perf_counter() - started < 30  # the whole demo, on a shared 2-core machine
    network = Network.objects.get(slug="riverbend-county")
    programme = Programme.objects.get(network=network)
    assert Round.objects.filter(programme=programme, status="published").count() == 6
    assert Round.objects.filter(programme=programme, status="draft").count() == 1
    assert RoundPlace.objects.filter(round__programme=programme, outcome="holdout").exists()
    assert Feedback.objects.filter(match__round__programme=programme).count() > 50
    figures = programme_dashboard(programme, respondent_level=True)
    assert 0.5 < figures.meeting_rate < 1
    assert figures.cross_agency_share > 0.5
    assert figures.comments
    assert figures.rc is not None, figures.rc_note
    assert figures.rc.treated_n > 0
    assert figures.rc.control_n > 0
    assert figures.rc_waves == ("Autumn baseline", "Spring follow-up")
    # The demo network wave follows the rounds: matched vs held out on later cross-agency ties.
    assert figures.ties is not None, figures.ties_note
    assert figures.ties.treated_n > 0
    assert figures.ties.control_n > 0
    assert figures.ties.caution is not None  # a handful held out: the page says so
    # The page shows both comparisons with their uncertainty and cautions.
    from bridgework.accounts.models import User
    from bridgework.demo import DEMO_COORDINATOR_EMAIL

    client.force_login(User.objects.get(email=DEMO_COORDINATOR_EMAIL))
    base = f"/n/{network.slug}/coffee/"
    page = client.get(f"{base}{programme.pk}/dashboard/").content.decode()
    assert "named a colleague in another organisation" in page
    assert "95% interval" in page
    assert "Read it as a hint, not a finding." in page
    draft = Round.objects.get(programme=programme, status="draft")
    preview = client.get(f"{base}rounds/{draft.pk}/").content.decode()
    assert "Held out at random" in preview


@pytest.mark.django_db
def test_programme_and_round_pages_query_a_fixed_number_of_times(
    coordinator, network_a, django_assert_max_num_queries
):
    from bridgework.programmes import services
    from tests.factories import add_people

    add_people(network_a, 30)
    programme = services.programme_create(network=network_a, name="C", audience="network")
    services.enrol_audience(programme=programme)
    round_ = services.round_create(programme=programme, seed=2)
    with django_assert_max_num_queries(15):
        assert coordinator.get(f"/n/{network_a.slug}/coffee/{programme.pk}/").status_code == 200
    with django_assert_max_num_queries(15):
        assert coordinator.get(f"/n/{network_a.slug}/coffee/rounds/{round_.pk}/").status_code == 200
    with django_assert_max_num_queries(15):
        assert coordinator.get(f"/n/{network_a.slug}/coffee/").status_code == 200

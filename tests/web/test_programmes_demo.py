"""The demo programme: past rounds, feedback, a held-out group and RC waves to compare."""

from __future__ import annotations

import time

import pytest

from bridgework.directory.models import Network
from bridgework.programmes.dashboard import programme_dashboard
from bridgework.programmes.models import Feedback, Programme, Round, RoundPlace
from tests.queries import assert_queries_do_not_grow


@pytest.mark.slow
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
def test_programme_and_round_pages_queries_do_not_grow_with_participants(coordinator, network_a):
    from bridgework.directory.models import Organisation, Person
    from bridgework.programmes import services

    programme = services.programme_create(network=network_a, name="C", audience="network")
    round_ = services.round_create(programme=programme, seed=2)
    agencies = [
        Organisation.objects.create(network=network_a, name=name)
        for name in ("Probation", "Housing", "Child Welfare")
    ]

    def grow(people: int) -> None:
        for i in range(Person.objects.filter(email__startswith="g").count(), people):
            Person.objects.create(
                network=network_a,
                name=f"G {i}",
                email=f"g{i}@x.example",
                organisation=agencies[i % 3],
            )
        services.enrol_audience(programme=programme)
        services.round_draw(round_=round_)

    def get(url: str):
        return lambda: _ok(coordinator.get(url))

    base = f"/n/{network_a.slug}/coffee/"
    assert_queries_do_not_grow(grow=grow, page=get(f"{base}{programme.pk}/"))
    assert_queries_do_not_grow(grow=grow, page=get(f"{base}rounds/{round_.pk}/"))


@pytest.mark.django_db
def test_programme_list_queries_do_not_grow_with_programmes(coordinator, network_a):
    from bridgework.programmes import services
    from bridgework.programmes.models import Programme

    def grow(programmes: int) -> None:
        for i in range(Programme.objects.count(), programmes):
            services.programme_create(network=network_a, name=f"Coffee {i}")

    url = f"/n/{network_a.slug}/coffee/"
    assert_queries_do_not_grow(grow=grow, page=lambda: _ok(coordinator.get(url)))


def _ok(response) -> None:
    assert response.status_code == 200

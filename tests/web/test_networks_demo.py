"""The demo network wave: realistic shape, pages render, brokers and the isolated agency show."""

from __future__ import annotations

import pytest

from bridgework.directory.models import Network, Role
from bridgework.ona.models import Nomination
from tests.factories import login_with


@pytest.fixture
def demo_wave(db):
    from bridgework.demo import demo_load

    demo_load()
    network = Network.objects.get(slug="riverbend-county")
    from bridgework.ona.models import NetworkWave

    wave = NetworkWave.objects.get(network=network)  # loaded by ``bridgework demo``
    return network, wave


def test_demo_wave_has_the_shape_the_pages_should_reveal(demo_wave):
    _network, wave = demo_wave
    ties = Nomination.objects.filter(wave=wave, relation="works_with")
    assert ties.count() > 1000
    egos = set(ties.values_list("ego", flat=True))
    invited = wave.invitations.count()
    assert 0.7 < len(egos) / invited < 0.9
    housing = ties.filter(ego__organisation__kind__icontains="housing")
    assert housing.exists()
    assert not housing.exclude(alter__organisation__kind__icontains="housing").exists()


def test_coordinator_sees_named_map_with_brokers(demo_wave):
    network, wave = demo_wave
    client = login_with(network, Role.COORDINATOR, "c@riverbend.example")
    html = client.get(f"/n/{network.slug}/networks/waves/{wave.pk}/people/").content.decode()
    assert "Broker" in html
    assert "Care coordinators" in html or "Court liaisons" in html or "broker" in html.lower()
    org_map = client.get(f"/n/{network.slug}/networks/waves/{wave.pk}/map/")
    assert org_map.status_code == 200
    assert "Housing" in org_map.content.decode()


def test_analyst_sees_organisation_map_only(demo_wave):
    network, wave = demo_wave
    client = login_with(network, Role.ANALYST, "a@riverbend.example")
    assert client.get(f"/n/{network.slug}/networks/waves/{wave.pk}/map/").status_code == 200
    assert client.get(f"/n/{network.slug}/networks/waves/{wave.pk}/people/").status_code == 403

"""Fixtures for web tests: two networks, logins with each role, a few directory records."""

from __future__ import annotations

import pytest
from django.test import Client

from bridgework.directory.models import (
    Network,
    Role,
)
from tests.factories import login_with, make_network


@pytest.fixture
def network_a(db: None) -> Network:
    return make_network("alpha")


@pytest.fixture
def network_b(db: None) -> Network:
    return make_network("beta")


@pytest.fixture
def coordinator(network_a: Network) -> Client:
    return login_with(network_a, Role.COORDINATOR, "coord@alpha.example")


@pytest.fixture
def owner(network_a: Network) -> Client:
    return login_with(network_a, Role.OWNER, "owner@alpha.example")


@pytest.fixture
def analyst(network_a: Network) -> Client:
    return login_with(network_a, Role.ANALYST, "analyst@alpha.example")

"""Fixtures for web tests: two networks, logins with each role, a few directory records."""

from __future__ import annotations

import pytest
from django.test import Client

from bridgework.accounts.models import User
from bridgework.directory.models import (
    Membership,
    Network,
    Organisation,
    Person,
    Role,
    Team,
    Workgroup,
)

PASSWORD = "a-long-test-password"


def make_network(slug: str) -> Network:
    network = Network.objects.create(name=slug.title(), slug=slug)
    org = Organisation.objects.create(network=network, name=f"{slug} Agency")
    team = Team.objects.create(network=network, organisation=org, name=f"{slug} Team")
    workgroup = Workgroup.objects.create(network=network, name=f"{slug} Nurses")
    manager = Person.objects.create(
        network=network,
        name=f"{slug} Manager",
        email=f"manager@{slug}.example",
        organisation=org,
        team=team,
        workgroup=workgroup,
    )
    Person.objects.create(
        network=network,
        name=f"{slug} Staff",
        email=f"staff@{slug}.example",
        organisation=org,
        team=team,
        workgroup=workgroup,
        manager=manager,
    )
    return network


@pytest.fixture
def network_a(db: None) -> Network:
    return make_network("alpha")


@pytest.fixture
def network_b(db: None) -> Network:
    return make_network("beta")


def login_with(network: Network, role: str, email: str) -> Client:
    user = User.objects.create_user(email, PASSWORD)
    Membership.objects.create(user=user, network=network, role=role)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def coordinator(network_a: Network) -> Client:
    return login_with(network_a, Role.COORDINATOR, "coord@alpha.example")


@pytest.fixture
def owner(network_a: Network) -> Client:
    return login_with(network_a, Role.OWNER, "owner@alpha.example")


@pytest.fixture
def analyst(network_a: Network) -> Client:
    return login_with(network_a, Role.ANALYST, "analyst@alpha.example")

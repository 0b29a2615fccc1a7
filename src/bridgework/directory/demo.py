"""Loading the demo network into the database (``bridgework demo`` and ``make run``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import transaction

from bridgework.accounts.models import User
from bridgework.datasets.demo import build_demo_network
from bridgework.datasets.people import PEOPLE_COLUMNS
from bridgework.directory.imports import people_import_apply, people_import_plan
from bridgework.directory.models import Membership, Network, Organisation, Role, Team, Workgroup
from bridgework.directory.services import network_create

DEMO_COORDINATOR_EMAIL = "coordinator@riverbend.example"
DEMO_COORDINATOR_PASSWORD = "riverbend-demo-2026"
SECOND_NETWORK_NAME = "Coastal Health Improvement Collaborative"
SECOND_NETWORK_SLUG = "coastal-collaborative"
#: People of the second, smaller network (taken from another seed of the same generator).
SECOND_NETWORK_PEOPLE = 40


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    created: bool


def _load(network: Network, *, seed: int, limit: int | None = None) -> None:
    demo = build_demo_network(seed=seed)
    for org in demo.organisations:
        Organisation.objects.create(
            network=network,
            name=org.name,
            short_name=org.short_name,
            kind=org.kind,
            description=org.description,
        )
    orgs = {o.name: o for o in Organisation.objects.filter(network=network)}
    for team in demo.teams:
        Team.objects.create(network=network, organisation=orgs[team.organisation], name=team.name)
    for workgroup in demo.workgroups:
        Workgroup.objects.create(
            network=network, name=workgroup.name, description=workgroup.description
        )
    people = list(demo.people[:limit] if limit else demo.people)
    emails = {p.email_key for p in people}
    # A truncated demo keeps only the managers who are in it.
    people = [
        p
        if not p.manager_email or p.manager_email.casefold() in emails
        else replace(p, manager_email="")
        for p in people
    ]
    plan = people_import_plan(network=network, records=people, columns=frozenset(PEOPLE_COLUMNS))
    people_import_apply(network=network, plan=plan)


@transaction.atomic
def demo_load() -> DemoLogin | None:
    """Create the demo networks and coordinator, unless the demo network already exists."""
    demo = build_demo_network()
    if Network.objects.filter(slug=demo.slug).exists():
        return None
    user = User.objects.filter(email__iexact=DEMO_COORDINATOR_EMAIL).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(
            DEMO_COORDINATOR_EMAIL, DEMO_COORDINATOR_PASSWORD, name="Demo Coordinator"
        )
    network = network_create(
        name=demo.name,
        slug=demo.slug,
        owner=user,
        time_zone=demo.time_zone,
        description="A fictional county system of care (demo data).",
    )
    _load(network, seed=demo.seed)
    from bridgework.surveys.demo import survey_demo_load

    survey_demo_load(network=network, seed=demo.seed)
    from bridgework.programmes.demo import programme_demo_load

    programme_demo_load(network=network, seed=demo.seed)
    from bridgework.networks.demo import network_demo_load

    network_demo_load(network, seed=demo.seed)
    second = Network.objects.create(
        name=SECOND_NETWORK_NAME,
        slug=SECOND_NETWORK_SLUG,
        description="A second, smaller fictional network (demo).",
    )
    Membership.objects.create(user=user, network=second, role=Role.COORDINATOR)
    _load(second, seed=demo.seed + 1, limit=SECOND_NETWORK_PEOPLE)
    return DemoLogin(DEMO_COORDINATOR_EMAIL, DEMO_COORDINATOR_PASSWORD, created)


def database_is_empty() -> bool:
    return not Network.objects.exists()

"""The directory's demo data: the demo networks, their people and the demo coordinator.

The ground floor knows nothing of the instruments above it, so loading everything (surveys,
network waves, coffee programmes on top of this directory) is :mod:`bridgework.demo`'s job.
"""

from __future__ import annotations

from dataclasses import replace

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


def directory_demo_load(*, owner: User) -> tuple[Network, int]:
    """Create the demo network's directory (organisations, teams, workgroups, people) and the
    second, smaller network, both coordinated by ``owner``; return the demo network and its
    seed. The instruments' demo data is loaded on top by :func:`bridgework.demo.demo_load`."""
    demo = build_demo_network()
    network = network_create(
        name=demo.name,
        slug=demo.slug,
        owner=owner,
        time_zone=demo.time_zone,
        description="A fictional county system of care (demo data).",
    )
    _load(network, seed=demo.seed)
    second = Network.objects.create(
        name=SECOND_NETWORK_NAME,
        slug=SECOND_NETWORK_SLUG,
        description="A second, smaller fictional network (demo).",
    )
    Membership.objects.create(user=owner, network=second, role=Role.COORDINATOR)
    _load(second, seed=demo.seed + 1, limit=SECOND_NETWORK_PEOPLE)
    return network, demo.seed


def demo_network_exists() -> bool:
    return Network.objects.filter(slug=build_demo_network().slug).exists()


def demo_coordinator() -> tuple[User, bool]:
    """The demo coordinator login, created if missing; ``True`` when it was created."""
    user = User.objects.filter(email__iexact=DEMO_COORDINATOR_EMAIL).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        DEMO_COORDINATOR_EMAIL, DEMO_COORDINATOR_PASSWORD, name="Demo Coordinator"
    )
    return user, True


def database_is_empty() -> bool:
    return not Network.objects.exists()

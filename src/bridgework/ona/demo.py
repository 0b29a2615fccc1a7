"""Demo network wave: who works with whom across Riverbend's agencies, with self-assessments.

Deterministic from the demo seed. The shape is what the pages should make visible: most ties
inside each agency, a handful of cross-agency brokers (care coordinators and court liaisons),
one agency (the housing provider) tied to nobody outside itself, and about 80% response.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from bridgework.analysis.roles_assessment import ITEMS
from bridgework.datasets.demo import DEMO_SEED, demo_rng
from bridgework.directory.models import Network, Person
from bridgework.ona.models import (
    NetworkInvitation,
    NetworkWave,
    Nomination,
    Relation,
    RolesInvitation,
)
from bridgework.tokens import issue_token

#: Share of invited people who answered the demo wave.
RESPONSE_RATE = 0.8
#: Workgroups whose members reach across agencies in the demo (the brokers to find).
BRIDGING_WORKGROUPS = ("Care coordinators", "Court liaisons")
#: The organisation kind left disconnected, so the map shows an isolated agency.
ISOLATED_KIND = "housing"
SELF_ASSESSMENTS = 60


@transaction.atomic
def network_demo_load(network: Network, *, seed: int = DEMO_SEED) -> NetworkWave:
    """Add one closed network wave with nominations and some role self-assessments."""
    rng = demo_rng(seed, "network-wave")
    now = timezone.now()
    wave = NetworkWave.objects.create(
        network=network,
        name="Who works with whom, autumn",
        opens_at=now - timedelta(days=75),
        closes_at=now - timedelta(days=45),
    )
    people = list(
        Person.objects.filter(network=network, active=True)
        .select_related("organisation", "workgroup")
        .order_by("pk")
    )
    by_org: dict[int | None, list[Person]] = {}
    for person in people:
        by_org.setdefault(person.organisation_id, []).append(person)
    isolated = {
        p.organisation_id
        for p in people
        if p.organisation and ISOLATED_KIND in p.organisation.kind.casefold()
    }
    bridgers = [
        p
        for p in people
        if p.workgroup
        and p.workgroup.name in BRIDGING_WORKGROUPS
        and p.organisation_id not in isolated
    ]
    outsiders = [p for p in people if p.organisation_id not in isolated]

    invitations, nominations = [], []
    for person in people:
        responded = rng.random() < RESPONSE_RATE
        invitations.append(
            NetworkInvitation(
                network=network,
                wave=wave,
                person=person,
                sent_at=wave.opens_at,
                started_at=wave.opens_at + timedelta(days=2) if responded else None,
                completed_at=wave.opens_at + timedelta(days=2) if responded else None,
                consent_named=(rng.random() < 0.85) if responded else None,
            )
        )
        if not responded:
            continue
        colleagues = [c for c in by_org.get(person.organisation_id, []) if c.pk != person.pk]
        chosen = set(rng.sample(colleagues, min(len(colleagues), rng.randint(3, 7))))
        if person.organisation_id not in isolated:
            reach = 6 if person in bridgers else (1 if rng.random() < 0.35 else 0)
            chosen |= {c for c in rng.sample(outsiders, reach) if c.pk != person.pk}
            if bridgers and rng.random() < 0.3:
                chosen.add(rng.choice(bridgers))
        chosen.discard(person)
        for alter in sorted(chosen, key=lambda p: p.pk):
            often = rng.randint(2, 5)
            for relation, weight in (
                (Relation.WORKS_WITH, often),
                (Relation.TRUST, max(1, min(5, often + rng.randint(-1, 1)))),
                (
                    Relation.ENERGY,
                    rng.randint(1, 5) if alter not in bridgers else rng.randint(3, 5),
                ),
            ):
                nominations.append(
                    Nomination(
                        network=network,
                        wave=wave,
                        ego=person,
                        alter=alter,
                        relation=relation,
                        weight=float(weight),
                    )
                )
            if rng.random() < 0.15:
                nominations.append(
                    Nomination(
                        network=network,
                        wave=wave,
                        ego=person,
                        alter=alter,
                        relation=Relation.IDEAS,
                        weight=1.0,
                    )
                )
    NetworkInvitation.objects.bulk_create(invitations)
    Nomination.objects.bulk_create(nominations)

    assessed = rng.sample(people, min(SELF_ASSESSMENTS, len(people)))
    RolesInvitation.objects.bulk_create(
        RolesInvitation(
            network=network,
            person=person,
            digest=issue_token().digest,
            answers={item.id: rng.randint(1, 5) for item in ITEMS},
            consent=rng.random() < 0.8,
            completed_at=now - timedelta(days=20),
        )
        for person in assessed
    )
    return wave

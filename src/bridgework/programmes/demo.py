"""The demo coffee programme: a cross-agency programme with past rounds, feedback and a
held-out group, so the dashboard shows real figures after ``make run``.

The rounds fall between the demo's RC baseline and follow-up waves, so "what it changed"
compares the RC movement of bridged workgroups with the others. Past rounds are published
quietly (no emails: they happened before the demo existed); the current round is a draft to
preview and publish.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from bridgework.directory.models import Network, Person
from bridgework.programmes import dates, services
from bridgework.programmes.models import Enrolment, Feedback, Programme, Round

PROGRAMME_NAME = "Coffee across agencies"
#: People enrolled in the demo programme, and its past (fortnightly) rounds.
DEMO_PARTICIPANTS = 90
PAST_ROUNDS = 6
REFLECTIONS = (
    "I finally understand what happens to a referral after it leaves us.",
    "We found two families we were both working with.",
    "Good to put a face to the name on the court reports.",
    "Agreed to call each other before a placement changes.",
    "Useful, though we struggled to find a time.",
    "Learned how their caseloads are allocated — explains a lot.",
)
INTERESTS = ("housing", "family courts", "trauma-informed practice", "data", "mentoring", "")


def programme_demo_load(*, network: Network, seed: int) -> Programme:
    """Add the demo programme to ``network`` (takes about a second)."""
    rng = random.Random(f"{seed}:programmes")
    programme = services.programme_create(
        network=network,
        name=PROGRAMME_NAME,
        description="Half an hour with someone from another agency in the reunification "
        "process, every fortnight.",
        audience=Programme.Audience.OPEN,
        cadence=Programme.Cadence.FORTNIGHTLY,
        time_zone=network.time_zone or "UTC",
        holdout_share=0.15,
        odd_rule=Programme.OddRule.TRIO,
    )
    people = list(
        Person.objects.filter(network=network, active=True, workgroup__isnull=False)
        .exclude(email="")
        .order_by("pk")
    )
    rng.shuffle(people)
    for person in people[:DEMO_PARTICIPANTS]:
        Enrolment.objects.create(
            network=network,
            programme=programme,
            person=person,
            works_on=person.job_title,
            interests=", ".join(i for i in rng.sample(INTERESTS, 2) if i),
            location=person.location,
            time_zone=person.time_zone,
        )
    today = timezone.localdate()
    first = dates.next_start(programme, today - timedelta(days=200))
    feedback = []
    for number in range(PAST_ROUNDS):
        starts = first + timedelta(days=14 * number)
        round_ = services.round_create(programme=programme, starts_on=starts, seed=seed + number)
        Round.objects.filter(pk=round_.pk).update(
            status=Round.Status.PUBLISHED, published_at=timezone.now() - timedelta(days=200)
        )
        for place in round_.places.filter(outcome="matched"):
            if rng.random() < 0.7:
                met = rng.random() < 0.8
                feedback.append(
                    Feedback(
                        match_id=place.match_id,
                        enrolment_id=place.enrolment_id,
                        met=met,
                        usefulness=rng.choice((3, 4, 4, 5, 5)) if met else None,
                        will_work_together=met and rng.random() < 0.4,
                        reflection=rng.choice(REFLECTIONS) if met and rng.random() < 0.3 else "",
                    )
                )
    Feedback.objects.bulk_create(feedback)
    services.round_create(programme=programme, starts_on=dates.next_start(programme, today))
    return programme

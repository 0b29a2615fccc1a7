"""Erasing one person's coffee-programme records (:mod:`bridgework.governance` decides when)."""

from __future__ import annotations

from bridgework.directory.models import Person
from bridgework.programmes.models import (
    Enrolment,
    EnrolmentToken,
    Feedback,
    RoundPlace,
    SignupRequest,
)


def person_data_erase(*, person: Person, dry_run: bool = False) -> dict[str, int]:
    """Delete every coffee-programme record about ``person``: enrolments, their links, their
    places in rounds, the feedback they gave, and sign-up requests from their address.

    Matches themselves stay: a trio's two other members keep their match, and a pair's other
    member keeps the match and their own place and feedback (their history), only the erased
    person's place is gone. Returns the counts by kind (what would be deleted with
    ``dry_run``).
    """
    network_id = person.network_id
    enrolments = Enrolment.objects.filter(network_id=network_id, person=person)
    signups = SignupRequest.objects.filter(network_id=network_id, email__iexact=person.email)
    # Before the feedback goes: dashboard figures shown are frozen, the copies lose them.
    from bridgework.programmes.dashboard import dashboard_person_scrub

    counts = {
        "dashboard releases holding their answers": dashboard_person_scrub(
            person=person, dry_run=dry_run
        ),
        "coffee enrolments": enrolments.count(),
        "coffee links": EnrolmentToken.objects.filter(enrolment__in=enrolments).count(),
        "coffee round places": RoundPlace.objects.filter(enrolment__in=enrolments).count(),
        "coffee feedback they gave": Feedback.objects.filter(enrolment__in=enrolments).count(),
        "coffee sign-up requests": signups.count(),
    }
    if not dry_run:
        Feedback.objects.filter(enrolment__in=enrolments).delete()
        RoundPlace.objects.filter(enrolment__in=enrolments).delete()
        enrolments.delete()
        signups.delete()
    return counts

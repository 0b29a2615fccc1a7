"""Demo survey data: a work process with two closed waves and one open wave.

Answers are drawn from the demo seed (:func:`bridgework.datasets.demo.demo_rng`), so every
demo shows the same results: some ties weak, some strengthening from the first closed wave
to the second, and one workgroup (psychiatric prescribers) below the minimum group size, so
suppression can be seen. The open wave's invitations go through the normal service, so they
appear in the outbox with working links.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.datasets.demo import demo_rng
from bridgework.directory.models import Network, Person, Workgroup
from bridgework.surveys.models import Invitation, InvitationToken, Response, Wave
from bridgework.surveys.selectors import wave_targets
from bridgework.surveys.services import invitations_create, wave_create, work_process_create
from bridgework.tokens import issue_token

PROCESS_NAME = "Family reunification"
WORKGROUPS = (
    "Case planners",
    "Family support workers",
    "Court liaisons",
    "Peer and family partners",
    "Housing navigators",
    "Psychiatric prescribers",
)
EXTERNAL = ("Families", "The court")
#: Typical tie strength (1–5) by rated group; pairs below override it.
BASE = {name: 3.9 for name in (*WORKGROUPS, *EXTERNAL)}
WEAK = {
    ("Housing navigators", "Court liaisons"): 2.8,
    ("Court liaisons", "Housing navigators"): 3.0,
    ("Case planners", "Housing navigators"): 3.1,
    ("Peer and family partners", "The court"): 2.9,
    ("Family support workers", "Court liaisons"): 3.2,
}
#: Pairs that improve from the first to the second closed wave (added to the tie strength).
STRENGTHENING = {
    ("Case planners", "Family support workers"): 0.7,
    ("Family support workers", "Case planners"): 0.6,
    ("Case planners", "Peer and family partners"): 0.5,
    ("Housing navigators", "Court liaisons"): 0.6,
}
RESPONSE_RATE = 0.78


def _strength(rater: str, target: str, wave_number: int) -> float:
    value = WEAK.get((rater, target), BASE[target] + (0.25 if rater == target else 0.0))
    if wave_number >= 2:
        value += STRENGTHENING.get((rater, target), 0.0)
    return value


def _answer(rng, centre: float) -> int:
    return max(1, min(5, round(rng.gauss(centre, 0.7))))


def _fill(wave: Wave, wave_number: int, seed: int, *, share: float) -> None:
    """Invitations (no emails: these waves are in the past) and answers for ``share`` of them."""
    rng = demo_rng(seed, f"surveys:wave{wave_number}")
    targets = wave_targets(wave)
    people = Person.objects.filter(
        network=wave.network, active=True, workgroup__in=wave.respondent_workgroups.all()
    ).select_related("workgroup")
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                network=wave.network,
                wave=wave,
                person=p,
                workgroup=p.workgroup,
                organisation_id=p.organisation_id,
                sent_at=wave.opens_at,
            )
            for p in people.order_by("pk")
        ]
    )
    InvitationToken.objects.bulk_create(
        [InvitationToken(invitation=i, digest=issue_token().digest) for i in invitations]
    )
    names = {p.pk: p.workgroup.name for p in people}
    responses, finished = [], []
    for invitation in invitations:
        if rng.random() >= share:
            continue
        rater = names[invitation.person_id]
        person_effect = rng.gauss(0, 0.3)
        when = wave.opens_at + timedelta(hours=rng.randint(1, 20 * 24))
        for target in targets:
            works_with = target.name == rater or rng.random() > 0.08
            centre = _strength(rater, target.name, wave_number) + person_effect
            scores = {key: _answer(rng, centre) if works_with else None for key in DIMENSIONS}
            responses.append(
                Response(
                    invitation=invitation,
                    target=target.key,
                    works_with=works_with,
                    created_at=when,
                    updated_at=when,
                    **scores,
                )
            )
        invitation.started_at = invitation.completed_at = when
        finished.append(invitation)
    Response.objects.bulk_create(responses)
    Invitation.objects.bulk_update(finished, ["started_at", "completed_at"])


@transaction.atomic
def survey_demo_load(*, network: Network, seed: int) -> None:
    """Add the demo work process and its three waves to ``network``."""
    workgroups = list(Workgroup.objects.filter(network=network, name__in=WORKGROUPS))
    process = work_process_create(
        network=network,
        name=PROCESS_NAME,
        description="Returning children safely home: planning, support, court and housing.",
        workgroups=workgroups,
        external_targets=EXTERNAL,
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    spans = [
        ("Autumn baseline", now - timedelta(days=240), now - timedelta(days=212), 1),
        ("Spring follow-up", now - timedelta(days=60), now - timedelta(days=32), 2),
    ]
    for name, opens, closes, number in spans:
        wave = wave_create(
            process=process,
            name=name,
            opens_at=opens,
            closes_at=closes,
            respondent_workgroups=workgroups,
        )
        _fill(wave, number, seed, share=RESPONSE_RATE)
    current = wave_create(
        process=process,
        name="Summer check-in",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=18),
        respondent_workgroups=workgroups,
        reminder_every_days=7,
    )
    invitations_create(wave=current)
    rng = demo_rng(seed, "surveys:open")
    targets = wave_targets(current)
    started = []
    for invitation in current.invitations.select_related("workgroup"):
        if rng.random() < 0.35:
            for target in targets:
                centre = _strength(invitation.workgroup.name, target.name, 2)
                Response.objects.create(
                    invitation=invitation,
                    target=target.key,
                    **{key: _answer(rng, centre) for key in DIMENSIONS},
                )
            invitation.started_at = invitation.completed_at = timezone.now()
            started.append(invitation)
    Invitation.objects.bulk_update(started, ["started_at", "completed_at"])

"""Builders for test data: plain typed functions, one per thing a test needs.

Each returns what it made; nothing here is a fixture, so a test (or a fixture in a conftest)
calls the builder it needs with the sizes it needs. Every builder writes through the models or
the apps' services the same way the app does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from bridgework.accounts.models import CoordinatorInvitation, User
from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.directory.models import (
    Membership,
    Network,
    Organisation,
    PeopleImport,
    Person,
    Team,
    Workgroup,
)
from bridgework.mail.models import OutboxMessage
from bridgework.ona import services as ona_services
from bridgework.ona.models import NetworkInvitation, NetworkWave, Nomination, NominationImport
from bridgework.programmes.mailing import round_send
from bridgework.programmes.models import Programme, Round
from bridgework.programmes.services import (
    enrol_audience,
    feedback_save,
    programme_create,
    round_create,
    round_publish,
)
from bridgework.surveys import services as survey_services
from bridgework.surveys.models import Invitation, InvitationToken, Response, Wave, WorkProcess
from bridgework.tokens import issue_token

PASSWORD = "a-long-test-password"


# --- the directory and logins ------------------------------------------------------


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


def login_with(network: Network, role: str, email: str) -> Client:
    user = User.objects.create_user(email, PASSWORD)
    Membership.objects.create(user=user, network=network, role=role)
    client = Client()
    client.force_login(user)
    return client


def add_people(network: Network, count: int = 9) -> list[Person]:
    agencies = [
        Organisation.objects.create(network=network, name=name)
        for name in ("Probation", "Housing", "Child Welfare")
    ]
    return [
        Person.objects.create(
            network=network,
            name=f"Person {i}",
            email=f"p{i}@{network.slug}.example",
            organisation=agencies[i % 3],
            job_title="Case worker",
        )
        for i in range(count)
    ]


# --- RC surveys ----------------------------------------------------------------------


@dataclass
class Survey:
    process: WorkProcess
    wave: Wave
    groups: list[Workgroup]
    tokens: dict[int, str] = field(default_factory=dict)  # invitation id → plain token


def make_survey(
    network: Network,
    *,
    sizes: tuple[int, ...] = (6, 6),
    opened_days_ago: int = 5,
    closes_in_days: int = 5,
    min_group_size: int = 5,
    external: tuple[str, ...] = (),
    name: str = "Wave 1",
    process: WorkProcess | None = None,
) -> Survey:
    """Workgroups of the given sizes, a process, a wave, and an invitation (with a known
    token) for everyone in them."""
    org = Organisation.objects.filter(network=network).first()
    groups = []
    for index, size in enumerate(sizes):
        group, _ = Workgroup.objects.get_or_create(network=network, name=f"Group {index}")
        for i in range(size):
            Person.objects.get_or_create(
                network=network,
                email=f"g{index}p{i}@{network.slug}.example",
                defaults={"name": f"G{index} P{i}", "workgroup": group, "organisation": org},
            )
        groups.append(group)
    if process is None:
        process = survey_services.work_process_create(
            network=network, name="Discharge", workgroups=groups, external_targets=external
        )
    else:
        process.workgroups.add(*groups)
    now = timezone.now()
    wave = survey_services.wave_create(
        process=process,
        name=name,
        opens_at=now - timedelta(days=opened_days_ago),
        closes_at=now + timedelta(days=closes_in_days),
        respondent_workgroups=groups,
        min_group_size=min_group_size,
    )
    survey = Survey(process, wave, groups)
    for person in Person.objects.filter(workgroup__in=groups).order_by("pk"):
        invitation = Invitation.objects.create(
            network=network,
            wave=wave,
            person=person,
            workgroup=person.workgroup,
            organisation=person.organisation,
        )
        token = issue_token()
        InvitationToken.objects.create(invitation=invitation, digest=token.digest)
        survey.tokens[invitation.pk] = token.plain
    return survey


def answer_survey(survey: Survey, *, big_score: int = 4, small_score: int = 1) -> None:
    """Everyone answers every target; the second workgroup's answers are distinctive
    (``small_score``, which no honest average of the others could produce)."""
    targets = [f"wg:{g.pk}" for g in survey.groups]
    for invitation in Invitation.objects.filter(wave=survey.wave).select_related("workgroup"):
        score = small_score if invitation.workgroup in survey.groups[1:2] else big_score
        for index, target in enumerate(targets):
            Response.objects.create(
                invitation=invitation,
                target=target,
                **{key: min(5, score + (i + index) % 2) for i, key in enumerate(DIMENSIONS)},
            )
        invitation.completed_at = timezone.now()
        invitation.save()


def close_wave(wave: Wave) -> None:
    """Close the wave a minute ago (its results then show)."""
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    wave.refresh_from_db()


def make_organisation_wave(
    network: Network, sizes: dict[str, int], *, name: str = "Map"
) -> tuple[NetworkWave, dict[str, list[Person]]]:
    """A closed network wave over organisations of the given sizes, everyone asked and
    answered (named map consent given). Inside an organisation each person names the next two
    colleagues (strength 4); the first person of each organisation names the first two of
    every other (strength 3)."""
    now = timezone.now()
    people: dict[str, list[Person]] = {}
    organisations = []
    for org_name, size in sizes.items():
        org, _ = Organisation.objects.get_or_create(network=network, name=org_name)
        organisations.append(org)
        slug = org_name.lower().replace(" ", "")
        people[org_name] = [
            Person.objects.create(
                network=network,
                name=f"{org_name} person {i}",
                email=f"{slug}{i}@{network.slug}.example",
                organisation=org,
            )
            for i in range(size)
        ]
    wave = ona_services.network_wave_create(
        network=network,
        name=name,
        opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=1),
        organisations=organisations,
    )
    for members in people.values():
        for person in members:
            NetworkInvitation.objects.create(
                network=network,
                wave=wave,
                person=person,
                started_at=now - timedelta(days=5),
                completed_at=now - timedelta(days=5),
                consent_named=True,
            )
    ties = []
    for org_name, members in people.items():
        for i, ego in enumerate(members):
            for step in (1, 2):
                alter = members[(i + step) % len(members)]
                if alter != ego:
                    ties.append((ego, alter, 4))
        for other, others in people.items():
            if other != org_name:
                ties += [(members[0], alter, 3) for alter in others[:2]]
    Nomination.objects.bulk_create(
        Nomination(
            network=network, wave=wave, ego=ego, alter=alter, relation="works_with", weight=w
        )
        for ego, alter, w in dict.fromkeys(ties)
    )
    return wave, people


def run_round(network: Network, people: int = 20, holdout: float = 0.2) -> Round:
    """``people`` more people, a programme for the whole network, one published round."""
    add_people(network, people)
    programme = programme_create(
        network=network, name="Coffee", audience="network", holdout_share=holdout
    )
    enrol_audience(programme=programme)
    return round_publish(round_=round_create(programme=programme, seed=9))


def give_feedback(round_: Round, count: int, reflection: str = "Comment {i}") -> None:
    """Feedback from the first ``count`` matched people: met, usefulness 4, every other one
    will work together."""
    places = round_.places.filter(outcome="matched").order_by("pk")[:count]
    for i, place in enumerate(places):
        feedback_save(
            enrolment=place.enrolment, match=place.match, met=True, usefulness=4,
            will_work_together=i % 2 == 0, reflection=reflection.format(i=i),
        )  # fmt: skip


# --- one record of every kind (the tenancy walk) ----------------------------------------


def record_ids(network: Network) -> dict[str, int]:
    """One record of each kind in ``network``, for filling ``<int:pk>`` by URL name."""
    upload = PeopleImport.objects.create(network=network, filename="x.csv", content=b"name,email\n")
    return {
        "people": network.people.first().pk,
        "organisations": network.organisations.first().pk,
        "teams": network.teams.first().pk,
        "workgroups": network.workgroups.first().pk,
        "imports": upload.pk,
        "outbox": _outbox_id(network),
        "members": _invitation_id(network),
        **_survey_ids(network),
        **_network_ids(network),
        **_programme_ids(network),
        "jobs": _job_id(network),
        "exports": _export_id(network),
    }


def _export_id(network: Network) -> int:
    """A people list download built by a job, still kept."""
    from bridgework.jobs.exports import export_build, export_start

    export = export_start(network=network, kind="people-csv", params={"format": "csv"}, user=None)
    return export_build(export=export).pk


def _job_id(network: Network) -> int:
    """A finished job: inviting the directory to the roles self-assessment."""
    from bridgework.jobs.models import Job

    return Job.objects.create(
        network=network,
        kind="roles-invitations",
        target_id=network.pk,
        status=Job.Status.DONE,
        done=2,
        total=2,
        outcome="Sent 2 links.",
    ).pk


def _programme_ids(network: Network) -> dict[str, int]:
    """A programme with one drawn round (two people), a guide, and a published match."""
    programme = programme_create(network=network, name="Coffee", audience="network")
    enrol_audience(programme=programme)
    round_ = round_create(programme=programme, seed=1)
    # A published round of a second programme, whose match the walk's re-draws leave alone.
    other = programme_create(network=network, name="Coffee too", audience="network")
    enrol_audience(programme=other)
    published = round_publish(round_=round_create(programme=other, seed=1))
    return {
        "programmes": programme.pk,
        "rounds": round_.pk,
        "guides": programme.guide_id,
        "matches": published.matches.first().pk,
    }


def _network_ids(network: Network) -> dict[str, int]:
    """A closed network wave with one nomination, and an uploaded nominations file."""
    now = timezone.now()
    wave = NetworkWave.objects.create(
        network=network, name="Map", opens_at=now - timedelta(days=9), closes_at=now
    )
    ego, alter = network.people.all()[:2]
    Nomination.objects.create(
        network=network, wave=wave, ego=ego, alter=alter, relation="works_with", weight=3
    )
    upload = NominationImport.objects.create(
        network=network, wave=wave, filename="n.csv", content=b"ego,alter\n"
    )
    return {"nwaves": wave.pk, "nimports": upload.pk}


def _survey_ids(network: Network) -> dict[str, int]:
    """A work process and an open wave (results shown live) with one answer."""
    process = WorkProcess.objects.create(network=network, name="Discharge")
    workgroup = network.workgroups.first()
    process.workgroups.add(workgroup)
    now = timezone.now()
    wave = Wave.objects.create(
        network=network,
        work_process=process,
        name="Spring",
        opens_at=now - timedelta(days=5),
        closes_at=now + timedelta(days=5),
        live_results=True,
    )
    wave.respondent_workgroups.add(workgroup)
    person = network.people.first()
    invitation = Invitation.objects.create(
        network=network, wave=wave, person=person, workgroup=workgroup
    )
    Response.objects.create(invitation=invitation, target=f"wg:{workgroup.pk}", timely=4)
    return {"processes": process.pk, "waves": wave.pk}


def _invitation_id(network: Network) -> int:
    return CoordinatorInvitation.objects.create(
        network=network,
        email="new@example.org",
        role="coordinator",
        token_digest=f"{network.slug:0<64}",
        expires_at=timezone.now() + timedelta(days=1),
    ).pk


def _outbox_id(network: Network) -> int:
    return OutboxMessage.objects.create(
        network=network, to="x@example.org", subject="s", text_body="b"
    ).pk


def published_round(network: Network, **fields: object) -> Round:
    """11 people in three agencies, pairs, one sits out, two held out; published."""
    add_people(network)
    fields = {
        "audience": Programme.Audience.NETWORK,
        "holdout_share": 0.2,
        "odd_rule": Programme.OddRule.SIT_OUT,
        **fields,
    }
    programme = programme_create(network=network, name="Coffee", **fields)
    enrol_audience(programme=programme)
    programme.enrolments.update(works_on="Tenancy support", interests="housing, data")
    round_ = round_publish(round_=round_create(programme=programme, seed=5))
    round_send(round_=round_)  # what the worker does once the publish commits
    return round_


def make_wave(network: Network, people: int, *, name: str = "Spring") -> Wave:
    """An open RC wave asking ``people`` nurses (plus the network's two fixture people)."""
    group = Workgroup.objects.get(network=network)
    Person.objects.bulk_create(
        [
            Person(
                network=network,
                name=f"Nurse {i}",
                email=f"nurse{i}@{network.slug}.example",
                workgroup=group,
            )
            for i in range(people)
        ]
    )
    process = survey_services.work_process_create(
        network=network, name=f"Discharge {name}", workgroups=[group]
    )
    now = timezone.now()
    return survey_services.wave_create(
        process=process,
        name=name,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        respondent_workgroups=[group],
    )


def answer_survey_scored(survey: Survey, score_of) -> None:
    """Everyone invited answers every workgroup of the survey, finishing; ``score_of(workgroup
    of the respondent, index of the dimension, index of the target)`` gives each 1–5 score."""
    from bridgework.analysis.rc_instrument import DIMENSIONS

    targets = [f"wg:{g.pk}" for g in survey.groups]
    for invitation in Invitation.objects.filter(wave=survey.wave).select_related("workgroup"):
        for index, target in enumerate(targets):
            Response.objects.create(
                invitation=invitation,
                target=target,
                **{
                    key: score_of(invitation.workgroup, i, index)
                    for i, key in enumerate(DIMENSIONS)
                },
            )
        invitation.completed_at = timezone.now()
        invitation.save()


#: Only two of East's six answered; one person in each other organisation did not.
ONE_QUIET_AGENCY = {"East Agency": 4, "North Agency": 1, "South Agency": 1, "West Agency": 1}


def make_network_wave(network: Network, *, silent: dict[str, int] | None = None) -> NetworkWave:
    """A closed network wave over four organisations of six people who all answered, but for
    the first ``silent[name]`` people of an organisation; each tied to their two neighbours
    within their organisation and, for person 5, to person 5 of the next organisation."""
    from bridgework.ona.models import NetworkInvitation
    from bridgework.ona.services import network_wave_create

    silent = silent or {}
    orgs = [
        Organisation.objects.create(network=network, name=name)
        for name in ("North Agency", "South Agency", "West Agency", "East Agency")
    ]
    people = {
        (org.name, i): Person.objects.create(
            network=network,
            name=f"{org.name} {i}",
            email=f"{org.pk}-{i}@{network.slug}.example",
            organisation=org,
        )
        for org in orgs
        for i in range(6)
    }
    now = timezone.now()
    wave = network_wave_create(
        network=network,
        name="Map",
        opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=1),
        organisations=orgs,
    )
    for (org, i), person in people.items():
        answered = i >= silent.get(org, 0)
        NetworkInvitation.objects.create(
            network=network,
            wave=wave,
            person=person,
            started_at=now - timedelta(days=5) if answered else None,
            completed_at=now - timedelta(days=5) if answered else None,
            consent_named=True,
        )
        if not answered:
            continue
        alters = [people[(org, (i + 1) % 6)], people[(org, (i + 2) % 6)]]
        if i == 5:
            alters.append(people[(orgs[(orgs.index(person.organisation) + 1) % 4].name, 5)])
        for alter in alters:
            Nomination.objects.create(
                network=network,
                wave=wave,
                ego=person,
                alter=alter,
                relation="works_with",
                weight=4,
            )
    return wave


def add_respondents(wave: NetworkWave, organisation: Organisation, count: int) -> list[Person]:
    """``count`` new people of ``organisation`` who have started ``wave``'s survey: enough
    of them (the minimum group size) make a new release."""
    people = []
    for i in range(count):
        person = Person.objects.create(
            network=wave.network,
            name=f"New {i}",
            email=f"new{i}@a.example",
            organisation=organisation,
        )
        NetworkInvitation.objects.create(
            network=wave.network, wave=wave, person=person, started_at=timezone.now()
        )
        people.append(person)
    return people


def small_group_scores(small_group: Workgroup):
    """Scores for :func:`answer_survey`: ``small_group`` answers 1 to everything but the first
    dimension (2), so its RC is 1.14, a value no other figure has; the others 3 to 5."""

    def score(workgroup: Workgroup, dimension: int, target: int) -> int:
        if workgroup == small_group:
            return 1 + (dimension == 0)
        return 3 + (dimension + target) % 3

    return score


def make_rc_waves_with_small_group(network: Network) -> Survey:
    """Two closed waves of one process (the later one returned), each with workgroups of 6, 2
    and 7 people who all answered: Group 1's cells are suppressed (under 5 respondents)."""
    first = make_survey(network, sizes=(6, 2, 7), name="Before", opened_days_ago=40)
    answer_survey_scored(first, small_group_scores(first.groups[1]))
    Wave.objects.filter(pk=first.wave.pk).update(closes_at=timezone.now() - timedelta(days=30))
    second = make_survey(network, sizes=(6, 2, 7), name="After", process=first.process)
    answer_survey_scored(second, small_group_scores(second.groups[1]))
    Wave.objects.filter(pk=second.wave.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    second.wave.refresh_from_db()
    return second


def give_feedback_everyone(round_: Round) -> int:
    """Everyone matched in ``round_`` says they met, rating it 1–5 in turn; returns how many."""
    from bridgework.programmes.models import Feedback, RoundPlace

    places = RoundPlace.objects.filter(round=round_, match__isnull=False).order_by("pk")
    for index, place in enumerate(places):
        Feedback.objects.create(
            match=place.match,
            enrolment=place.enrolment,
            met=True,
            usefulness=1 + index % 5,
            will_work_together=index % 2 == 0,
        )
    return places.count()

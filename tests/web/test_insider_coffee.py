"""A determined insider against the coffee programme dashboard.

Random small programmes (2–4 organisations, 6–16 people, some held out at random) run rounds
while feedback comes in one person at a time — met or not, a usefulness rating, "will work
together", a comment — and newcomers join before later rounds. A closed network survey after
the first round asks who later named a colleague in another organisation, so the
matched-versus-held-out comparison has answers to rest on. After every step a coordinator and
an analyst read the dashboard. The adversary of :mod:`tests.web.insider` must learn nothing
about one person: no feedback figure (per round or overall, ratings, comments) and no part of
the comparison may change on fewer than the minimum group size of people's answers, no shown
figure may rest on fewer, the overall figures may not be the shown rounds plus a hidden one,
and no comment may carry who wrote it or their rating.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bridgework.directory.models import Network, Organisation, Person, Role
from bridgework.ona.models import NetworkInvitation, NetworkWave, Nomination
from bridgework.programmes import services
from bridgework.programmes.models import Feedback, Round, RoundPlace
from tests.factories import login_with
from tests.web.api_client import Api
from tests.web.insider import Differencer, between, table_rows, text

K = 3  # the smallest minimum group size there is, so that small programmes show figures


@st.composite
def scenarios(draw):
    organisations = draw(st.integers(2, 4))
    people = draw(st.integers(6, 16))
    holdout = draw(st.sampled_from([0.0, 0.2, 0.35]))
    answered = draw(st.lists(st.booleans(), min_size=people + 6, max_size=people + 6))
    crossing = draw(st.lists(st.booleans(), min_size=people + 6, max_size=people + 6))
    events = []
    for _ in range(draw(st.integers(3, 9))):
        kind = draw(st.sampled_from(["feedback"] * 5 + ["round", "join"]))
        if kind == "feedback":
            events.append(
                (
                    "feedback",
                    draw(st.integers(0, 100)),  # which matched place, of the rounds so far
                    draw(st.booleans()),
                    draw(st.one_of(st.none(), st.integers(1, 5))),
                    draw(st.booleans()),
                    draw(st.sampled_from(["", "Good chat.", "We will meet again.", "Late."])),
                )
            )
        elif kind == "join":
            events.append(("join", draw(st.integers(1, 3))))
        else:
            events.append(("round",))
    return organisations, people, holdout, answered, crossing, events


class World:
    def __init__(self, organisations: int, people: int, holdout: float, answered, crossing):
        self.network = Network.objects.create(name="Coffee", slug="coffee", min_group_size=K)
        self.orgs = [
            Organisation.objects.create(network=self.network, name=f"Agency {i}")
            for i in range(organisations)
        ]
        self.answered, self.crossing = answered, crossing
        self.people: list[Person] = []
        self.join(people)
        self.programme = services.programme_create(
            network=self.network, name="Coffee", audience="network", holdout_share=holdout
        )
        services.enrol_audience(programme=self.programme)
        first = services.round_publish(
            round_=services.round_create(programme=self.programme, seed=3)
        )
        # The first round is in the past, so a closed network survey can follow it.
        Round.objects.filter(pk=first.pk).update(
            starts_on=first.starts_on - timedelta(days=40),
            ends_on=first.ends_on - timedelta(days=40),
        )
        first.refresh_from_db()
        now = timezone.now()
        start = timezone.make_aware(datetime.combine(first.starts_on + timedelta(days=1), time()))
        self.wave = NetworkWave.objects.create(
            network=self.network,
            name="Follow-up map",
            opens_at=min(start, now - timedelta(hours=2)),
            closes_at=now - timedelta(hours=1),
            min_group_size=K,
        )
        self.coordinator = login_with(self.network, Role.COORDINATOR, "c@coffee.example")
        self.analyst = login_with(self.network, Role.ANALYST, "a@coffee.example")
        self.url = f"/n/{self.network.slug}/coffee/{self.programme.pk}/dashboard/"
        self.api = Api(self.network)
        self.grouped: set[int] = set()

    def join(self, count: int) -> None:
        """New people, each (by the drawn lists) answering the network survey or not."""
        for _ in range(count):
            i = len(self.people)
            org = self.orgs[i % len(self.orgs)]
            person = Person.objects.create(
                network=self.network, name=f"Person {i}", email=f"p{i}@coffee.example",
                organisation=org,
            )  # fmt: skip
            self.people.append(person)
            if hasattr(self, "wave"):
                self._survey(person, i)

    def _survey(self, person: Person, i: int) -> None:
        if not self.answered[i % len(self.answered)]:
            return
        NetworkInvitation.objects.create(
            network=self.network, wave=self.wave, person=person, completed_at=self.wave.closes_at
        )
        if self.crossing[i % len(self.crossing)]:
            alter = next(p for p in self.people if p.organisation_id != person.organisation_id)
            Nomination.objects.create(
                network=self.network, wave=self.wave, ego=person, alter=alter,
                relation="works_with", weight=3,
            )  # fmt: skip

    def survey_everyone(self) -> None:
        for i, person in enumerate(self.people):
            self._survey(person, i)

    def newly_grouped(self) -> set[int]:
        """People who have just got their first matched or held-out place and answered the
        survey: their answers are what a new round brings into the comparison."""
        answered = set(
            self.wave.invitations.filter(completed_at__isnull=False).values_list(
                "person_id", flat=True
            )
        )
        now = set(
            RoundPlace.objects.filter(round__programme=self.programme, round__status="published")
            .exclude(outcome=RoundPlace.Outcome.SIT_OUT)
            .values_list("enrolment__person_id", flat=True)
        )
        new = (now - self.grouped) & answered
        self.grouped |= now
        return new


def _figures(page: str, who: str) -> tuple[dict, dict]:
    """Every feedback figure and the comparison, as the page shows them (``None`` hidden)."""
    figures: dict = {}
    rounds = {}
    table = between(page, "Participants by round</caption>", "</table>")
    for row in table_rows(table or "")[1:]:
        number = row[0].split()[0]
        met = row[5]
        rounds[number] = None if met.startswith("–") else int(met)
        figures[(who, "met", number)] = rounds[number]
    rate = text(between(page, "Met, of those who gave feedback</dt>", "</dd>"))
    figures[(who, "meeting rate")] = rate if "%" in rate else None
    usefulness = text(between(page, "Usefulness (1–5)</dt>", "</dd>"))
    figures[(who, "usefulness")] = None if "Hidden" in usefulness else usefulness
    ratings = between(page, "How useful people found their meeting</caption>", "</table>")
    figures[(who, "ratings")] = text(ratings) if ratings else None
    comments = between(page, '<h2 class="govuk-heading-m">Comments</h2>', "{% endblock")
    if comments is not None:
        comments = text(comments.split("</main>", 1)[0])
        figures[(who, "comments")] = None if "No comments to show yet" in comments else comments
    ties = text(between(page, "New ties reported later</h3>", "</p>"))
    figures[(who, "ties")] = ties if "named a colleague" in ties else None
    return figures, {"rounds": rounds, "rate": rate, "comments": comments}


def _check(world: World, page: str, seen: dict) -> list[str]:
    problems = []
    given = {}
    for f in Feedback.objects.filter(match__round__programme=world.programme).select_related(
        "match__round"
    ):
        given[str(f.match.round.number)] = given.get(str(f.match.round.number), 0) + 1
    for number, met in seen["rounds"].items():
        if met is not None and given.get(number, 0) < K:
            problems.append(f"round {number}'s feedback is shown on {given.get(number, 0)} answers")
    match = re.search(r"(\d+)% of (\d+)", seen["rate"])
    if match:
        percent, count = int(match.group(1)), int(match.group(2))
        if count < K:
            problems.append(f"the meeting rate rests on {count} answers")
        met = sum(v for v in seen["rounds"].values() if v is not None)
        if abs(met - percent * count / 100) > count / 200 + 1e-9:
            problems.append(
                f"the overall meeting rate ({percent}% of {count}) is not the shown rounds' "
                f"({met} met): the rest is a hidden round"
            )
    if seen["comments"]:
        for person in world.people:
            if person.name in seen["comments"]:
                problems.append(f"a comment is attributed to {person.name}")
        if "usefulness" in seen["comments"].lower():
            problems.append("a comment carries its writer's rating")
    ties = text(between(page, "New ties reported later</h3>", "</p>"))
    for n in re.findall(r"\((\d+)\)", ties):
        if int(n) < K:
            problems.append(f"the comparison shows a group of {n}")
    return problems


def _look(world: World, adversaries: dict) -> list[str]:
    problems = []
    feedback, ties = {}, {}
    for client, who in ((world.coordinator, "coordinator"), (world.analyst, "analyst")):
        response = client.get(world.url)
        assert response.status_code == 200
        page = response.content.decode()
        figures, seen = _figures(page, who)
        if who == "analyst":
            assert seen["comments"] is None, "analysts see comments"
        problems += _check(world, page, seen)
        feedback.update({k: v for k, v in figures.items() if k[1] != "ties"})
        ties.update({k: v for k, v in figures.items() if k[1] == "ties"})
    # The API's form of the dashboard: each of its figures, as a reader with a token sees it.
    body = world.api.json(f"programmes/{world.programme.pk}/dashboard")
    for name in ("meeting_rate", "feedback_count", "first_meeting_share", "mean_rating",
                 "will_work_together", "ratings"):  # fmt: skip
        feedback[("api", name)] = None if body[name] in (None, []) else repr(body[name])
    for line in body["rounds"]:
        feedback[("api", "met", line["number"])] = line["met"]
    ties[("api", "ties")] = None if body["ties"] is None else repr(body["ties"])
    ties[("api", "rc")] = None if body["rc"] is None else repr(body["rc"])
    adversaries["feedback"].view(feedback)
    adversaries["ties"].view(ties)
    return problems


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: CI time is bounded
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_no_sequence_of_views_pins_down_one_persons_coffee_feedback(scenario):
    organisations, people, holdout, answered, crossing, events = scenario
    cache.clear()
    with transaction.atomic():
        world = World(organisations, people, holdout, answered, crossing)
        world.survey_everyone()
        adversaries = {"feedback": Differencer(K), "ties": Differencer(K)}
        adversaries["ties"].answered(*world.newly_grouped())
        adversaries["feedback"].answered()
        problems = _look(world, adversaries)
        for event in events:
            giver, grouped = (), ()
            if event[0] == "feedback":
                _, which, met, usefulness, will, reflection = event
                places = list(
                    RoundPlace.objects.filter(
                        round__programme=world.programme,
                        round__status="published",
                        outcome=RoundPlace.Outcome.MATCHED,
                    )
                    .select_related("enrolment", "match")
                    .order_by("pk")
                )
                if places:
                    place = places[which % len(places)]
                    services.feedback_save(
                        enrolment=place.enrolment, match=place.match, met=met,
                        usefulness=usefulness, will_work_together=will, reflection=reflection,
                    )  # fmt: skip
                    giver = (place.enrolment.person_id,)
            elif event[0] == "join":
                world.join(event[1])
                services.enrol_audience(programme=world.programme)
            else:
                services.round_publish(round_=services.round_create(programme=world.programme))
                grouped = tuple(world.newly_grouped())
            adversaries["feedback"].answered(*giver)
            adversaries["ties"].answered(*grouped)
            problems += _look(world, adversaries)
        transaction.set_rollback(True)
    leaks = problems + adversaries["feedback"].leaks + adversaries["ties"].leaks
    assert not leaks, "\n".join(dict.fromkeys(leaks))

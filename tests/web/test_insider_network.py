"""A determined insider against the network survey and the roles self-assessment.

Random small networks (2–5 organisations of 1–8 people) answer a live network survey one
person at a time — colleagues named with random relations and strengths, consent to be
named or not, outside organisations, random roles self-assessments. After every answer a
coordinator and an analyst read every figure the app shows them: the organisation map (its
JSON and every table) under several tie-strength and relation filters, the named map, the
wave's progress page and the roles self-assessment page. Then the wave closes and they look
once more. The adversary of :mod:`tests.web.insider` must learn nothing about any one person:
no figure may change on fewer than the minimum group size of people's answers, no hidden
count may be worked out from the shown ones, no figure may rest on fewer than the minimum,
and the named map may carry nothing of people who did not agree to be named.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bridgework.analysis.roles_assessment import ITEMS
from bridgework.directory.models import Network, Organisation, Person, Role
from bridgework.ona.models import (
    NetworkInvitation,
    NetworkWave,
    Nomination,
    OutsideContact,
    RolesInvitation,
)
from bridgework.tokens import issue_token
from tests.factories import login_with
from tests.web.api_client import Api
from tests.web.insider import (
    Differencer,
    between,
    determined,
    feasible_counts,
    joint_counts,
    json_script,
    table_rows,
    text,
)

K = 3  # the smallest minimum group size there is, so that small networks show figures
RELATIONS = ("works_with", "trust", "energy", "ideas")
OUTSIDE = ("County Court", "Police", "Food bank")
MAP_FILTERS = ("", "?strength=4", "?relation=trust&strength=2")
NAMED_FILTERS = ("", "?strength=4")


@st.composite
def scenarios(draw):
    sizes = draw(st.lists(st.integers(1, 8), min_size=2, max_size=5))
    people = sum(sizes)
    events = []
    for _ in range(draw(st.integers(3, 6))):
        person = draw(st.integers(0, people - 1))
        if draw(st.integers(0, 4)) == 0:
            answers = {item.id: draw(st.integers(1, 5)) for item in ITEMS}
            events.append(("roles", person, answers, draw(st.booleans())))
            continue
        alters = draw(st.lists(st.integers(0, people - 1), max_size=4, unique=True))
        ties = []
        for alter in alters:
            if alter != person:
                relation = draw(st.sampled_from(RELATIONS))
                weight = 1 if relation == "ideas" else draw(st.integers(1, 5))
                ties.append((alter, relation, weight))
        outside = draw(st.lists(st.sampled_from(OUTSIDE), max_size=2, unique=True))
        events.append(("answer", person, ties, draw(st.booleans()), outside))
    return sizes, events


class World:
    """The network, its live wave and the two readers."""

    def __init__(self, sizes: list[int]):
        now = timezone.now()
        self.network = Network.objects.create(name="Insider", slug="insider", min_group_size=K)
        self.orgs, self.people = [], []
        for o, size in enumerate(sizes):
            org = Organisation.objects.create(network=self.network, name=f"Org {o}")
            self.orgs.append(org)
            for i in range(size):
                self.people.append(
                    Person.objects.create(
                        network=self.network,
                        name=f"Person {o}-{i}",
                        email=f"p{o}-{i}@insider.example",
                        organisation=org,
                    )
                )
        self.wave = NetworkWave.objects.create(
            network=self.network,
            name="Live map",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=10),
            min_group_size=K,
        )
        self.invitations = {
            p.pk: NetworkInvitation.objects.create(network=self.network, wave=self.wave, person=p)
            for p in self.people
        }
        self.coordinator = login_with(self.network, Role.COORDINATOR, "c@insider.example")
        self.analyst = login_with(self.network, Role.ANALYST, "a@insider.example")
        self.base = f"/n/{self.network.slug}/networks/"
        self.api = Api(self.network)
        self.consent: dict[int, bool] = {}
        self.sharers: set[int] = set()
        self.assessed = False
        self.problems: list[str] = []

    def answer(self, person: int, ties, consent: bool, outside) -> int:
        ego = self.people[person]
        invitation = self.invitations[ego.pk]
        if ego.pk not in self.consent:
            self.consent[ego.pk] = consent  # asked once, at the start; never withdrawn here
        invitation.started_at = invitation.started_at or timezone.now()
        invitation.completed_at = timezone.now()
        invitation.consent_named = self.consent[ego.pk]
        invitation.save()
        Nomination.objects.filter(wave=self.wave, ego=ego).delete()
        for alter, relation, weight in ties:
            Nomination.objects.create(
                network=self.network,
                wave=self.wave,
                ego=ego,
                alter=self.people[alter],
                relation=relation,
                weight=weight,
            )
        OutsideContact.objects.filter(invitation=invitation).delete()
        for name in outside:
            OutsideContact.objects.create(invitation=invitation, organisation=name)
        return ego.pk

    def assess(self, person: int, answers: dict, consent: bool) -> int:
        who = self.people[person]
        RolesInvitation.objects.update_or_create(
            network=self.network,
            person=who,
            defaults={
                "digest": issue_token().digest,
                "answers": answers,
                "consent": consent,
                "completed_at": timezone.now(),
            },
        )
        self.assessed = True
        if consent:
            self.sharers.add(who.pk)
        else:
            self.sharers.discard(who.pk)
        return who.pk

    def get(self, client, path: str) -> str:
        response = client.get(self.base + path)
        assert response.status_code == 200, path
        return response.content.decode()


def _map_figures(world: World, page: str, label: str) -> tuple[dict, dict]:
    """Every figure of one organisation-map page, and the per-organisation answered counts."""
    figures: dict = {}
    data = json_script(page, "network-map-data")
    figures[(label, "map json")] = json.dumps(data, sort_keys=True)
    organisations = between(page, "Organisations (table of the map)</caption>", "</table>")
    answered = {}
    for row in table_rows(organisations)[1:]:
        name, _people, count, *rest = row
        answered[name] = None if count == "–" else int(count)
        figures[(label, "organisation", name)] = tuple(rest)
    for caption in ("the lines of the map)</caption>", "(row names column)</caption>"):
        figures[(label, caption)] = text(between(page, caption, "</table>"))
    figures[(label, "roles")] = text(between(page, "Network roles</h2>", "The self-assessed"))
    figures[(label, "outside")] = text(
        between(page, "Organisations outside the directory</h2>", "<h2")
    )
    # The notes on the answers ("no nominations have the relation 'trust'") say something
    # of everyone who answered.
    notes = re.findall(r'<p class="govuk-inset-text">(.*?)</p>', page, re.S)
    figures[(label, "notes")] = " | ".join(text(n) for n in notes)
    # How many answered is a count of people, checked by subtraction, not differencing.
    return figures, answered


def _check_map(world: World, page: str, answered: dict, truth: dict[str, int]) -> list[str]:
    """Static leaks of one organisation map: a visible row on too few respondents, a
    respondent count that the others give away, the network's isolates beside one hidden
    organisation."""
    problems = []
    data = json_script(page, "network-map-data")
    assert all(set(n["data"]) == {"id", "label", "size", "group"} for n in data["nodes"])
    organisations = between(page, "Organisations (table of the map)</caption>", "</table>")
    visible = {}
    for row in table_rows(organisations)[1:]:
        visible[row[0]] = row[3] != "Too few answers to show"
        if visible[row[0]] and truth[row[0]] < K:
            problems.append(f"{row[0]} is shown with {truth[row[0]]} respondents")
        if answered[row[0]] is not None and answered[row[0]] < K:
            problems.append(f"{row[0]}'s {answered[row[0]]} respondents are shown")
    for link in json_script(page, "network-map-data")["edges"]:
        source = next(n for n in data["nodes"] if n["data"]["id"] == link["data"]["source"])
        if not visible[source["data"]["label"]]:
            problems.append(f"ties from hidden {source['data']['label']} are drawn")
    validity = text(between(page, "</h1>", "Robust to missing answers"))
    total = int(re.search(r"(\d+) of \d+ people asked answered", validity).group(1))
    sizes = {o.name: o.people.count() for o in world.orgs}
    # A shown row says at least the minimum answered there: the adversary uses that too.
    shown_rows = {name: K for name, shown in visible.items() if shown}
    options = feasible_counts(sizes, answered, total, at_least=shown_rows)
    for name in _given_away(sizes, answered, options, total):
        problems.append(f"{name}'s hidden number of respondents follows from the others")
    network = text(between(page, "A person can hold several roles or none.", "The self-assessed"))
    hidden = [name for name, shown in visible.items() if not shown]
    if "isolate" in network and "Isolates not shown" not in network and len(hidden) == 1:
        problems.append(f"the network's isolates give away those of {hidden[0]}")
    return problems


def _named_figures(world: World, page: str, label: str) -> tuple[dict, list[str]]:
    """Figures of the named map, and its leaks: anyone named who did not agree, or a
    measure that counts ties the map does not draw (those of people not named)."""
    problems = []
    data = json_script(page, "network-map-data")
    ids = {n["data"]["id"]: n["data"] for n in data["nodes"]}
    by_name = {p.name: p for p in world.people}
    for node in ids.values():
        person = by_name[node["label"]]
        if not world.consent.get(person.pk):
            problems.append(f"{node['label']} is named without consent")
        if "Challenger" in node["roles"] and person.pk not in world.sharers:
            problems.append(f"{node['label']}'s self-assessment is shown without consent")
        drawn_in = sum(1 for e in data["edges"] if e["data"]["target"] == f"p{person.pk}")
        drawn_out = sum(1 for e in data["edges"] if e["data"]["source"] == f"p{person.pk}")
        if (node["in_degree"], node["out_degree"]) != (drawn_in, drawn_out):
            problems.append(
                f"{node['label']}'s degrees {node['in_degree']}/{node['out_degree']} count "
                f"ties to or from people not named ({drawn_in}/{drawn_out} drawn)"
            )
    for edge in data["edges"]:
        if set(edge["data"]) != {"id", "source", "target", "relation"}:
            problems.append("a named tie carries more than who named whom")
    nodes = [
        {**n["data"], "roles": [r for r in n["data"]["roles"] if r != "Challenger"]}
        for n in data["nodes"]
    ]
    figures = {
        (label, "nodes"): json.dumps(nodes, sort_keys=True),
        (label, "edges"): json.dumps(data["edges"], sort_keys=True),
        (label, "roles"): text(
            between(page, "Roles, in plain words</h2>", '<h3 class="govuk-heading-s">Challenger')
        ),
        (label, "weaving"): text(between(page, "Weaving opportunities</h2>", "</table>")),
        (label, "isolates"): text(between(page, "Isolates</h2>", "</p>")),
    }
    return figures, problems


def _progress(world: World, page: str) -> tuple[dict, int | None]:
    rows = table_rows(between(page, "Response by organisation</caption>", "</table>"))[1:]
    answered = {row[0]: None if row[2] == "–" else int(row[2]) for row in rows}
    for row in rows:
        if row[2] == "–" and "Under" in row[5]:
            world.problems.append(f"progress: {row[0]}'s hidden count is said to be small")
    overall = text(between(page, "Response rate</dt>", "</dd>"))
    if "counts are not shown" in overall:  # fewer than the minimum answered in all
        if any(count is not None for count in answered.values()):
            world.problems.append("progress: an organisation's count is shown, the total not")
        return answered, None
    return answered, int(overall.split(" of ", 1)[0])


def _given_away(sizes: dict, shown: dict, options: set, total: int) -> list[str]:
    """Hidden organisations whose count follows from what is shown — except when the overall
    count alone says it (nobody, or everybody, has answered): that is a fact about the whole
    wave, which the response rate has to show."""
    if total in (0, sum(sizes.values())):
        return []
    return determined(list(sizes), shown, options, K)


def _api_figures(body: dict, label: tuple) -> dict:
    """The API summary's figures one by one (``None`` where hidden). Who has answered (the
    validity note's counts) is what the progress page shows anyway, so it is left out."""
    found = {}
    validity = {k: v for k, v in body["validity"].items() if k not in ("respondents", "percent")}
    validity.pop("rate_warning", None)
    found[(*label, "validity")] = json.dumps(validity, sort_keys=True)
    for row in body["organisations"]:
        found[(*label, "organisation", row["name"])] = (
            json.dumps(row, sort_keys=True) if row["visible"] else None
        )
    for row in body["density"]:
        found[(*label, "density", row["name"])] = (
            json.dumps(row, sort_keys=True) if row["visible"] else None
        )
    for role in body["role_counts"]:
        found[(*label, "role", role["label"])] = role["count"]
    for name in ("isolates", "components", "outside_hidden", "suppressed"):
        found[(*label, name)] = body[name]
    found[(*label, "links")] = json.dumps(body["links"], sort_keys=True) or None
    found[(*label, "outside")] = json.dumps(body["outside"], sort_keys=True)
    found[(*label, "relations")] = json.dumps(body["relations"])
    return found


def _look(world: World, adversaries: dict, previous: dict | None) -> tuple[list, dict]:
    """One round of reading every page as both readers; static leaks and the progress view."""
    problems: list[str] = []
    figures: dict = {}
    truth = {
        o.name: sum(
            1
            for p in world.people
            if p.organisation_id == o.pk and world.invitations[p.pk].pk in world.started
        )
        for o in world.orgs
    }
    for client, who in ((world.coordinator, "coordinator"), (world.analyst, "analyst")):
        # Both readers see the same organisation map; the analyst reads it unfiltered only.
        for query in MAP_FILTERS if who == "coordinator" else ("",):
            page = world.get(client, f"waves/{world.wave.pk}/map/{query}")
            found, answered = _map_figures(world, page, (who, "map", query))
            figures.update(found)
            problems += _check_map(world, page, answered, truth)
        page = world.get(client, f"waves/{world.wave.pk}/")
        nominations = text(between(page, "Nominations</dt>", "</dd>"))
        figures[(who, "nominations")] = None if "Shown once" in nominations else nominations
        answered, overall = _progress(world, page)
        if who == "coordinator" or overall is None:
            # Coordinators run the survey and see every organisation's count (who has
            # answered, never what); with the total hidden there is nothing to subtract from.
            continue
        sizes = {o.name: o.people.count() for o in world.orgs}
        options = feasible_counts(sizes, answered, overall)
        for name in _given_away(sizes, answered, options, overall):
            problems.append(f"progress: {name}'s hidden count follows from the others")
        if previous is not None and who in previous:
            _, after = joint_counts(previous[who], options)
            for name in _given_away(sizes, answered, after, overall):
                problems.append(f"progress: {name}'s hidden count follows from the last view")
        previous = previous or {}
        previous[who] = options
        if who == "coordinator" or world.assessed:
            roles = world.get(client, "roles/")
            mix = between(roles, "Mix across the network</h2>", "<h2")
            figures[(who, "roles mix")] = text(mix)
    # The named map shows people who agreed, so its changes are theirs to allow; what it
    # must not carry is anything of the others, or anyone's ratings (a tie drawn under one
    # strength filter and not another would give its rating).
    named = {}
    for query in NAMED_FILTERS:
        page = world.get(world.coordinator, f"waves/{world.wave.pk}/people/{query}")
        named[query], named_problems = _named_figures(world, page, ("named", ""))
        problems += named_problems
    if len({repr(sorted(found.items())) for found in named.values()}) > 1:
        problems.append("the named map differs between tie-strength filters")
    # The API's summary of the wave under the same filters as the map pages, and every
    # relation a reader can ask for.
    path = f"network-surveys/waves/{world.wave.pk}/summary"
    asked = [{}, {"strength": 4}, {"relation": "trust", "strength": 2}]
    asked += [{"relation": r} for r in world.api.json(path)["relations"]]
    for params in asked:
        figures.update(_api_figures(world.api.json(path, **params), ("api", repr(params))))
    adversaries["roles"].view({k: v for k, v in figures.items() if k[1] == "roles mix"})
    adversaries["network"].view({k: v for k, v in figures.items() if k[1] != "roles mix"})
    return problems, previous


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: CI time is bounded
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_no_sequence_of_views_pins_down_one_persons_network_answers(scenario):
    sizes, events = scenario
    cache.clear()
    with transaction.atomic():
        world = World(sizes)
        world.started = set()
        # Network answers and self-assessments are told apart: each figure's changes are
        # checked against the answers that can move it.
        adversaries = {"network": Differencer(K), "roles": Differencer(K)}
        problems, previous = _look(world, adversaries, None)
        for event in events:
            if event[0] == "answer":
                _, person, ties, consent, outside = event
                pk = world.answer(person, ties, consent, outside)
                world.started.add(world.invitations[pk].pk)
                adversaries["network"].answered(pk)
                adversaries["roles"].answered()
            else:
                _, person, answers, consent = event
                adversaries["roles"].answered(world.assess(person, answers, consent))
                adversaries["network"].answered()
            found, previous = _look(world, adversaries, previous)
            problems += found
        NetworkWave.objects.filter(pk=world.wave.pk).update(closes_at=timezone.now())
        world.wave.refresh_from_db()
        adversaries["network"].answered()
        adversaries["roles"].answered()
        found, _ = _look(world, adversaries, previous)
        problems += found
        transaction.set_rollback(True)
    leaks = problems + world.problems + adversaries["network"].leaks + adversaries["roles"].leaks
    assert not leaks, "\n".join(dict.fromkeys(leaks))

"""Network maps and roles pages: filters, colours and sizes, brokers, table alternative,
privacy of names (named map and Challenger), roles explained, weaving, validity."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bridgework.analysis.roles_assessment import ITEMS
from bridgework.directory.models import Organisation, Person
from bridgework.ona import services
from bridgework.ona.models import NetworkInvitation, NetworkWave, Nomination, RolesInvitation
from bridgework.tokens import issue_token
from tests.factories import add_respondents


def _map_data(response) -> dict:
    match = re.search(
        rb'<script id="network-map-data" type="application/json">(.*?)</script>',
        response.content,
        re.S,
    )
    return json.loads(match.group(1))


@pytest.fixture
def two_groups(network_a):
    """Three organisations of six; a bridge (Bo, in North) tied into all three; everyone
    answered and agreed to be named except Nia, who answered but said no."""
    north = network_a.organisations.first()
    south = Organisation.objects.create(network=network_a, name="South Agency")
    east = Organisation.objects.create(network=network_a, name="East Agency")
    people = {}
    for i in range(6):
        for org, prefix in ((north, "North"), (south, "South"), (east, "East")):
            name = f"{prefix} {i}"
            people[name] = Person.objects.create(
                network=network_a, name=name, email=f"{prefix}{i}@a.example", organisation=org
            )
    people["Bo Bridge"] = Person.objects.create(
        network=network_a, name="Bo Bridge", email="bo@a.example", organisation=north
    )
    people["Nia Private"] = Person.objects.create(
        network=network_a, name="Nia Private", email="nia@a.example", organisation=south
    )
    now = timezone.now()
    wave = services.network_wave_create(
        network=network_a,
        name="Map",
        opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=1),
        organisations=[north, south, east],
    )
    for person in people.values():
        NetworkInvitation.objects.create(
            network=network_a,
            wave=wave,
            person=person,
            started_at=now - timedelta(days=5),
            completed_at=now - timedelta(days=5),
            consent_named=person.name != "Nia Private",
        )

    def tie(ego: str, alter: str, weight: float, relation: str = "works_with") -> None:
        Nomination.objects.create(
            network=network_a,
            wave=wave,
            ego=people[ego],
            alter=people[alter],
            relation=relation,
            weight=weight,
        )

    for prefix in ("North", "South", "East"):
        for i in range(6):
            for j in range(6):
                if i != j and abs(i - j) <= 2:
                    tie(f"{prefix} {i}", f"{prefix} {j}", 4)
    for alter in ("North 0", "North 1", "South 0", "South 1", "East 0", "East 1"):
        tie("Bo Bridge", alter, 2)
        tie(alter, "Bo Bridge", 5)
        tie("Bo Bridge", alter, 3, relation="trust")
    tie("Nia Private", "South 2", 3)
    tie("South 3", "Nia Private", 3)
    return network_a, wave, people


@pytest.mark.django_db
def test_named_map_colours_by_organisation_sizes_by_measure_and_marks_brokers(
    two_groups, coordinator
):
    network, wave, _ = two_groups
    url = f"/n/{network.slug}/networks/waves/{wave.pk}/people/"
    response = coordinator.get(url + "?size=betweenness")
    data = _map_data(response)
    html = response.content.decode()
    bo = next(n["data"] for n in data["nodes"] if n["data"]["label"] == "Bo Bridge")
    assert bo["group"] == "alpha Agency"
    assert bo["broker"] is True
    assert "Broker" in bo["roles"]
    assert bo["betweenness"] > 0
    assert 'data-size="betweenness"' in html
    assert "sized by betweenness" in html
    assert 'id="map-brokers"' in html
    groups = {n["data"]["group"] for n in data["nodes"]}
    assert groups == {"alpha Agency", "South Agency", "East Agency"}
    # One tie per ordered pair, merged across relations as in the analysis: Bo named North 0
    # for works_with and trust.
    ids = {n["data"]["label"]: n["data"]["id"] for n in data["nodes"]}
    bo_to_north = [
        e["data"]
        for e in data["edges"]
        if (e["data"]["source"], e["data"]["target"]) == (ids["Bo Bridge"], ids["North 0"])
    ]
    assert len(bo_to_north) == 1
    # The table alternative holds the same people and measures.
    table = html.split("People (table of the map)", 1)[1].split("</table>", 1)[0]
    assert table.count('<th scope="row"') == len(data["nodes"])
    assert "Bo Bridge" in table


@pytest.mark.django_db
def test_named_map_shows_only_people_who_consented(two_groups, coordinator):
    network, wave, _ = two_groups
    response = coordinator.get(f"/n/{network.slug}/networks/waves/{wave.pk}/people/")
    labels = {n["data"]["label"] for n in _map_data(response)["nodes"]}
    assert "Nia Private" not in labels
    assert "Nia Private" not in response.content.decode()
    assert len(labels) == 19


@pytest.mark.django_db
def test_tie_strength_and_relation_filter_the_map_its_table_and_figures(two_groups, coordinator):
    network, wave, _ = two_groups
    base = f"/n/{network.slug}/networks/waves/{wave.pk}/"
    every = _map_data(coordinator.get(base + "people/"))
    # The named map has no strength filter: a tie drawn at one strength and not the next
    # would be one person's rating of another.
    strong = coordinator.get(base + "people/?strength=5")
    assert _map_data(strong) == every
    assert 'id="strength"' not in strong.content.decode()
    trust = _map_data(coordinator.get(base + "people/?relation=trust"))
    assert len(trust["edges"]) == 6
    assert {e["data"]["relation"] for e in trust["edges"]} == {"trust"}

    # Organisation map: Bo's ties link North with South and East both ways; at strength 5
    # only the ties into Bo (South → North, East → North) remain.
    org_all = coordinator.get(base + "map/")
    org_strong = coordinator.get(base + "map/?strength=5")
    assert len(_map_data(org_all)["edges"]) == 4
    assert len(_map_data(org_strong)["edges"]) == 2
    strong_html = org_strong.content.decode()
    assert '<option value="5" selected>5 or more</option>' in strong_html
    links = strong_html.split("the lines of the map)", 1)[1].split("</table>", 1)[0]
    assert "South Agency" in links  # South 0/1 → Bo (North) are strength 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["?strength=abc&size=zzz&relation=nope", "?strength=9", "?relation=%3Cscript%3E", "?size="],
)
def test_odd_filter_values_are_ignored_not_errors(two_groups, coordinator, query):
    network, wave, _ = two_groups
    for page in ("map/", "people/"):
        response = coordinator.get(f"/n/{network.slug}/networks/waves/{wave.pk}/{page}{query}")
        assert response.status_code == 200
        assert b"<script>" not in response.content.split(b"</head>", 1)[1]


@pytest.mark.django_db
def test_analyst_sees_organisation_level_with_roles_explained_and_validity_note(
    two_groups, analyst
):
    network, wave, people = two_groups
    page = analyst.get(f"/n/{network.slug}/networks/waves/{wave.pk}/map/").content.decode()
    for person in people:
        assert person not in page
    assert "named map" not in page  # no link for analysts
    for explanation in ("Broker: links groups", "Connector: a trusted hub", "Peripheral: on"):
        assert explanation in page
    assert "Robust to missing answers:</strong> nominations received (in-degree)" in page
    assert "Not robust to missing answers:</strong>" in page
    assert "betweenness" in page.split("Not robust to missing answers", 1)[1]
    assert "Only" not in page.split("</h1>", 1)[1].split("Robust", 1)[0]  # 100% answered
    assert analyst.get(f"/n/{network.slug}/networks/waves/{wave.pk}/people/").status_code == 403


@pytest.mark.django_db
def test_low_response_rate_is_warned_once_on_both_maps(two_groups, coordinator):
    network, wave, _ = two_groups
    NetworkInvitation.objects.filter(wave=wave).exclude(person__name="Bo Bridge").update(
        started_at=None, completed_at=None
    )
    Nomination.objects.filter(wave=wave).exclude(ego__name="Bo Bridge").delete()
    for page in ("map/", "people/"):
        html = coordinator.get(f"/n/{network.slug}/networks/waves/{wave.pk}/{page}").content
        assert html.count(b"(under 70%)") == 1
        assert b"govuk-warning-text" in html


@pytest.mark.django_db
def test_weaving_opportunities_are_ranked_between_organisations(two_groups, coordinator):
    network, wave, _ = two_groups
    page = coordinator.get(f"/n/{network.slug}/networks/waves/{wave.pk}/people/").content.decode()
    weaving = page.split("Suggested introductions, ranked", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', weaving, re.S)[1:]
    cells = [re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row) for row in rows]
    assert cells
    assert [c[0] for c in cells] == [str(i) for i in range(1, len(cells) + 1)]
    _, a, b, _ = cells[0]
    assert a.split("(")[1] != b.split("(")[1]  # the pair is in different organisations
    shared = [int(c[3]) for c in cells]
    assert shared == sorted(shared, reverse=True)


def _assess(network, person: Person, *, challenger: bool, consent: bool) -> None:
    answers = {item.id: 5 if (item.role == "challenger") == challenger else 2 for item in ITEMS}
    RolesInvitation.objects.create(
        network=network,
        person=person,
        digest=issue_token().digest,
        answers=answers,
        consent=consent,
        completed_at=timezone.now(),
    )


@pytest.mark.django_db
def test_challenger_is_named_only_with_consent_to_share_the_self_assessment(
    two_groups, coordinator
):
    network, wave, people = two_groups
    _assess(network, people["North 4"], challenger=True, consent=True)
    _assess(network, people["South 4"], challenger=True, consent=False)
    page = coordinator.get(f"/n/{network.slug}/networks/waves/{wave.pk}/people/").content.decode()
    challenger = page.split('<h3 class="govuk-heading-s">Challenger</h3>', 1)[1].split("<h", 1)[0]
    assert "North 4" in challenger
    assert "South 4" not in challenger
    # Not even counted: one uncounted challenger among the few who did not share is a leak.
    assert "did not agree" not in challenger
    data = _map_data(coordinator.get(f"/n/{network.slug}/networks/waves/{wave.pk}/people/"))
    roles = {n["data"]["label"]: n["data"]["roles"] for n in data["nodes"]}
    assert "Challenger" in roles["North 4"]
    assert "Challenger" not in roles["South 4"]


@pytest.mark.django_db
def test_roles_overview_mix_for_everyone_names_for_coordinators(two_groups, coordinator, analyst):
    network, wave, people = two_groups
    for name in ("North 0", "North 1", "North 2", "South 0"):
        _assess(network, people[name], challenger=False, consent=True)
    _assess(network, people["Bo Bridge"], challenger=True, consent=True)
    _assess(network, people["South 5"], challenger=True, consent=False)
    url = f"/n/{network.slug}/networks/roles/"

    page = coordinator.get(url).content.decode()
    assert "6 people answered" in page
    assert "You link people and groups" in page  # each role explained in plain words
    view = page.split("Roles seen both ways", 1)[1].split("</table>", 1)[0]
    assert "South 5" not in view  # did not consent
    bo_row = view.split("Bo Bridge", 1)[1].split("</tr>", 1)[0]
    # Self-view: Challenger; network view: Broker (never Challenger, which is self-reported).
    cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', bo_row)
    assert cells[0] == "Challenger"
    assert "Broker" in cells[1]
    assert "Challenger" not in cells[1]
    assert f"against the network roles found in {wave.name}" in page

    analyst_page = analyst.get(url).content.decode()
    assert "6 people answered" in analyst_page
    assert "Bo Bridge" not in analyst_page
    assert "Send links" not in analyst_page
    assert analyst.post(url).status_code == 403
    assert not RolesInvitation.objects.filter(person__name="North 3").exists()


@pytest.mark.django_db
def test_roles_mix_is_hidden_under_the_minimum_group_size(two_groups, coordinator):
    network, _, people = two_groups
    for name in ("North 0", "North 1"):
        _assess(network, people[name], challenger=False, consent=True)
    page = coordinator.get(f"/n/{network.slug}/networks/roles/").content.decode()
    assert "Fewer than 5 people have answered, so no figures are shown" in page


@pytest.mark.django_db
def test_self_assessment_profile_explains_each_role(network_a):
    person = network_a.people.first()
    token = issue_token()
    RolesInvitation.objects.create(network=network_a, person=person, digest=token.digest)
    page = Client().get(f"/r/{token.plain}/").content.decode()
    assert "What role do you play" in page
    Client().post(f"/r/{token.plain}/", {item.id: "2" for item in ITEMS})
    page = Client().get(f"/r/{token.plain}/").content.decode()
    assert "Your profile" in page
    assert "You question how things are done" in page
    assert "No role stands out for you" in page
    # Missing answers are an error on the page, not a traceback, and keep the saved profile.
    response = Client().post(f"/r/{token.plain}/", {"b1": "5"})
    assert response.status_code == 200
    assert b"Answer every statement" in response.content


@pytest.mark.django_db
def test_roles_overview_uses_the_latest_closed_wave(two_groups, coordinator):
    network, wave, people = two_groups
    now = timezone.now()
    NetworkWave.objects.create(
        network=network,
        name="Next",
        opens_at=now + timedelta(days=5),
        closes_at=now + timedelta(days=9),
    )
    _assess(network, people["Bo Bridge"], challenger=True, consent=True)
    page = coordinator.get(f"/n/{network.slug}/networks/roles/").content.decode()
    assert f"found in {wave.name}" in page


@pytest.mark.django_db
def test_outside_organisations_are_named_only_when_enough_people_named_them(two_groups, analyst):
    from bridgework.ona.models import OutsideContact

    network, wave, _ = two_groups
    invitations = list(wave.invitations.order_by("pk"))
    for i, invitation in enumerate(invitations[:6]):
        OutsideContact.objects.create(
            invitation=invitation, organisation="County Court" if i % 2 else "county court"
        )
    OutsideContact.objects.create(invitation=invitations[0], organisation="Sam Smith's team")
    page = analyst.get(f"/n/{network.slug}/networks/waves/{wave.pk}/map/").content.decode()
    section = page.split("Organisations outside the directory", 1)[1].split("<h2", 1)[0]
    assert "County Court" in section
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">6</td>' in section
    assert "Sam Smith" not in page
    assert "1 other organisation named by fewer than 5 people" in section


@pytest.mark.django_db
def test_roles_page_names_network_roles_only_of_people_named_on_the_map(two_groups, coordinator):
    network, wave, people = two_groups
    # Bo shares the self-assessment but said no to being named on the map.
    NetworkInvitation.objects.filter(wave=wave, person=people["Bo Bridge"]).update(
        consent_named=False
    )
    _assess(network, people["Bo Bridge"], challenger=False, consent=True)
    _assess(network, people["North 0"], challenger=False, consent=True)
    page = coordinator.get(f"/n/{network.slug}/networks/roles/").content.decode()
    view = page.split("Roles seen both ways", 1)[1].split("</table>", 1)[0]
    bo_row = view.split("Bo Bridge", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', bo_row)
    assert "Broker" in cells[0]  # the self-view they agreed to share
    assert cells[1] == "Not shown: did not agree to be named on the map"
    assert cells[2] == "–"
    assert "Broker" not in cells[1] + cells[2]
    north_row = view.split("North 0", 1)[1].split("</tr>", 1)[0]
    assert "Not shown" not in north_row


@pytest.mark.django_db
def test_the_networks_minimum_group_size_applies_when_larger_than_the_waves(
    two_groups, coordinator, analyst
):
    network, wave, people = two_groups
    assert wave.min_group_size == 5
    network.min_group_size = 7  # North and South have 7 respondents, East 6
    network.save()
    page = analyst.get(f"/n/{network.slug}/networks/waves/{wave.pk}/map/").content.decode()
    # East has 6, under 7; North's number goes too (its figures with it, which would say it
    # is at least 7), or the total minus South's would give East's.
    assert "Not shown (fewer than 7 respondents, or hidden so that such a number cannot be " in page
    assert "worked out from the total): East Agency, alpha Agency." in page
    east = page.split('<th scope="row" class="govuk-table__header">East Agency</th>', 1)[1]
    assert "Too few answers to show" in east.split("</tr>", 1)[0]

    for name in ("North 0", "North 1", "North 2", "South 0", "South 1", "East 0"):
        _assess(network, people[name], challenger=False, consent=True)
    for client in (coordinator, analyst):
        roles = client.get(f"/n/{network.slug}/networks/roles/").content.decode()
        assert "Fewer than 7 people have answered, so no figures are shown" in roles
    # With no network survey at all, the network's minimum still applies to the mix.
    NetworkWave.objects.all().delete()
    roles = analyst.get(f"/n/{network.slug}/networks/roles/").content.decode()
    assert "Fewer than 7 people have answered, so no figures are shown" in roles


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["", "?relation=trust", "?strength=3", "?relation=works_with&strength=5"]
)
def test_named_map_shows_ties_without_anyones_ratings(two_groups, coordinator, query):
    network, wave, _ = two_groups
    response = coordinator.get(f"/n/{network.slug}/networks/waves/{wave.pk}/people/{query}")
    data = _map_data(response)
    assert data["edges"]
    for edge in data["edges"]:
        assert set(edge["data"]) == {"id", "source", "target", "relation"}
    # The organisation map keeps its aggregate: the number of ties between organisations.
    org = _map_data(coordinator.get(f"/n/{network.slug}/networks/waves/{wave.pk}/map/{query}"))
    assert all(e["data"]["weight"] >= 1 for e in org["edges"])


@pytest.mark.django_db
def test_no_reader_sees_answered_counts_of_small_organisations_on_the_map(
    two_groups, coordinator, analyst
):
    network, wave, _ = two_groups
    # Only two of East's six answered.
    east = NetworkInvitation.objects.filter(wave=wave, person__organisation__name="East Agency")
    quiet = [i.person_id for i in east.order_by("pk")[2:]]
    east.filter(person_id__in=quiet).update(started_at=None, completed_at=None)
    Nomination.objects.filter(wave=wave, ego_id__in=quiet).delete()
    url = f"/n/{network.slug}/networks/waves/{wave.pk}/map/"

    def answered(page: str) -> dict[str, str]:
        table = page.split("Organisations (table of the map)</caption>", 1)[1].split("</table>")[0]
        rows = re.findall(
            r'<th scope="row" class="govuk-table__header">(.*?)</th>(.*?)</tr>', table
        )
        return {
            name: re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', cells)[1]
            for name, cells in rows
        }

    for client in (analyst, coordinator):
        seen = answered(client.get(url).content.decode())
        assert seen["East Agency"] == "–"
        # More are hidden, or the total (16 answered) minus North and South would give East's;
        # and with everyone in North and South answered, hiding only one of them would still
        # say that all its people did (the pool needs people who did not answer too).
        assert sorted(seen.values()).count("–") == 3


@pytest.mark.django_db
def test_analysis_is_cached_and_moves_only_with_a_new_release(
    two_groups, coordinator, monkeypatch, shared_cache
):
    from bridgework.ona import results

    network, wave, people = two_groups
    calls: list[int] = []
    real = results.analyze_network

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(results, "analyze_network", counted)
    base = f"/n/{network.slug}/networks/waves/{wave.pk}/"
    first = _map_data(coordinator.get(base + "map/"))
    assert _map_data(coordinator.get(base + "map/")) == first
    assert len(calls) == 1
    coordinator.get(base + "people/")  # the named map has its own analysis…
    coordinator.get(f"/n/{network.slug}/networks/roles/")  # … which the roles page shares
    assert len(calls) == 2

    coordinator.get(base + "map/?relation=trust")  # another filter is another analysis…
    coordinator.get(base + "people/?relation=trust")  # … computed once for each level
    assert len(calls) == 4

    # One more answer from someone already counted: the released figures stay as they were,
    # or the difference would be that answer.
    Nomination.objects.create(
        network=network,
        wave=wave,
        ego=people["East 5"],
        alter=people["North 5"],
        relation="works_with",
        weight=4,
    )
    assert _map_data(coordinator.get(base + "map/")) == first
    assert len(calls) == 4
    # Five new respondents (the minimum group size) make a new release, with the answer above.
    add_respondents(wave, Organisation.objects.get(name="East Agency"), 5)
    after = _map_data(coordinator.get(base + "map/"))
    assert len(calls) == 5
    assert after != first  # East now has a tie to North
    # A changed shared self-assessment (which can name a Challenger) is a new named analysis.
    _assess(network, people["North 4"], challenger=True, consent=True)
    coordinator.get(base + "people/")
    assert len(calls) == 6
    RolesInvitation.objects.filter(person=people["North 4"]).update(answers={})
    coordinator.get(base + "people/")
    assert len(calls) == 7

"""Network survey by keyboard (the autocomplete) and the map with its table alternative."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bridgework.accounts.models import User
from bridgework.directory.models import Membership, Person, Role
from bridgework.ona import services
from bridgework.ona.models import NetworkInvitation, NetworkInvitationToken, Nomination
from bridgework.tokens import issue_token
from tests.browser.accessibility import axe_violations
from tests.browser.pages import follow, sign_in
from tests.factories import PASSWORD, make_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wave_and_link():
    network = make_network("alpha")
    org = network.organisations.first()
    for name in ("Priya Raman", "Priya Okafor", "Tom Lindqvist"):
        Person.objects.create(
            network=network, name=name, email=f"{name.split()[1]}@a.example", organisation=org
        )
    now = timezone.now()
    wave = services.network_wave_create(
        network=network,
        name="Map",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=5),
    )
    me = Person.objects.get(email="staff@alpha.example")
    invitation = NetworkInvitation.objects.create(network=network, wave=wave, person=me)
    token = issue_token()
    NetworkInvitationToken.objects.create(invitation=invitation, digest=token.digest)
    return network, wave, me, f"/m/{token.plain}/"


def test_respondent_names_a_colleague_by_keyboard(page, wave_and_link):
    _network, wave, me, link = wave_and_link
    page.goto(link)
    search = page.get_by_role("combobox", name="Colleague’s name")
    search.press_sequentially("priya", delay=40)
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    assert page.get_by_role("option").count() == 2
    assert axe_violations(page) == []
    search.press("ArrowDown")
    search.press("ArrowDown")
    search.press("Enter")
    page.wait_for_url("**/colleague/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Working with Priya Raman")
    for key, value in (("works_with", "4"), ("trust", "5"), ("energy", "3")):
        page.locator(f"#{key}-{value}").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{link}")
    expect(page.get_by_role("link", name="Priya Raman")).to_be_visible()
    saved = dict(Nomination.objects.filter(wave=wave, ego=me).values_list("relation", "weight"))
    assert saved == {"works_with": 4.0, "trust": 5.0, "energy": 3.0}


def test_map_draws_and_has_a_table_alternative(page, wave_and_link):
    network, wave, _me, _link = wave_and_link
    people = list(Person.objects.filter(network=network))
    for ego in people:
        for alter in people:
            if ego != alter and (ego.pk + alter.pk) % 2:
                Nomination.objects.create(
                    network=network,
                    wave=wave,
                    ego=ego,
                    alter=alter,
                    relation="works_with",
                    weight=3,
                )
    user = User.objects.create_user("c@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.COORDINATOR)
    sign_in(page, "c@alpha.example")
    page.goto(f"/n/{network.slug}/networks/waves/{wave.pk}/map/")
    canvas = page.locator(".bw-network-map canvas").first
    canvas.wait_for()
    box = canvas.bounding_box()
    assert box["height"] > 200
    assert box["width"] > 200
    expect(page.get_by_role("table").first).to_be_visible()
    assert axe_violations(page) == []


def _bridged_network(network, wave) -> None:
    """Three agencies of four, each a tight group, and Bo in the first tied into all three;
    everyone answered and agreed to be named."""
    from bridgework.directory.models import Organisation

    orgs = [network.organisations.first()] + [
        Organisation.objects.create(network=network, name=f"{name} Agency")
        for name in ("South", "East")
    ]
    groups = [
        [
            Person.objects.create(
                network=network, name=f"{org.name} {i}", email=f"{k}{i}@a.example", organisation=org
            )
            for i in range(4)
        ]
        for k, org in enumerate(orgs)
    ]
    bo = Person.objects.create(
        network=network, name="Bo Bridge", email="bo@a.example", organisation=orgs[0]
    )
    now = timezone.now()
    for person in [bo, *(p for group in groups for p in group)]:
        NetworkInvitation.objects.create(
            network=network,
            wave=wave,
            person=person,
            started_at=now,
            completed_at=now,
            consent_named=True,
        )
    ties = [(a, b) for group in groups for a in group for b in group if a != b]
    ties += [(bo, group[0]) for group in groups] + [(group[0], bo) for group in groups]
    for ego, alter in ties:
        Nomination.objects.create(
            network=network, wave=wave, ego=ego, alter=alter, relation="works_with", weight=4
        )


def test_named_map_has_a_legend_highlights_brokers_and_filters(page, wave_and_link):
    network, wave, _me, _link = wave_and_link
    _bridged_network(network, wave)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    user = User.objects.create_user("c@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.COORDINATOR)
    sign_in(page, "c@alpha.example")
    page.goto(f"/n/{network.slug}/networks/waves/{wave.pk}/people/")
    page.locator("#network-map[data-ready=true]").wait_for()
    legend = page.get_by_role("list", name="Colours")
    assert legend.get_by_role("listitem").count() == 3
    expect(legend.get_by_text("South Agency")).to_be_visible()

    page.get_by_label("Highlight brokers").check()
    expect(page.locator("#network-map")).to_have_attribute("data-brokers", "1")
    table = page.get_by_role("table", name="People (table of the map)")
    bo_row = table.get_by_role("row", name="Bo Bridge")
    expect(bo_row).to_contain_text("Broker")
    assert axe_violations(page) == []

    # Filters are a plain form: choosing a size and a relation reloads the same page (the
    # named map has no tie-strength filter: it would give one person's rating of another).
    assert page.get_by_label("Tie strength").count() == 0
    page.get_by_label("Size people by").select_option(label="Betweenness")
    page.get_by_label("Relation").select_option(label="How much you trust them")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**relation=trust**")
    page.locator("#network-map[data-ready=true]").wait_for()
    assert page.locator("#network-map").get_attribute("data-size") == "betweenness"
    assert errors == []


def test_network_pages_fit_a_phone_screen(browser, live_server, wave_and_link):
    network, wave, _me, _link = wave_and_link
    _bridged_network(network, wave)
    user = User.objects.create_user("c@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.COORDINATOR)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    sign_in(page, "c@alpha.example")
    base = f"/n/{network.slug}/networks/"
    for path in ("", f"waves/{wave.pk}/", f"waves/{wave.pk}/map/", f"waves/{wave.pk}/people/"):
        page.goto(base + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{base}{path} is {overflow}px wider than a phone screen"
    context.close()


def test_open_wave_pages_for_coordinators_pass_axe(page, wave_and_link):
    network, wave, _me, _link = wave_and_link
    user = User.objects.create_user("c@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.COORDINATOR)
    sign_in(page, "c@alpha.example")
    base = f"/n/{network.slug}/networks/waves/{wave.pk}/"
    for path in ("", "edit/", "remind/", "invite/"):
        assert page.goto(base + path).status == 200
        assert axe_violations(page) == [], path
    # The edit form with an error (closing before opening) is accessible too.
    page.goto(base + "edit/")
    page.get_by_label("Closes").fill("2000-01-01 09:00")
    follow(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_text("The survey must close after it opens").first).to_be_visible()
    assert axe_violations(page) == []
    # Sending reminders from the page emails those who have not finished.
    services.network_invitations_create(wave=wave)
    page.goto(base + "remind/")
    page.get_by_role("button", name="Send reminders").click()
    # They are sent by a job; its page shows the outcome and passes axe too.
    page.wait_for_url(f"**/n/{network.slug}/jobs/*/")
    sent = wave.invitations.filter(reminders_sent=1).count()
    assert sent == wave.invitations.count()
    expect(page.get_by_text(f"Sent {sent} reminders.")).to_be_visible()
    assert axe_violations(page) == []


def test_a_large_networks_named_map_goes_through_its_job_and_back(page, wave_and_link, settings):
    network, wave, _me, _link = wave_and_link
    _bridged_network(network, wave)
    settings.ANALYSIS_INLINE_PEOPLE = 5  # thirteen people: "large"
    user = User.objects.create_user("c@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.COORDINATOR)
    sign_in(page, "c@alpha.example")
    page.goto(f"/n/{network.slug}/networks/waves/{wave.pk}/people/?relation=works_with")
    page.wait_for_url("**/n/alpha/jobs/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Preparing the network figures")
    expect(page.get_by_text("The figures of Map are ready.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back to the named map of Map").first.click()
    page.wait_for_url("**/people/?relation=works_with")
    page.locator("#network-map[data-ready=true]").wait_for()
    table = page.get_by_role("table", name="People (table of the map)")
    expect(table.get_by_role("row", name="Bo Bridge")).to_be_visible()

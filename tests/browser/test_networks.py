"""Network survey by keyboard (the autocomplete) and the map with its table alternative."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.directory.models import Membership, Person, Role
from bridgework.networks import services
from bridgework.networks.models import NetworkInvitation, NetworkInvitationToken, Nomination
from bridgework.tokens import issue_token
from tests.browser.conftest import axe_violations
from tests.web.conftest import PASSWORD, make_network

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
    assert page.get_by_role("heading", level=1).inner_text() == "Working with Priya Raman"
    for key, value in (("works_with", "4"), ("trust", "5"), ("energy", "3")):
        page.locator(f"#{key}-{value}").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{link}")
    assert page.get_by_role("link", name="Priya Raman").is_visible()
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
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("c@alpha.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/n/{network.slug}/networks/waves/{wave.pk}/map/")
    canvas = page.locator(".bw-network-map canvas").first
    canvas.wait_for()
    box = canvas.bounding_box()
    assert box["height"] > 200
    assert box["width"] > 200
    assert page.get_by_role("table").first.is_visible()
    assert axe_violations(page) == []

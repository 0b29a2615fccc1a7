"""Pages read well on a phone: nothing wider than the screen, the menu still reachable."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bridgework.accounts.models import User
from bridgework.directory.models import Membership, Role
from tests.browser.pages import sign_in
from tests.factories import PASSWORD, make_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_directory_pages_fit_a_phone_screen(browser, live_server):
    network = make_network("alpha")
    user = User.objects.create_user("owner@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.OWNER)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    sign_in(page, "owner@alpha.example")
    for path in ("", "people/", "people/new/", "people/import/", "organisations/", "members/"):
        page.goto(f"/n/alpha/{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"/n/alpha/{path} is {overflow}px wider than a phone screen"
    # The service menu collapses behind a button that opens it.
    page.goto("/n/alpha/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("link", name="People", exact=True)).to_be_visible()
    context.close()

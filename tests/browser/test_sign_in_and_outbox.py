"""In a real browser: repeated wrong passwords end on the sign-in pause page, and the outbox
of the outbox-only mode says links are visible — both pages pass axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bridgework.accounts.models import User
from bridgework.directory.models import Membership, Role
from bridgework.mail.models import OutboxMessage
from tests.browser.accessibility import axe_violations
from tests.browser.pages import follow, sign_in
from tests.factories import PASSWORD, make_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _try_signing_in(page, password: str) -> None:
    """Submit the sign-in form, right or wrong, and wait for the answer."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("coord@alpha.example")
    page.get_by_label("Password").fill(password)
    follow(page, page.get_by_role("button", name="Sign in"))


def test_wrong_passwords_pause_sign_in_with_an_explanation(page):
    network = make_network("alpha")
    user = User.objects.create_user("coord@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.COORDINATOR)
    for attempt in range(4):
        _try_signing_in(page, f"wrong-{attempt}")
        page.get_by_text("There is a problem").wait_for()
    _try_signing_in(page, "wrong-again")
    heading = page.get_by_role("heading", name="Sign-in is paused for 15 minutes")
    heading.wait_for()
    assert axe_violations(page) == []
    _try_signing_in(page, PASSWORD)  # the right password, too soon
    heading.wait_for()
    assert "/n/alpha/" not in page.url


def test_outbox_only_mode_warns_on_the_outbox(page):
    network = make_network("alpha")
    user = User.objects.create_user("coord@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.COORDINATOR)
    message = OutboxMessage.objects.create(
        network=network, to="a@alpha.example", subject="Your survey", text_body="/r/" + "t" * 43
    )
    sign_in(page, "coord@alpha.example")
    for path in ("/n/alpha/outbox/", f"/n/alpha/outbox/{message.pk}/"):
        page.goto(path)
        banner = page.get_by_role("region", name="For trying the app only")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("visible to every coordinator")
        assert axe_violations(page) == []

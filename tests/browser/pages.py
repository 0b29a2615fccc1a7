"""Steps the browser tests share: signing in, and following a click to the page it leads to.

A check made straight after a bare ``click()`` may still read the page before it (Playwright
waits for the click, not for the next page to load), so a step that moves to another page waits
for it here, and checks use ``expect``, which retries until the page shows what it should."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from bridgework.accounts.models import User
from bridgework.directory.models import Membership, Network, Role
from tests.factories import PASSWORD, make_network

OWNER_EMAIL = "owner@alpha.example"


def two_networks_with_owner() -> tuple[Network, Network]:
    """Networks Alpha (owned) and Beta (coordinated) of one login, ``OWNER_EMAIL``."""
    alpha, beta = make_network("alpha"), make_network("beta")
    user = User.objects.create_user(OWNER_EMAIL, PASSWORD)
    Membership.objects.create(user=user, network=alpha, role=Role.OWNER)
    Membership.objects.create(user=user, network=beta, role=Role.COORDINATOR)
    return alpha, beta


def sign_in(page, email: str = OWNER_EMAIL, password: str = PASSWORD) -> None:
    """Sign in as ``email`` and wait for the page signing in leads to, so that the next step
    runs signed in (a ``goto`` straight after the click could cancel the sign-in)."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    follow(page, page.get_by_role("button", name="Sign in"))
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def follow(page, control) -> None:
    """Click a link or a form's button and wait until the page it leads to has loaded, also
    when that page has the same address (a form shown again with its errors)."""
    with page.expect_navigation():
        control.click()

"""Steps the browser tests share: signing in as the owner of two networks."""

from __future__ import annotations

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


def sign_in(page) -> None:
    """Sign in as ``OWNER_EMAIL``; with two networks and none used yet, the home page asks
    which one."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(OWNER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your networks").wait_for()

"""In a real browser: "Sign in with …" goes to an OpenID Connect provider on loopback and
comes back signed in; the owner's sign-in settings and directory sync pages work and pass
axe-core, and a new sync token is shown once."""

from __future__ import annotations

import pytest

from bridgework.accounts.models import User
from bridgework.accounts.sso import discovery_forget
from bridgework.directory.models import Membership, Role
from bridgework.scim.models import ScimToken
from tests.browser.accessibility import axe_violations
from tests.factories import PASSWORD, make_network
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, RunningProvider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(settings):
    with RunningProvider() as running:
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_ISSUER = running.issuer
        settings.OIDC_PROVIDER_NAME = "Test Identity"
        discovery_forget()
        yield running
        discovery_forget()


def test_owner_signs_in_by_sso_switches_passwords_off_and_makes_a_sync_token(page, provider):
    network = make_network("alpha")
    owner = User.objects.create_user("owner@alpha.example", PASSWORD)
    Membership.objects.create(user=owner, network=network, role=Role.OWNER)
    provider.user = {"sub": "o-1", "email": "owner@alpha.example", "email_verified": True}

    page.goto("/accounts/login/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign in with Test Identity").click()
    page.wait_for_url("**/n/alpha/")

    page.get_by_role("link", name="Sign-in and sync").click()
    page.get_by_label("Local passwords").select_option("no")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Local passwords are switched off").wait_for()
    assert axe_violations(page) == []
    network.refresh_from_db()
    assert network.password_sign_in is False

    page.get_by_role("link", name="directory sync page").click()
    page.get_by_label("What the token is for").fill("Entra ID provisioning")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert len(token) >= 43
    assert axe_violations(page) == []
    assert ScimToken.objects.get(network=network).name == "Entra ID provisioning"
    page.reload()
    assert token not in page.content()


def test_unknown_person_is_told_to_ask_for_an_invitation(page, provider):
    make_network("alpha")
    provider.user = {"sub": "n-1", "email": "new@alpha.example", "email_verified": True}
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Test Identity").click()
    page.get_by_role("heading", name="You do not have a login yet").wait_for()
    assert "ask your network's owner for an invitation" in page.content().lower().replace(
        "&#x27;", "'"
    )
    assert axe_violations(page) == []

"""Single sign-on end to end against a real OpenID Connect provider on loopback.

The provider (tests/oidc_provider.py) runs in a thread; the flow goes through Django's test
client: the sign-in page, off to the provider, back with a code, the token exchange and the
JWKS over real HTTP, and a login signed in (or, for each bad answer, a page saying why).
"""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from bridgework.accounts.models import CoordinatorInvitation, User
from bridgework.accounts.sso import discovery_forget
from bridgework.directory.models import Membership, Role
from bridgework.tokens import issue_token
from tests.factories import PASSWORD
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, RunningProvider

EMAIL = "coord@alpha.example"


@pytest.fixture
def provider():
    with RunningProvider() as running:
        running.user = {
            "sub": "subject-1",
            "email": "Coord@Alpha.example",
            "email_verified": True,
            "name": "Casey Coordinator",
        }
        yield running


@pytest.fixture
def sso(settings, provider):
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_PROVIDER_NAME = "Test Identity"
    discovery_forget()
    yield provider
    discovery_forget()


@pytest.fixture
def coordinator_login(network_a):
    user = User.objects.create_user(EMAIL, PASSWORD)
    Membership.objects.create(user=user, network=network_a, role=Role.COORDINATOR)
    return user


def invite(network, email: str) -> str:
    """A pending analyst invitation; returns the token its link carries."""
    issued = issue_token()
    CoordinatorInvitation.objects.create(
        network=network,
        email=email,
        role=Role.ANALYST,
        token_digest=issued.digest,
        expires_at=timezone.now() + timedelta(days=1),
    )
    return issued.plain


def start(client: Client, next_url: str = "") -> str:
    """The sign-in page's button, followed to the provider; returns the provider's URL."""
    page = client.get("/accounts/login/")
    assert "Sign in with Test Identity" in page.content.decode()
    response = client.get("/accounts/sso/start/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def provider_redirect(authorize_url: str) -> str:
    """What the provider sends the browser back to (our callback), as a path with query."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.netloc == "testserver"
    return f"{back.path}?{back.query}"


def sign_on(client: Client, next_url: str = ""):
    return client.get(provider_redirect(start(client, next_url)))


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.django_db
def test_full_flow_signs_in_the_login_with_the_verified_email(sso, coordinator_login):
    client = Client()
    authorize = start(client, next_url="/n/alpha/")
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{sso.issuer}/authorize?")
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["http://testserver/accounts/sso/callback/"]
    assert query["nonce"]
    assert query["state"]
    response = client.get(provider_redirect(authorize))
    assert response.status_code == 302
    assert response["Location"] == "/n/alpha/"
    assert client.session[SESSION_KEY] == str(coordinator_login.pk)
    assert client.get("/n/alpha/").status_code == 200
    # Discovery was fetched once and is reused for the next sign-in.
    assert sso.discovery_requests == 1
    sign_on(Client())
    assert sso.discovery_requests == 1


@pytest.mark.django_db
def test_explicit_endpoints_work_without_discovery(settings, sso, coordinator_login):
    settings.OIDC_ISSUER = ""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{sso.issuer}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{sso.issuer}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{sso.issuer}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{sso.issuer}/jwks"
    client = Client()
    assert sign_on(client).status_code == 302
    assert client.session[SESSION_KEY] == str(coordinator_login.pk)
    assert sso.discovery_requests == 0


@pytest.mark.django_db
def test_pkce_is_sent_and_checked_when_switched_on(settings, sso, coordinator_login):
    settings.OIDC_USE_PKCE = True
    client = Client()
    authorize = start(client)
    assert parse_qs(urlsplit(authorize).query)["code_challenge_method"] == ["S256"]
    client.get(provider_redirect(authorize))
    assert signed_in(client)


def _refused(response, reason: str, words: str) -> None:
    body = response.content.decode()
    assert response.status_code == 403, body
    assert f'data-reason="{reason}"' in body
    assert words in body
    assert "Traceback" not in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("knob", "reason"),
    [
        ({"token_claims": {"aud": "someone-else"}}, "unverifiable"),
        (
            {"token_claims": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}},
            "unverifiable",
        ),
        ({"token_claims": {"iss": "http://127.0.0.1:1/not-the-issuer"}}, "unverifiable"),
        ({"token_claims": {"nonce": "not-this-browsers-nonce"}}, "unverifiable"),
        ({"tamper_signature": True}, "unverifiable"),
        ({"sign_with_unknown_key": True}, "unverifiable"),
    ],
    ids=["wrong-audience", "expired", "wrong-issuer", "wrong-nonce", "tampered", "unknown-key"],
)
def test_a_bad_id_token_signs_no_one_in(sso, coordinator_login, knob, reason):
    for name, value in knob.items():
        setattr(sso, name, value)
    client = Client()
    response = sign_on(client)
    _refused(response, reason, "did not pass our checks")
    assert not signed_in(client)


@pytest.mark.django_db
def test_unverified_email_is_refused(sso, coordinator_login):
    sso.user["email_verified"] = False
    client = Client()
    _refused(sign_on(client), "unverified-email", "did not confirm that the email address")
    assert not signed_in(client)


@pytest.mark.django_db
def test_missing_email_verified_claim_is_refused(sso, coordinator_login):
    del sso.user["email_verified"]
    client = Client()
    _refused(sign_on(client), "unverified-email", "is not verified")
    assert not signed_in(client)


@pytest.mark.django_db
def test_unknown_email_is_asked_to_get_an_invitation_and_no_login_is_made(sso, network_a):
    sso.user["email"] = "newcomer@alpha.example"
    client = Client()
    _refused(sign_on(client), "unknown-email", "Ask your network&#x27;s owner for an invitation")
    assert not signed_in(client)
    assert not User.objects.filter(email__iexact="newcomer@alpha.example").exists()


@pytest.mark.django_db
def test_wrong_or_replayed_state_is_refused(sso, coordinator_login):
    client = Client()
    callback = provider_redirect(start(client))
    forged = callback.replace("state=", "state=forged")
    _refused(client.get(forged), "state", "did not start in this browser")
    assert not signed_in(client)
    # A callback from another browser's sign-in: this session never started it.
    _refused(Client().get(callback), "state", "did not start in this browser")
    # The real one works once; replaying it is refused.
    assert client.get(callback).status_code == 302
    assert signed_in(client)
    _refused(client.get(callback), "state", "did not start in this browser")


@pytest.mark.django_db
def test_provider_error_is_explained(sso):
    client = Client()
    start(client)
    response = client.get("/accounts/sso/callback/?error=access_denied&state=x")
    _refused(response, "provider-error", "did not sign you in")


@pytest.mark.django_db
def test_unreachable_provider_gives_a_page_not_a_traceback(settings, sso):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens on the discard port
    response = Client().get("/accounts/sso/start/")
    assert response.status_code == 503
    assert "Single sign-on is unavailable" in response.content.decode()


@pytest.mark.django_db
def test_sso_pages_and_button_absent_when_not_configured(settings):
    settings.OIDC_RP_CLIENT_ID = ""
    client = Client()
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/sso/start/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404


@pytest.mark.django_db
def test_invitation_accepted_through_sso_when_the_emails_match(sso, network_a):
    token = invite(network_a, "new@alpha.example")
    sso.user = {"sub": "s-2", "email": "NEW@alpha.example", "email_verified": True, "name": "Nia"}
    client = Client()
    page = client.get(f"/accounts/invitation/{token}/").content.decode()
    assert "Accept with Test Identity" in page
    response = client.get(f"/accounts/sso/start/?invitation={token}&next=/n/alpha/")
    response = client.get(provider_redirect(response["Location"]))
    assert response["Location"] == "/n/alpha/"
    user = User.objects.get(email="new@alpha.example")
    assert user.name == "Nia"
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, network=network_a).role == "analyst"
    assert client.session[SESSION_KEY] == str(user.pk)


@pytest.mark.django_db
def test_invitation_for_another_address_is_refused(sso, network_a):
    token = invite(network_a, "new@alpha.example")
    sso.user = {"sub": "s-3", "email": "other@alpha.example", "email_verified": True}
    client = Client()
    response = client.get(f"/accounts/sso/start/?invitation={token}")
    _refused(
        client.get(provider_redirect(response["Location"])),
        "invitation-mismatch",
        "another address",
    )
    assert not User.objects.filter(email__in=["new@alpha.example", "other@alpha.example"]).exists()


# --- passwords switched off for a network ---------------------------------------------


@pytest.mark.django_db
def test_password_refused_with_a_clear_message_when_network_is_sso_only(
    sso, network_a, coordinator_login
):
    network_a.password_sign_in = False
    network_a.save()
    client = Client()
    response = client.post("/accounts/login/", {"username": EMAIL, "password": PASSWORD})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Passwords are switched off for Alpha" in body
    assert "Sign in with Test Identity" in body
    assert not signed_in(client)
    # A wrong password still gets the ordinary answer: the switch reveals nothing to guessers.
    wrong = client.post("/accounts/login/", {"username": EMAIL, "password": "wrong-password"})
    assert "switched off" not in wrong.content.decode()
    # Single sign-on still works for the same login.
    sign_on(client)
    assert signed_in(client)


@pytest.mark.django_db
def test_owner_switches_passwords_off_only_after_signing_in_by_sso(sso, network_a):
    owner_user = User.objects.create_user("owner@alpha.example", PASSWORD)
    Membership.objects.create(user=owner_user, network=network_a, role=Role.OWNER)
    by_password = Client()
    by_password.force_login(owner_user, backend="django.contrib.auth.backends.ModelBackend")
    response = by_password.post("/n/alpha/sign-in/", {"password_sign_in": "no"})
    assert "Sign in with Test Identity first" in response.content.decode()
    network_a.refresh_from_db()
    assert network_a.password_sign_in

    sso.user = {"sub": "o", "email": "owner@alpha.example", "email_verified": True}
    by_sso = Client()
    sign_on(by_sso)
    response = by_sso.post("/n/alpha/sign-in/", {"password_sign_in": "no"})
    assert response.status_code == 302
    network_a.refresh_from_db()
    assert not network_a.password_sign_in


@pytest.mark.django_db
def test_only_owners_reach_the_sign_in_settings(coordinator, owner):
    assert coordinator.get("/n/alpha/sign-in/").status_code == 403
    assert owner.get("/n/alpha/sign-in/").status_code == 200


# --- lockout still applies ------------------------------------------------------------


@pytest.mark.django_db
def test_lockout_still_applies_to_passwords_with_sso_configured(settings, sso, coordinator_login):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"username": EMAIL, "password": "nope-nope-nope"})
    locked = client.post("/accounts/login/", {"username": EMAIL, "password": PASSWORD})
    assert locked.status_code == 429
    assert not signed_in(client)


def test_axes_backend_comes_first_and_sso_backend_is_listed():
    from django.conf import settings

    backends = settings.AUTHENTICATION_BACKENDS
    assert backends[0] == "axes.backends.AxesStandaloneBackend"
    assert "bridgework.accounts.sso.SingleSignOnBackend" in backends


@pytest.mark.django_db
def test_issuer_written_with_a_trailing_slash_still_matches(settings, sso, coordinator_login):
    settings.OIDC_ISSUER = sso.issuer + "/"
    client = Client()
    assert sign_on(client).status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_discovery_naming_another_issuer_is_refused(settings, sso):
    settings.OIDC_ISSUER = sso.issuer.replace("127.0.0.1", "localhost")
    response = Client().get("/accounts/sso/start/")
    assert response.status_code == 503


@pytest.mark.django_db
def test_a_switched_off_login_is_refused(sso, coordinator_login):
    coordinator_login.is_active = False
    coordinator_login.save()
    client = Client()
    _refused(sign_on(client), "inactive", "has been switched off")
    assert not signed_in(client)


@pytest.mark.django_db
def test_failed_sso_from_one_address_does_not_lock_out_others(settings, sso, coordinator_login):
    settings.AXES_FAILURE_LIMIT = 2
    sso.user["email_verified"] = False
    stranger = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(3):
        sign_on(stranger)
    sso.user["email_verified"] = True
    colleague = Client(REMOTE_ADDR="198.51.100.8")
    assert sign_on(colleague).status_code == 302
    assert signed_in(colleague)
    # The address that kept failing is paused, for single sign-on too.
    locked = sign_on(stranger)
    assert locked.status_code == 429
    assert not signed_in(stranger)

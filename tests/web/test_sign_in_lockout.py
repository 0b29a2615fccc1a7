"""Sign-in resists guessing: django-axes locks an account and an address after repeated
failures, in the database; the client address believes X-Forwarded-For only through trusted
proxies."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from bridgework.accounts.models import User
from bridgework.web.client_ip import client_ip
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def _try(client: Client, email: str, password: str, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


@pytest.fixture
def users(db):
    return [User.objects.create_user(f"user{i}@alpha.example", PASSWORD) for i in range(8)]


def test_fifty_wrong_passwords_are_not_all_answered_and_lock_the_account(users, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    statuses = [_try(client, "user0@alpha.example", f"guess-{i}").status_code for i in range(50)]
    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert statuses[4:] == [429] * 46  # the fifth failure starts the pause
    # The right password is refused while locked out, from anywhere, with an explanation.
    for address in ("127.0.0.1", "198.51.100.20"):
        response = _try(Client(), "USER0@alpha.example", PASSWORD, REMOTE_ADDR=address)
        assert response.status_code == 429
        html = response.content.decode()
        assert "Sign-in is paused for 15 minutes" in html
        assert "Traceback" not in html
        assert response["Retry-After"] == "900"
    # Another account from another address is not held up.
    response = _try(Client(), "user1@alpha.example", PASSWORD, REMOTE_ADDR="198.51.100.21")
    assert response.status_code == 302


def test_the_lockout_is_kept_in_the_database(users):
    from axes.models import AccessAttempt

    for i in range(5):
        _try(Client(), "user0@alpha.example", f"guess-{i}")
    attempt = AccessAttempt.objects.get(username="user0@alpha.example")
    assert attempt.failures_since_start == 5


def test_a_forged_forwarded_for_header_does_not_dodge_the_address_limit(users):
    # Each try names a different account and claims a different client address.
    statuses = [
        _try(
            Client(),
            f"user{i}@alpha.example",
            "wrong",
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        ).status_code
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    response = _try(
        Client(),
        "user7@alpha.example",
        PASSWORD,
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="10.0.0.99",
    )
    assert response.status_code == 429  # the address is locked, whatever the header says


def test_a_trusted_proxys_header_is_honoured(users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.1.1.1"}
    for i in range(5):
        _try(
            Client(),
            f"user{i}@alpha.example",
            "wrong",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
            **proxy,
        )
    locked = _try(
        Client(), "user7@alpha.example", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy
    )
    assert locked.status_code == 429
    # Another client behind the same proxy signs in.
    other = _try(
        Client(), "user6@alpha.example", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy
    )
    assert other.status_code == 302


def test_client_ip_believes_forwarded_for_only_through_trusted_proxies(settings):
    factory = RequestFactory()
    request = factory.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.3, 10.0.0.1"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "198.51.100.3"
    settings.TRUSTED_PROXY_COUNT = 9  # more proxies than addresses: the first one given
    assert client_ip(request) == "6.6.6.6"
    settings.TRUSTED_PROXY_COUNT = 1
    junk = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(junk) == "10.0.0.2"
    bare = factory.get("/", REMOTE_ADDR="10.0.0.2")
    assert client_ip(bare) == "10.0.0.2"

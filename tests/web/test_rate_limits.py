"""One rate limiter in the shared cache on every public personal-link page; the network
survey's colleague search and colleague pages reveal no more of the directory than needed."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgework.directory.models import Person
from bridgework.ona import selectors, services
from bridgework.ona.models import NetworkInvitation, NetworkInvitationToken
from bridgework.tokens import issue_token
from bridgework.web.ratelimit import limit_exceeded

PERSONAL_PAGES = [
    ("respond:start", {}),
    ("network_respond:start", {}),
    ("network_respond:search", {}),
    ("roles_respond:start", {}),
    ("coffee:confirm", {}),
    ("coffee:me", {}),
    ("coffee:feedback", {"match": 1}),
    ("accounts:accept_invitation", {}),
]


def test_the_default_cache_is_shared_by_every_process():
    assert django_settings.CACHES["default"]["BACKEND"] == "bridgework.web.cache.DatabaseCache"


@pytest.mark.parametrize(
    ("cache_url", "expected"),
    [
        ("redis://cache.internal:6379/1", "django.core.cache.backends.redis.RedisCache"),
        ("", "bridgework.web.cache.DatabaseCache"),
        ("memcached://nope", "CACHE_URL must be"),
    ],
)
def test_cache_url_chooses_the_shared_cache(tmp_path, cache_url, expected):
    env = {
        **os.environ,
        "CACHE_URL": cache_url,
        "BRIDGEWORK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "bridgework.server.settings",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; c = settings.CACHES['default'];"
            "print(c['BACKEND'], c.get('LOCATION'))",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert expected in result.stdout + result.stderr
    if cache_url.startswith("redis"):
        assert cache_url in result.stdout


@pytest.mark.django_db
def test_fixed_window_counts_per_scope_and_key(settings, shared_cache):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "personal-link": 3}
    assert [limit_exceeded("personal-link", "ip:a") for _ in range(4)] == [False] * 3 + [True]
    assert limit_exceeded("personal-link", "ip:b") is False
    assert limit_exceeded("colleague-search", "ip:a") is False
    with pytest.raises(KeyError, match="no rate limit configured"):
        limit_exceeded("no-such-scope", "ip:a")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), PERSONAL_PAGES)
def test_every_personal_link_page_is_rate_limited(settings, name, kwargs):
    assert settings.RATE_LIMITS["personal-link"] >= 300  # generous for a real respondent
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "personal-link": 5}
    client = Client()
    statuses = []
    for i in range(6):
        path = reverse(name, kwargs={"token": f"guess-{i}-" + "x" * 30, **kwargs})
        # A forged X-Forwarded-For does not make a new client when no proxy is trusted.
        statuses.append(client.get(path, HTTP_X_FORWARDED_FOR=f"10.9.9.{i}").status_code)
    assert 429 not in statuses[:5]
    assert statuses[5] == 429
    response = client.get(reverse(name, kwargs={"token": "y" * 40, **kwargs}))
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    html = response.content.decode()
    assert "too many requests" in html
    assert "Traceback" not in html
    # Another address is not held up.
    other = Client(REMOTE_ADDR="198.51.100.40").get(
        reverse(name, kwargs={"token": "z" * 40, **kwargs})
    )
    assert other.status_code != 429


@pytest.mark.django_db
def test_sign_up_pages_are_rate_limited(settings, network_a):
    from bridgework.programmes import services as programme_services

    programme = programme_services.programme_create(network=network_a, name="Open coffee")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "personal-link": 2}
    client = Client()
    assert client.get(f"/c/join/{programme.signup_code}/").status_code == 200
    assert client.get(f"/c/join/{programme.signup_code}/privacy/").status_code == 200
    assert client.get(f"/c/join/{programme.signup_code}/").status_code == 429


@pytest.fixture
def directory_and_link(network_a):
    """Forty people in the directory and one respondent's valid network survey link."""
    org = network_a.organisations.first()
    for i in range(38):
        Person.objects.create(
            network=network_a,
            name=f"Person Number{i:02d}",
            email=f"n{i}@a.example",
            organisation=org,
        )
    now = timezone.now()
    wave = services.network_wave_create(
        network=network_a,
        name="Map",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(5),
    )
    me = Person.objects.get(email="staff@alpha.example")
    invitation = NetworkInvitation.objects.create(network=network_a, wave=wave, person=me)
    token = issue_token()
    NetworkInvitationToken.objects.create(invitation=invitation, digest=token.digest)
    return network_a, invitation, f"/m/{token.plain}/"


def _names_on(html: str, people) -> set[str]:
    return {p.name for p in people if p.name in html}


def test_walking_person_ids_with_a_valid_link_names_no_one(directory_and_link):
    network, invitation, link = directory_and_link
    people = list(Person.objects.filter(network=network))
    assert len(people) == 40
    # Every id around the directory's (ids are not reset between tests on PostgreSQL).
    ids = range(max(1, min(p.pk for p in people) - 5), max(p.pk for p in people) + 5)
    revealed = set()
    for pk in ids:
        for ref in (str(pk), f"{pk}.", f"{pk}.forged-signature"):
            response = Client().get(f"{link}colleague/{ref}/", follow=True)
            revealed |= _names_on(response.content.decode(), people)
    assert revealed == set()
    # Another invitation's reference does not open the page either.
    other = selectors.colleague_ref(
        NetworkInvitation(pk=invitation.pk + 1, network=network), people[0].pk
    )
    assert (
        _names_on(Client().get(f"{link}colleague/{other}/", follow=True).content.decode(), people)
        == set()
    )


def test_only_colleagues_found_by_search_or_chosen_can_be_opened(directory_and_link):
    network, _invitation, link = directory_and_link
    results = Client().get(f"{link}search/?q=Number07").json()["results"]
    assert [r["name"] for r in results] == ["Person Number07"]
    page = Client().get(f"{link}colleague/{results[0]['id']}/")
    assert page.status_code == 200
    assert "Working with Person Number07" in page.content.decode()
    answers = {"works_with": "4", "trust": "4", "energy": "4"}
    assert Client().post(f"{link}colleague/{results[0]['id']}/", answers).status_code == 302
    start = Client().get(link).content.decode()
    assert "Person Number07" in start  # chosen: linked from the start page
    people = Person.objects.filter(network=network).exclude(name="Person Number07")
    assert _names_on(start, people) == set()


def test_colleague_search_needs_three_letters_and_returns_a_bounded_list(directory_and_link):
    _network, _invitation, link = directory_and_link
    assert selectors.SEARCH_MIN_CHARS == 3
    assert Client().get(f"{link}search/?q=Pe").json()["results"] == []
    assert Client().get(f"{link}?q=Pe").content.decode().count("Person Number") == 0
    results = Client().get(f"{link}search/?q=Per").json()["results"]
    assert len(results) == selectors.SEARCH_LIMIT == 10


def test_colleague_search_is_limited_per_link_and_per_address(
    directory_and_link, settings, shared_cache
):
    network, _invitation, link = directory_and_link
    assert settings.RATE_LIMITS["colleague-search"] <= 60
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "colleague-search": 4}
    statuses = [
        Client(REMOTE_ADDR=f"198.51.100.{i}").get(f"{link}search/?q=Number").status_code
        for i in range(5)
    ]
    assert statuses == [200] * 4 + [429]  # one link from many addresses
    # The form-based search shares the limit and says so.
    page = Client(REMOTE_ADDR="198.51.100.99").get(f"{link}?q=Number")
    assert page.status_code == 429
    # Many links from one address.
    now = timezone.now()
    wave = services.network_wave_create(
        network=network, name="Two", opens_at=now - timedelta(days=1), closes_at=now + timedelta(5)
    )
    statuses = []
    for person in Person.objects.filter(network=network)[:5]:
        invitation = NetworkInvitation.objects.create(network=network, wave=wave, person=person)
        token = issue_token()
        NetworkInvitationToken.objects.create(invitation=invitation, digest=token.digest)
        response = Client(REMOTE_ADDR="203.0.113.50").get(f"/m/{token.plain}/search/?q=Number")
        statuses.append(response.status_code)
    assert statuses == [200] * 4 + [429]

"""The shared cache on each backend (the database table and Redis): rate-limit counters that
last their window, analyses and pictures kept and read back, and what happens when Redis is
down or hangs (rate limits let requests through, figures are computed, the log says so)."""

from __future__ import annotations

import datetime
import hashlib
import logging
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from bridgework.charts import render
from bridgework.server.cache_config import caches
from bridgework.web import cache as shared
from bridgework.web import ratelimit
from bridgework.web.ratelimit import RATE_WINDOW_SECONDS, limit_exceeded
from tests.chart_svg import page_svgs
from tests.factories import ONE_QUIET_AGENCY, make_network_wave
from tests.processes import free_port


def _counter_key(scope: str, key: str) -> str:
    window = int(time.time() // RATE_WINDOW_SECONDS)
    return f"ratelimit:{scope}:{window}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def _seconds_left(request, shared_cache: str, key: str) -> float:
    """How long the cache will keep ``key``, read from the backend itself."""
    if shared_cache == "redis":
        return request.getfixturevalue("redis_cache").pttl(cache.make_key(key)) / 1000
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT expires FROM bridgework_cache WHERE cache_key = %s", [cache.make_key(key)]
        )
        (expires,) = cursor.fetchone()
    if timezone.is_naive(expires):  # SQLite's column comes back without its zone
        expires = expires.replace(tzinfo=datetime.UTC)
    return (expires - timezone.now()).total_seconds()


@pytest.mark.django_db
def test_a_window_is_counted_and_kept_for_the_whole_window(request, shared_cache):
    answers = [limit_exceeded("personal-link", "ip:c", allowance=3) for _ in range(5)]
    assert answers == [False] * 3 + [True] * 2
    key = _counter_key("personal-link", "ip:c")
    assert cache.get(key) == 5
    # Not the cache's default five minutes: a client cannot wait its count away.
    assert (
        RATE_WINDOW_SECONDS < _seconds_left(request, shared_cache, key) <= RATE_WINDOW_SECONDS + 60
    )
    assert limit_exceeded("personal-link", "ip:d", allowance=3) is False


def test_requests_that_all_find_no_window_on_redis_count_exactly(redis_cache, monkeypatch):
    # Every request finds no counter (each ``incr`` raises ValueError) before any starts one:
    # one ``add`` wins, the others count in its window, and none is lost. (The database
    # cache's threads would share the test's SQLite connection: its processes race in
    # test_rate_limit_races.py.)
    threads = 6
    everyone_missed = threading.Barrier(threads, timeout=20)
    local = threading.local()
    real = ratelimit.cache

    class Together:
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(real, name)

        def incr(self, key, delta=1):  # type: ignore[no-untyped-def]
            try:
                return real.incr(key, delta)
            except ValueError:
                if not getattr(local, "missed", False):
                    local.missed = True
                    everyone_missed.wait()
                raise

    monkeypatch.setattr(ratelimit, "cache", Together())

    with ThreadPoolExecutor(threads) as pool:
        answers = list(
            pool.map(lambda _: limit_exceeded("personal-link", "ip:t", allowance=4), range(threads))
        )
    assert sorted(answers) == [False] * 4 + [True] * 2
    assert cache.get(_counter_key("personal-link", "ip:t")) == threads


@pytest.mark.django_db
def test_a_counter_that_lost_its_expiry_gets_it_back(redis_cache):
    # Redis's INCR of a key that expired between Django's check and the increment makes a
    # key without an expiry: the next count gives it the window's.
    key = _counter_key("personal-link", "ip:e")
    redis_cache.set(cache.make_key(key), 2)
    assert redis_cache.ttl(cache.make_key(key)) == -1
    assert limit_exceeded("personal-link", "ip:e", allowance=3) is False
    assert limit_exceeded("personal-link", "ip:e", allowance=3) is True
    assert int(redis_cache.get(cache.make_key(key))) == 4
    assert RATE_WINDOW_SECONDS < redis_cache.ttl(cache.make_key(key)) <= RATE_WINDOW_SECONDS + 60


@pytest.mark.django_db
def test_no_token_or_address_is_in_the_keys_redis_holds(redis_cache, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "personal-link": 50}
    token = "secret-token-" + "q" * 30
    Client(REMOTE_ADDR="198.51.100.7").get(reverse("respond:start", kwargs={"token": token}))
    keys = [k.decode() for k in redis_cache.keys("*")]
    assert len(keys) == 1
    assert keys[0].startswith(":1:ratelimit:personal-link:")
    assert token not in keys[0]
    assert "198.51.100.7" not in keys[0]


def _pictures(html: str) -> dict[str, bytes]:
    return {name: ET.tostring(svg) for name, svg in page_svgs(html).items()}


@pytest.mark.django_db
def test_analyses_and_pictures_are_read_back_from_redis(redis_cache, analyst, network_a):
    wave = make_network_wave(network_a, silent=ONE_QUIET_AGENCY)
    url = f"/n/alpha/networks/waves/{wave.pk}/map/"
    first = analyst.get(url).content.decode()
    kept = sorted(k.decode() for k in redis_cache.keys("*"))
    assert any(":networks:analysis:" in k for k in kept), kept
    assert any(":charts:svg:" in k for k in kept), kept
    expiries = {k: redis_cache.pexpiretime(k) for k in kept}
    again = analyst.get(url).content.decode()
    assert _pictures(again) == _pictures(first)
    # Read, not written again: the same keys, none renewed.
    assert sorted(k.decode() for k in redis_cache.keys("*")) == kept
    assert {k: redis_cache.pexpiretime(k) for k in kept} == expiries


def test_createcachetable_leaves_redis_alone(redis_cache, db):
    redis_cache.set("someone-else", "1")
    call_command("createcachetable", verbosity=0)
    assert redis_cache.get("someone-else") == b"1"


# Redis away.


@pytest.fixture
def redis_down() -> Iterator[str]:
    """The shared cache configured on Redis at a port where nothing listens."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(CACHES=caches(url)):
        yield url


@pytest.fixture
def redis_hanging() -> Iterator[list[socket.socket]]:
    """The shared cache on a 'Redis' that accepts connections and never answers; yields the
    connections it accepted."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    port = listener.getsockname()[1]
    with override_settings(CACHES=caches(f"redis://127.0.0.1:{port}/0")):
        yield accepted
    listener.close()
    for connection in accepted:
        connection.close()


@pytest.mark.django_db
def test_with_redis_down_rate_limits_let_requests_through_and_say_so(redis_down, settings, caplog):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "personal-link": 1}
    client = Client()
    statuses = []
    with caplog.at_level(logging.WARNING, logger="bridgework.web.cache"):
        for i in range(3):
            response = client.get(reverse("respond:start", kwargs={"token": f"t{i}" + "x" * 38}))
            statuses.append(response.status_code)
            assert "Traceback" not in response.content.decode()
    assert 429 not in statuses
    assert 500 not in statuses
    warnings = [r.getMessage() for r in caplog.records]
    assert any(
        "shared cache cannot be reached" in m and "personal-link rate limit" in m for m in warnings
    ), warnings
    # Once told, the process leaves the cache alone for a while: one warning, not one a request.
    assert len(warnings) == 1


@pytest.mark.django_db
def test_with_redis_down_the_map_is_computed_and_shown(redis_down, analyst, network_a, caplog):
    wave = make_network_wave(network_a, silent=ONE_QUIET_AGENCY)
    with caplog.at_level(logging.WARNING, logger="bridgework.web.cache"):
        response = analyst.get(f"/n/alpha/networks/waves/{wave.pk}/map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Organisations (table of the map)" in html
    assert {"chart-ona-ei-index", "chart-ona-ties"} <= set(page_svgs(html))
    assert any("shared cache cannot be reached" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_with_redis_down_a_large_networks_map_is_computed_not_sent_to_a_job(
    redis_down, coordinator, network_a, settings
):
    """A job could not keep what it computes in a cache that cannot be reached, so the page
    would send the coordinator round the job forever: it computes the map instead."""
    from bridgework.jobs.models import Job

    settings.ANALYSIS_INLINE_PEOPLE = 10  # the wave's 24 people make a large network
    wave = make_network_wave(network_a)
    response = coordinator.get(f"/n/alpha/networks/waves/{wave.pk}/map/")
    assert response.status_code == 200
    assert "Organisations (table of the map)" in response.content.decode()
    assert not Job.objects.filter(network=network_a).exists()


def test_with_redis_down_each_value_is_computed_and_nothing_kept(redis_down, monkeypatch):
    calls: list[int] = []
    assert shared.cached("networks:x", lambda: calls.append(1) or "value", timeout=60) == "value"
    # Past the pause, the cache is tried (and fails) again: still computed, never an error.
    monkeypatch.setattr(shared, "_retry_at", 0.0)
    assert shared.cached("networks:x", lambda: calls.append(1) or "value", timeout=60) == "value"
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_hanging_redis_costs_one_timeout_then_is_left_alone(redis_hanging, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "personal-link": 1}
    calls: list[int] = []
    started = time.monotonic()
    assert limit_exceeded("personal-link", "ip:h") is False
    first = time.monotonic() - started
    assert 0.9 <= first < 3  # the configured socket timeout (1 s), not redis-py's 5 s
    started = time.monotonic()
    for _ in range(5):
        assert limit_exceeded("personal-link", "ip:h") is False
    assert shared.cached("networks:y", lambda: calls.append(1) or 7, timeout=60) == 7
    assert time.monotonic() - started < 0.5  # no more timeouts
    spec = {"data": {"values": [{"a": 1}]}, "mark": "bar", "encoding": {}}
    svg = render.render_svg(spec, chart_id="hang", title="t", description="d")
    assert svg.startswith("<svg")
    assert len(redis_hanging) == 1  # one connection tried, then the cache left alone
    assert calls == [1]


@pytest.mark.django_db
def test_counting_starts_again_when_redis_is_back(redis_cache, monkeypatch):
    monkeypatch.setattr(shared, "_retry_at", time.monotonic() + 60)  # just failed
    assert limit_exceeded("personal-link", "ip:b", allowance=1) is False
    assert redis_cache.keys("*") == []  # not counted while away
    monkeypatch.setattr(shared, "_retry_at", 0.0)  # the pause is over
    assert [limit_exceeded("personal-link", "ip:b", allowance=1) for _ in range(2)] == [False, True]

"""The rate limiter counts every request exactly when many processes start a window, and
count in it, at the same instant (the first ``add`` and the ``incr``s), on each shared cache:
the database's (on PostgreSQL with ``DATABASE_URL``, otherwise over one SQLite file) and
Redis (a server of the test's own; its ``incr`` checks that the key exists, then ``INCR``s)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.processes import process_env, throwaway_database

pytestmark = pytest.mark.slow

PROCESSES = 6
REQUESTS = 5
ALLOWANCE = 12
#: Fresh keys, each one started by every process at once: as many chances for a race.
KEYS = 8
#: Seconds between two keys' starts.
GAP = 0.3

HAMMER = r"""
import json, sys, time, django
django.setup()
from bridgework.web.ratelimit import limit_exceeded
from django.core.cache import cache
start, keys, gap, rounds, allowance, prefix = sys.argv[1:]
start, gap, rounds, allowance = float(start), float(gap), int(rounds), int(allowance)
cache.get("warm-up")  # connected before the start
results = []
for i in range(int(keys)):
    at = start + i * gap
    while time.time() < at - 0.003:
        time.sleep(0.0005)
    while time.time() < at:  # the last moments spun, so every process leaves together
        pass
    results.append([limit_exceeded("race", f"{prefix}:{i}", allowance=allowance)
                    for _ in range(rounds)])
print(json.dumps(results))
"""

SETUP = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('createcachetable', verbosity=0)"
)

COUNTS = r"""
import django, hashlib, json, sys, time
django.setup()
from django.core.cache import cache
from bridgework.web.ratelimit import RATE_WINDOW_SECONDS
window = int(time.time() // RATE_WINDOW_SECONDS)
prefix, keys = sys.argv[1], int(sys.argv[2])
digests = [hashlib.sha256(f"{prefix}:{i}".encode()).hexdigest()[:32] for i in range(keys)]
print(json.dumps([cache.get(f"ratelimit:race:{window}:{d}") for d in digests]))
"""


def _python(env: dict[str, str], script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _output(process: subprocess.Popen) -> object:
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(params=["database", "redis"])
def cache_env(request) -> dict[str, str]:
    """The processes' cache: the database's (the default) or the test's Redis, emptied."""
    if request.param == "database":
        return {}
    import redis

    url = request.getfixturevalue("redis_url")
    redis.Redis.from_url(url).flushdb()
    return {"CACHE_URL": url}


def test_processes_starting_a_window_together_let_through_exactly_the_allowance(
    tmp_path, cache_env
):
    env = process_env(BRIDGEWORK_DATA_DIR=str(tmp_path), **cache_env)
    with throwaway_database(env, "ratelimit", tmp_path / "bridgework.sqlite3"):
        setup = subprocess.run(
            [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, timeout=120
        )
        assert setup.returncode == 0, setup.stderr[-2000:]
        prefix = f"client-{time.time()}"
        start = time.time() + 5  # every process connected by then
        workers = [
            _python(
                env, HAMMER, str(start), str(KEYS), str(GAP), str(REQUESTS), str(ALLOWANCE), prefix
            )
            for _ in range(PROCESSES)
        ]
        per_process = [_output(worker) for worker in workers]
        for i in range(KEYS):
            answers = [answer for results in per_process for answer in results[i]]
            assert len(answers) == PROCESSES * REQUESTS
            assert answers.count(False) == ALLOWANCE, (i, answers)
        assert _output(_python(env, COUNTS, prefix, str(KEYS))) == [PROCESSES * REQUESTS] * KEYS

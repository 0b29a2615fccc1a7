"""200 submissions from parallel clients are each stored exactly once.

This runs the app as it runs in production: a separate gunicorn server (2 processes × 8
threads) over a file database (SQLite in WAL mode with IMMEDIATE transactions, or PostgreSQL
when ``DATABASE_URL`` is set), and 200 HTTP clients in threads, each with its own cookies and
CSRF token. Every (invitation, screen) is submitted twice at the same moment, as a double
click would.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.processes import free_port, throwaway_database

SETUP = r"""
import json, django
django.setup()
from datetime import timedelta
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from bridgework.directory.models import Network, Person, Workgroup
from bridgework.surveys import services
from bridgework.surveys.models import Invitation, InvitationToken
from bridgework.tokens import issue_token
network = Network.objects.create(name="Load", slug="load")
groups = [Workgroup.objects.create(network=network, name=f"G{i}") for i in range(2)]
for g in groups:
    for i in range(25):
        Person.objects.create(
            network=network, name=f"{g.name} {i}", email=f"{g.name}{i}@x.example", workgroup=g
        )
process = services.work_process_create(network=network, name="P", workgroups=groups)
now = timezone.now()
wave = services.wave_create(process=process, name="W", opens_at=now - timedelta(days=1),
    closes_at=now + timedelta(days=1), respondent_workgroups=groups)
tokens = {}
for person in Person.objects.order_by("pk"):
    inv = Invitation.objects.create(
        network=network, wave=wave, person=person, workgroup=person.workgroup
    )
    token = issue_token()
    InvitationToken.objects.create(invitation=inv, digest=token.digest)
    tokens[inv.pk] = token.plain
print(json.dumps(tokens))
"""

CHECK = r"""
import json, django
django.setup()
from bridgework.surveys.models import Response
print(json.dumps([
    [r.invitation_id, r.target, r.frequent, r.mutual_respect]
    for r in Response.objects.order_by("invitation_id", "target")
]))
"""

DIMENSIONS = (
    "frequent",
    "timely",
    "accurate",
    "problem_solving",
    "shared_goals",
    "shared_knowledge",
    "mutual_respect",
)


@pytest.fixture
def server(tmp_path: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bridgework.server.settings",
        "BRIDGEWORK_DATA_DIR": str(tmp_path),
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "LOG_LEVEL": "WARNING",
        # 400 requests from one address: this test is about concurrency, not rate limits.
        "BRIDGEWORK_RATE_LIMIT_LINKS": "0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    with throwaway_database(env, "concurrency", tmp_path / "bridgework.sqlite3"):
        yield from _serve(env)


def _serve(env: dict[str, str]):
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, check=True
    )
    tokens = {int(k): v for k, v in json.loads(setup.stdout.strip().splitlines()[-1]).items()}
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bridgework.server.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "8",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=10)
            break
        except OSError:  # refused while starting, or slow on a busy machine
            if time.monotonic() > deadline or process.poll() is not None:
                process.terminate()
                raise
            time.sleep(0.2)
    try:
        yield base, tokens, env
    finally:
        process.terminate()
        process.wait(timeout=10)


def _client_submit(base: str, token: str, step: int, score: int, barrier: threading.Barrier):
    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    url = f"{base}/s/{token}/{step}/"
    page = opener.open(url, timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, **{key: str(score) for key in DIMENSIONS}}
    ).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=10)
    try:
        return opener.open(request, timeout=60).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_two_hundred_parallel_submissions_are_each_stored_exactly_once(server):
    base, tokens, env = server
    jobs = [(token, step, pk) for pk, token in tokens.items() for step in (1, 2)] * 2
    assert len(jobs) == 200
    barrier = threading.Barrier(32)
    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(
            pool.map(
                lambda job: _client_submit(
                    base, job[0], job[1], 1 + (job[2] + job[1]) % 5, barrier
                ),
                jobs,
            )
        )
    assert statuses == [302] * 200
    check = subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, check=True
    )
    rows = json.loads(check.stdout.strip().splitlines()[-1])
    assert len(rows) == 100
    seen = {(pk, target) for pk, target, _, _ in rows}
    assert len(seen) == 100
    by_invitation: dict[int, list] = {}
    for pk, target, frequent, respect in rows:
        by_invitation.setdefault(pk, []).append((int(target.split(":")[1]), frequent, respect))
    assert set(by_invitation) == set(tokens)
    for pk, answers in by_invitation.items():
        for step, (_, frequent, respect) in enumerate(sorted(answers), start=1):
            assert frequent == respect == 1 + (pk + step) % 5

"""Load test: 1,000 respondents answer an RC wave through their personal links at once.

The app runs as in production: ``bridgework serve --production`` (gunicorn) on a loopback
port over PostgreSQL. The wave and its 1,000 invitations are made with the app's own services
(the invitations job writes each person's email, link and all, into the outbox, where the
links are read back). Then 1,000 respondents, ``BENCH_LOAD_CONCURRENCY`` (32) at a time, each
with their own cookies and CSRF token as a browser behind an HTTPS proxy would: open the first
question page, submit an answer about each of the two workgroups, and send the survey.

Reported: p50 and p95 latency of the answer submissions and of whole respondents; baseline,
the same number of requests of the health check (``/healthz/``: one ``SELECT 1``) at the same
concurrency, and the ratio. Then the database is checked: exactly one response per
(respondent, workgroup), equal to what was sent, and every respondent marked complete — 0
lost, 0 duplicated — or the benchmark fails.

Needs ``DATABASE_URL`` naming PostgreSQL (a role that may create databases: the benchmark
works in a scratch database beside it, dropped afterwards). Without it, it says so and exits 0.
``BENCH_LOAD_RESPONDENTS`` changes the 1,000. Run: ``python benchmarks/bench_load.py``.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESPONDENTS = int(os.environ.get("BENCH_LOAD_RESPONDENTS", "1000"))
CONCURRENCY = int(os.environ.get("BENCH_LOAD_CONCURRENCY", "32"))
DIMENSIONS = (
    "frequent",
    "timely",
    "accurate",
    "problem_solving",
    "shared_goals",
    "shared_knowledge",
    "mutual_respect",
)


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _scratch_database(url: str) -> tuple[str, object]:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/')}_load_{os.getpid()}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), (admin, name)


def _setup(n: int) -> tuple[list[str], list[int]]:
    """The wave, its invitations sent by the app's job, and the personal links from the
    outbox. Returns the tokens and the two workgroups' ids."""
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from bridgework.directory.models import Network, Person, Workgroup
    from bridgework.jobs.models import Job
    from bridgework.jobs.services import job_run, job_start
    from bridgework.mail.models import OutboxMessage
    from bridgework.surveys import services

    call_command("migrate", "--no-input", "-v", "0")
    network = Network.objects.create(name="Load", slug="load")
    groups = [Workgroup.objects.create(network=network, name=f"Team {g}") for g in (1, 2)]
    Person.objects.bulk_create(
        [
            Person(
                network=network,
                name=f"Person {i}",
                email=f"p{i}@load.example",
                workgroup=groups[i % 2],
            )
            for i in range(n)
        ]
    )
    process = services.work_process_create(network=network, name="Discharge", workgroups=groups)
    now = timezone.now()
    wave = services.wave_create(
        process=process,
        name="Spring",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        respondent_workgroups=groups,
    )
    with transaction.atomic():
        job = job_start(network=network, kind="rc-invitations", target=wave)
    job = job_run(job_id=job.pk)
    assert job.status == Job.Status.DONE, job.error
    link = re.compile(r"/s/([A-Za-z0-9_-]{20,})/")
    tokens = sorted(
        {
            link.search(body).group(1)
            for body in OutboxMessage.objects.filter(network=network).values_list(
                "text_body", flat=True
            )
        }
    )
    assert len(tokens) == n, len(tokens)
    return tokens, [g.pk for g in groups]


class _Client:
    """One browser behind an HTTPS proxy: its own cookies (secure ones too), the forwarded
    scheme, a Referer on posts, no redirects followed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": self.host, "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{self.host}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(raw).items():
                    self.cookies[name] = morsel.value
            return response.status, text
        finally:
            connection.close()


def _score(respondent: int, step: int, dimension: int) -> int:
    return 1 + (respondent * 7 + step * 3 + dimension) % 5


def _respond(port: int, index: int, token: str) -> tuple[list[float], float]:
    """One respondent's visit; returns the latency of each answer submitted and the total."""
    began = time.perf_counter()
    client = _Client(port)
    status, page = client.request("GET", f"/s/{token}/1/")
    assert status == 200, status
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    latencies = []
    for step in (1, 2):
        answers = {key: str(_score(index, step, d)) for d, key in enumerate(DIMENSIONS)}
        start = time.perf_counter()
        status, _ = client.request(
            "POST", f"/s/{token}/{step}/", {"csrfmiddlewaretoken": csrf, **answers}
        )
        latencies.append(time.perf_counter() - start)
        assert status == 302, status
    status, _ = client.request("POST", f"/s/{token}/done/", {"csrfmiddlewaretoken": csrf})
    assert status == 302, status
    return latencies, time.perf_counter() - began


def _health(port: int) -> float:
    start = time.perf_counter()
    status, _ = _Client(port).request("GET", "/healthz/")
    assert status == 200, status
    return time.perf_counter() - start


def _percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94]


def _check(tokens: list[str], groups: list[int]) -> tuple[int, int, int]:
    """Responses stored, how many differ from what was sent or are missing, duplicates."""
    from bridgework.surveys.models import Invitation, InvitationToken, Response
    from bridgework.tokens import token_digest

    by_digest = dict(InvitationToken.objects.values_list("digest", "invitation_id"))
    index_of = {by_digest[token_digest(t)]: i for i, t in enumerate(tokens)}
    rows = list(Response.objects.values_list("invitation_id", "target", *DIMENSIONS))
    seen = [(pk, target) for pk, target, *_ in rows]
    duplicated = len(seen) - len(set(seen))
    expected = {
        (pk, f"wg:{group}"): tuple(_score(i, step, d) for d in range(len(DIMENSIONS)))
        for pk, i in index_of.items()
        for step, group in ((1, groups[0]), (2, groups[1]))
    }
    stored = {(pk, target): tuple(scores) for pk, target, *scores in rows}
    wrong_or_lost = sum(1 for key, want in expected.items() if stored.get(key) != want)
    incomplete = Invitation.objects.filter(completed_at__isnull=True).count()
    assert incomplete == 0, f"{incomplete} respondents not marked complete"
    return len(rows), wrong_or_lost, duplicated


def main() -> int:
    url = _postgres_url()
    if url is None:
        print(
            "bench_load: skipped, it needs PostgreSQL. Run it with\n"
            "  DATABASE_URL=postgres://user:password@127.0.0.1:5432/db "
            "python benchmarks/bench_load.py\n"
            "(a role that may create databases: it works in a scratch database beside it)."
        )
        return 0
    data_dir = tempfile.mkdtemp(prefix="bridgework-load-")
    scratch, (admin, name) = _scratch_database(url)
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"EMAIL_URL", "EMAIL_HOST"}},
        "DATABASE_URL": scratch,
        "DJANGO_SETTINGS_MODULE": "bridgework.server.settings",
        "BRIDGEWORK_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BRIDGEWORK_DATA_DIR": data_dir,
        "LOG_LEVEL": "WARNING",
        # Every respondent comes from 127.0.0.1 here: the per-address brake would stop them.
        "BRIDGEWORK_RATE_LIMIT_LINKS": "0",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    server = None
    try:
        began = time.perf_counter()
        tokens, groups = _setup(RESPONDENTS)
        took = time.perf_counter() - began
        print(f"set-up: {RESPONDENTS:,} invitations by the app's job in {took:.1f}s")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = open(Path(data_dir) / "server.log", "wb")  # noqa: SIM115
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bridgework",
                "serve",
                "--production",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "3",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                _health(port)
                break
            except (OSError, AssertionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start: see " + log.name) from None
                time.sleep(0.3)

        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            start = time.perf_counter()
            visits = list(pool.map(lambda it: _respond(port, *it), enumerate(tokens)))
            ours_wall = time.perf_counter() - start
            submissions = [lat for latencies, _ in visits for lat in latencies]
            start = time.perf_counter()
            baseline = list(pool.map(lambda _: _health(port), range(len(submissions))))
            base_wall = time.perf_counter() - start
        stored, wrong_or_lost, duplicated = _check(tokens, groups)

        p50, p95 = _percentiles(submissions)
        b50, b95 = _percentiles(baseline)
        v50, v95 = _percentiles([total for _, total in visits])
        print(
            f"{RESPONDENTS:,} respondents, {CONCURRENCY} at a time, on PostgreSQL, "
            "serve --production (3 gunicorn workers)"
        )
        print(f"{'requests':<40}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'per s':>8}")
        print(
            f"{'answer submissions (POST)':<40}{len(submissions):>7,}{p50 * 1000:>9.0f}"
            f"{p95 * 1000:>9.0f}{len(submissions) / ours_wall:>8.0f}"
        )
        whole = "whole respondent (4 requests)"
        print(f"{whole:<40}{len(visits):>7,}{v50 * 1000:>9.0f}{v95 * 1000:>9.0f}")
        print(
            f"{'baseline: GET /healthz/ (SELECT 1)':<40}{len(baseline):>7,}{b50 * 1000:>9.0f}"
            f"{b95 * 1000:>9.0f}{len(baseline) / base_wall:>8.0f}"
        )
        print(f"ratio (submission / baseline): p50 {p50 / b50:.1f}×, p95 {p95 / b95:.1f}×")
        expected = RESPONDENTS * 2
        print(
            f"answers: {stored:,} stored of {expected:,} sent; "
            f"{wrong_or_lost} lost or different, {duplicated} duplicated"
        )
        if (stored, wrong_or_lost, duplicated) != (expected, 0, 0):
            print("FAILED: answers were lost or stored twice", file=sys.stderr)
            return 1
        return 0
    finally:
        if server is not None:
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(server.pid, signal.SIGKILL)
        from django.db import connections

        connections.close_all()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    raise SystemExit(main())

"""Two web servers and two workers share one database, as a deployment on several machines
does (docs/deployment.md).

Real processes: ``bridgework serve --production`` on two loopback ports (gunicorn, production
settings from the environment) and two ``bridgework worker``, over PostgreSQL when
``DATABASE_URL`` names it (a scratch database beside it), otherwise over one SQLite file they
all open (WAL, IMMEDIATE transactions: the embedded default's single-machine shape, which must
be just as consistent between processes). Mail goes by SMTP to a sink in this test.

One test, in the order a lockout allows: a sign-in made through A is a session on B; results
published by closing the wave through A are what B shows; a network map's analysis and
pictures kept in the shared cache by A are read by B, and a change (a new release of answers)
is seen by both; a job of invitations started through A survives the worker running it being
killed, with every email in the outbox and delivered exactly once; the personal-link rate
limit and the sign-in lockout count requests to both servers together.

It runs with each shared cache: the database's (the default) and, on PostgreSQL, Redis
(``CACHE_URL`` on a ``redis-server`` of the test's own). Redis is what several machines
would share, with PostgreSQL; on SQLite, the one-machine shape, the database cache is the
whole story, and the scenario (about a minute of two busy cores) is not run a third time.
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.processes import (
    Browser,
    Processes,
    SMTPSink,
    as_json,
    bridgework,
    free_port,
    is_postgres,
    process_env,
    sql,
    throwaway_database,
    wait_until_serving,
)

pytestmark = pytest.mark.slow

#: Invitations the job sends, and people per committed batch: enough batches to kill the
#: worker between the first and the last.
INVITEES = 400
BATCH = 5
PASSWORD = "a-long-deployment-password"
LINK_LIMIT = 12

SETUP = r"""
import json, sys, django
django.setup()
from datetime import timedelta
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from bridgework.accounts.models import User
from bridgework.directory.models import Membership, Network, Person, Role, Workgroup
from bridgework.surveys import services
from bridgework.surveys.models import Invitation, InvitationToken, Response
from bridgework.tokens import issue_token

invitees, password = int(sys.argv[1]), sys.argv[2]
network = Network.objects.create(name="Shire", slug="shire")
user = User.objects.create_user("coord@shire.example", password)
Membership.objects.create(user=user, network=network, role=Role.COORDINATOR)
User.objects.create_user("guessed@shire.example", password)
now = timezone.now()

# A wave with answers from four people in each of two groups, to close and publish.
groups = [Workgroup.objects.create(network=network, name=f"Team {i}") for i in range(2)]
process = services.work_process_create(network=network, name="Discharge", workgroups=groups)
answered = services.wave_create(
    process=process, name="Autumn", opens_at=now - timedelta(days=3),
    closes_at=now + timedelta(days=3), respondent_workgroups=groups, min_group_size=3,
)
token = None
for g, group in enumerate(groups):
    for i in range(4):
        person = Person.objects.create(
            network=network, name=f"{group.name} {i}", email=f"t{g}p{i}@shire.example",
            workgroup=group,
        )
        invitation = Invitation.objects.create(
            network=network, wave=answered, person=person, workgroup=group, completed_at=now
        )
        issued = issue_token()
        InvitationToken.objects.create(invitation=invitation, digest=issued.digest)
        token = issued.plain
        for target in groups:
            score = 1 + (g + i + target.pk) % 5
            Response.objects.create(
                invitation=invitation, target=f"wg:{target.pk}",
                **{key: score for key in (
                    "frequent", "timely", "accurate", "problem_solving", "shared_goals",
                    "shared_knowledge", "mutual_respect",
                )},
            )

# A wave of nurses to invite.
nurses = Workgroup.objects.create(network=network, name="Nurses")
Person.objects.bulk_create([
    Person(network=network, name=f"Nurse {i}", email=f"nurse{i}@shire.example", workgroup=nurses)
    for i in range(invitees)
])
ward = services.work_process_create(network=network, name="Ward rounds", workgroups=[nurses])
to_invite = services.wave_create(
    process=ward, name="Winter", opens_at=now - timedelta(hours=1),
    closes_at=now + timedelta(days=7), respondent_workgroups=[nurses],
)
# A closed network wave over three organisations of five, all answered: its map is cached.
from bridgework.directory.models import Organisation
from bridgework.ona.models import NetworkInvitation, Nomination
from bridgework.ona.services import network_wave_create
orgs = [Organisation.objects.create(network=network, name=f"Agency {i}") for i in range(3)]
mapped = network_wave_create(
    network=network, name="Map", opens_at=now - timedelta(days=9),
    closes_at=now - timedelta(days=1), organisations=orgs, min_group_size=3,
)
staff = [
    Person.objects.create(
        network=network, name=f"Staff {o}.{i}", email=f"s{o}p{i}@shire.example", organisation=org
    )
    for o, org in enumerate(orgs) for i in range(5)
]
for n, person in enumerate(staff):
    NetworkInvitation.objects.create(
        network=network, wave=mapped, person=person, started_at=now - timedelta(days=3),
        completed_at=now - timedelta(days=3), consent_named=True,
    )
    for alter in (staff[(n + 1) % len(staff)], staff[(n + 5) % len(staff)]):
        Nomination.objects.create(
            network=network, wave=mapped, ego=person, alter=alter, relation="works_with",
            weight=4,
        )
print(json.dumps({
    "answered": answered.pk, "to_invite": to_invite.pk, "token": token, "mapped": mapped.pk,
}))
"""

#: Five more people of the first organisation answer the network wave, each naming everyone
#: in it: enough new respondents for a new release, and ties the map shows.
MORE_ANSWERS = r"""
import json, sys, django
django.setup()
from django.utils import timezone
from bridgework.directory.models import Person
from bridgework.ona.models import NetworkInvitation, NetworkWave, Nomination
wave = NetworkWave.objects.get(pk=int(sys.argv[1]))
org = wave.organisations.order_by("pk").first()
colleagues = list(Person.objects.filter(organisation=org))
for i in range(5):
    person = Person.objects.create(
        network=wave.network, name=f"Newcomer {i}", email=f"new{i}@shire.example",
        organisation=org,
    )
    NetworkInvitation.objects.create(
        network=wave.network, wave=wave, person=person, started_at=timezone.now(),
        completed_at=timezone.now(), consent_named=True,
    )
    for alter in colleagues:
        Nomination.objects.create(
            network=wave.network, wave=wave, ego=person, alter=alter, relation="works_with",
            weight=5,
        )
print(json.dumps({"added": 5}))
"""

STATE = r"""
import json, sys, django
django.setup()
from django_tasks_db.models import DBTaskResult
from bridgework.jobs.models import Job
from bridgework.mail.models import OutboxMessage
from bridgework.surveys.models import Invitation

job = Job.objects.get(pk=int(sys.argv[1]))
runs = [
    {"status": r.status, "workers": r.worker_ids}
    for r in DBTaskResult.objects.filter(task_path="bridgework.jobs.tasks.run_job")
    if r.args_kwargs["args"] == [job.pk]
]
mail = OutboxMessage.objects.filter(network=job.network, to__startswith="nurse")
print(json.dumps({
    "status": job.status, "done": job.done, "total": job.total, "attempts": job.attempts,
    "runs": runs,
    "invitations": Invitation.objects.filter(wave_id=job.target_id).count(),
    "emails": [[m.to, m.idempotency_key, m.status, m.attempts] for m in mail],
}))
"""


def _run(env: dict[str, str], script: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, page[:2000]
    return found.group(1)


def _post_form(browser: Browser, path: str, fields: dict[str, str]) -> tuple[int, dict, str]:
    status, _, page = browser.get(path)
    assert status == 200, (path, status)
    return browser.post(path, {"csrfmiddlewaretoken": _csrf(page), **fields})


def _sign_in(browser: Browser, email: str, password: str) -> int:
    status, _, _ = _post_form(
        browser, "/accounts/login/", {"username": email, "password": password}
    )
    return status


#: The shared caches to run with: Redis beside PostgreSQL only (see the module's docstring).
CACHES = ["database", "redis"] if is_postgres(os.environ.get("DATABASE_URL", "")) else ["database"]


@pytest.fixture(params=CACHES)
def shared_cache(request) -> dict[str, str]:
    """The processes' ``CACHE_URL``: none (the database's cache) or the test's Redis, empty."""
    if request.param == "database":
        return {}
    import redis

    url = request.getfixturevalue("redis_url")
    redis.Redis.from_url(url).flushdb()
    return {"CACHE_URL": url}


@pytest.fixture
def deployment(tmp_path: Path, shared_cache: dict[str, str]):
    """Two servers (A, B), two workers and an SMTP sink over one scratch database, sharing
    one cache."""
    with SMTPSink() as sink:
        env = process_env(
            **shared_cache,
            SECRET_KEY="deployment-test-" + "k" * 50,
            ALLOWED_HOSTS="127.0.0.1",
            EMAIL_URL=f"smtp://127.0.0.1:{sink.port}?tls=0",
            SITE_URL="https://rc.example.org",
            LOG_LEVEL="WARNING",
            BRIDGEWORK_JOBS_BATCH_SIZE=str(BATCH),
            BRIDGEWORK_JOBS_STALE_AFTER="3",
            BRIDGEWORK_RATE_LIMIT_LINKS=str(LINK_LIMIT),
            BRIDGEWORK_DATA_DIR=str(tmp_path / "setup"),
        )
        processes = Processes(tmp_path)
        with throwaway_database(env, "deployment", tmp_path / "shared.sqlite3"):
            try:
                setup = _run({**env, "BRIDGEWORK_PRODUCTION": "1"}, SETUP, str(INVITEES), PASSWORD)
                ports = [free_port(), free_port()]
                servers = []
                for name, port in zip("ab", ports, strict=True):
                    # Each server keeps its own data directory, as separate machines do.
                    process = processes.start(
                        f"server-{name}",
                        bridgework(
                            "serve",
                            "--production",
                            "--bind",
                            f"127.0.0.1:{port}",
                            "--workers",
                            "2",
                        ),
                        {**env, "BRIDGEWORK_DATA_DIR": str(tmp_path / name)},
                    )
                    servers.append((Browser(port), process))
                workers = [
                    processes.start(
                        f"worker-{i}",
                        bridgework("worker", "--interval", "0.2", "--schedule-interval", "1"),
                        {**env, "BRIDGEWORK_DATA_DIR": str(tmp_path / f"worker-{i}")},
                    )
                    for i in (1, 2)
                ]
                # Each server migrates (a no-op after the set-up) and collects its static
                # files before it answers: on a loaded 2-core machine that has taken over 60 s.
                for browser, process in servers:
                    wait_until_serving(browser, process, timeout=180)
                yield {
                    "env": {**env, "BRIDGEWORK_PRODUCTION": "1"},
                    "cache_url": shared_cache.get("CACHE_URL", ""),
                    "ports": ports,
                    "workers": workers,
                    "setup": setup,
                    "sink": sink,
                    "processes": processes,
                }
            finally:
                processes.stop_all()


def _cache_entries(deployment: dict, *prefixes: str) -> dict[str, tuple[object, object]]:
    """The shared cache's entries whose keys start with one of ``prefixes``, read from the
    backend itself (Redis, or the database's cache table): key to (expiry, value). An entry
    written again has a later expiry; one only read keeps its own."""
    cache_url = deployment["cache_url"]
    if cache_url:
        import redis

        client = redis.Redis.from_url(cache_url)
        try:
            keys = sorted(k.decode() for k in client.keys(":1:*"))
            found = {k.removeprefix(":1:"): k for k in keys}
            return {
                key: (client.pexpiretime(raw), client.get(raw) if "ratelimit" in key else None)
                for key, raw in found.items()
                if key.startswith(prefixes)
            }
        finally:
            client.close()
    rows = sql(
        deployment["env"]["DATABASE_URL"], "SELECT cache_key, expires, value FROM bridgework_cache"
    )
    return {
        key.removeprefix(":1:"): (
            str(expires),
            pickle.loads(base64.b64decode(value)) if "ratelimit" in key else None,
        )
        for key, expires, value in rows
        if key.removeprefix(":1:").startswith(prefixes)
    }


def _pictures(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, re.S)


def _job_state(env: dict[str, str], job_id: int) -> dict:
    return _run(env, STATE, str(job_id))


def _job_progress(url: str, job_id: int) -> tuple[int, list[str]]:
    """How many of the job's people are done, and the workers holding a run of it now."""
    (done,) = sql(url, "SELECT done FROM jobs_job WHERE id = ?", (job_id,))[0]
    runs = sql(
        url,
        "SELECT worker_ids, args_kwargs FROM django_tasks_database_dbtaskresult "
        "WHERE task_path = ? AND status = ?",
        ("bridgework.jobs.tasks.run_job", "RUNNING"),
    )
    holders = [as_json(w)[-1] for w, args in runs if as_json(args)["args"] == [job_id]]
    return done, holders


def _kill_the_worker_running(deployment: dict, job_id: int) -> subprocess.Popen:
    """Wait until a worker has committed some batches of the job but not all, then kill that
    worker at once (SIGKILL: no chance to finish its batch or tidy up)."""
    by_id = {f"{os.uname().nodename[:50]}:{w.pid}": w for w in deployment["workers"]}
    url = deployment["env"]["DATABASE_URL"]
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        done, holders = _job_progress(url, job_id)
        if holders and 0 < done < INVITEES // 2:
            victim = by_id[holders[0]]
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(timeout=10)
            return victim
        time.sleep(0.02)
    raise AssertionError(f"the job never ran part-way: {done} of {INVITEES} done")


def test_two_servers_and_two_workers_agree_on_sessions_results_jobs_and_limits(deployment):
    a, b = (Browser(port) for port in deployment["ports"])
    env, setup, sink = deployment["env"], deployment["setup"], deployment["sink"]
    slug = "shire"

    # Sessions: signed in through A, the same cookie is a session on B.
    assert _sign_in(a, "coord@shire.example", PASSWORD) == 302
    b.cookies = dict(a.cookies)
    status, _, page = b.get(f"/n/{slug}/surveys/waves/{setup['answered']}/")
    assert status == 200, page[:500]
    assert "Autumn" in page
    assert Browser(b.port).get(f"/n/{slug}/surveys/waves/{setup['answered']}/")[0] == 302

    # Results: B shows none while the wave is open; closing it through A publishes them, and
    # B (which had already looked) shows the final results at once.
    results = f"/n/{slug}/surveys/waves/{setup['answered']}/results/"
    status, _, page = b.get(results)
    assert status == 200
    assert "Final results" not in page
    assert "Download the results (CSV)" not in page
    close = f"/n/{slug}/surveys/waves/{setup['answered']}/close/"
    assert _post_form(a, close, {})[0] == 302
    for browser in (b, a):
        status, _, page = browser.get(results)
        assert status == 200
        assert "Final results, published" in page
        assert "Download the results (CSV)" in page
    csv_a, csv_b = (
        x.get(f"/n/{slug}/surveys/waves/{setup['answered']}/results.csv")[2] for x in (a, b)
    )
    assert csv_a == csv_b
    assert "Team 0" in csv_a

    # Caches: the network map's analysis and pictures computed for A are what B reads: the
    # same entries, none written again. New answers make a new release: its analysis,
    # computed for B, is what A then reads, and both show the changed map.
    kept = ("networks:analysis:", "charts:svg:")
    network_map = f"/n/{slug}/networks/waves/{setup['mapped']}/map/"
    status, _, page_a = a.get(network_map)
    assert status == 200, page_a[:500]
    first = _cache_entries(deployment, *kept)
    assert any(k.startswith("networks:analysis:") for k in first), first
    assert any(k.startswith("charts:svg:") for k in first), first
    status, _, page_b = b.get(network_map)
    assert status == 200
    assert _pictures(page_b) == _pictures(page_a) != []
    assert _cache_entries(deployment, *kept) == first
    _run(env, MORE_ANSWERS, str(setup["mapped"]))
    status, _, changed_b = b.get(network_map)
    assert status == 200
    second = _cache_entries(deployment, *kept)
    new_analyses = {k for k in set(second) - set(first) if k.startswith("networks:analysis:")}
    assert new_analyses, second
    status, _, changed_a = a.get(network_map)
    assert _pictures(changed_a) == _pictures(changed_b) != _pictures(page_a)
    assert _cache_entries(deployment, *kept) == second

    # Jobs: invitations started through A; the worker running the job is killed part-way;
    # the other resumes it. Every nurse is invited once, emailed once, delivered once.
    status, headers, _ = _post_form(a, f"/n/{slug}/surveys/waves/{setup['to_invite']}/invite/", {})
    assert status == 302, status
    job_id = int(re.search(r"/jobs/(\d+)/", headers["Location"]).group(1))
    victim = _kill_the_worker_running(deployment, job_id)
    survivor = next(w for w in deployment["workers"] if w is not victim)
    survivor_name = f"worker-{deployment['workers'].index(survivor) + 1}"
    deadline = time.monotonic() + 45
    while True:
        status, done = sql(
            env["DATABASE_URL"], "SELECT status, done FROM jobs_job WHERE id = ?", (job_id,)
        )[0]
        delivered = sum(sink.per_recipient().values())
        if status == "done" and delivered >= INVITEES:
            break
        assert survivor.poll() is None, deployment["processes"].log(survivor_name)
        assert time.monotonic() < deadline, (status, done, delivered)
        time.sleep(0.2)
    time.sleep(1.5)  # a duplicate delivery, if any, would land now
    state = _job_state(env, job_id)
    assert (state["done"], state["total"], state["invitations"]) == (INVITEES,) * 3
    assert state["attempts"] == 2  # claimed by the killed worker, then once by the other
    assert sorted(r["status"] for r in state["runs"])[-1] == "SUCCESSFUL"
    emails = state["emails"]
    assert len(emails) == INVITEES
    assert len({key for _, key, _, _ in emails}) == INVITEES
    assert {to for to, *_ in emails} == {f"nurse{i}@shire.example" for i in range(INVITEES)}
    assert {(status, attempts) for _, _, status, attempts in emails} == {("sent", 1)}
    received = sink.per_recipient()
    assert set(received) == {to for to, *_ in emails}
    assert set(received.values()) == {1}
    # The job's page on B says it is done, as A's would.
    status, _, page = b.get(f"/n/{slug}/jobs/{job_id}/")
    assert status == 200
    assert f"Sent {INVITEES:,} invitations" in page

    # Rate limits: the personal-link limit counts requests to both servers together, also
    # when they arrive at once.
    link = f"/s/{setup['token']}/"
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(
            pool.map(lambda i: Browser((a if i % 2 else b).port).get(link)[0], range(LINK_LIMIT))
        )
    assert set(statuses) == {410}, statuses  # the wave has closed: within the limit
    assert Browser(a.port).get(link)[0] == 429
    assert Browser(b.port).get(link)[0] == 429
    # One counter in the shared cache (Redis, when configured) holds every request.
    counters = _cache_entries(deployment, "ratelimit:personal-link:")
    assert [int(value) for _, value in counters.values()] == [LINK_LIMIT + 2], counters

    # Sign-in lockout: five failures, three on A and two on B, pause signing in on both,
    # even with the right password.
    for browser in (a, a, a, b):
        assert _sign_in(Browser(browser.port), "guessed@shire.example", "wrong-password") == 200
    assert _sign_in(Browser(b.port), "guessed@shire.example", "wrong-password") == 429
    assert _sign_in(Browser(a.port), "guessed@shire.example", PASSWORD) == 429
    assert _sign_in(Browser(b.port), "guessed@shire.example", PASSWORD) == 429

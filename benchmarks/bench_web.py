"""Benchmark: bulk actions of the web app at national scale, against plain bulk inserts.

1. **Invitations** for N people, end to end as the worker runs them: the job is started
   (as the "Send invitations" button does), then run batch by batch — eligible people,
   invitations, hashed links, every email rendered from its templates into the outbox with
   its idempotency key, delivery queued one task per batch, progress committed per batch.
   Baseline: one plain insert (below) of the same number of Invitation and OutboxMessage
   rows (bodies prepared beforehand, no links, no templates, no job).
2. **People import** of an N-row CSV through the import job (read, validate every row,
   match to the directory, write all-or-nothing in batches). Baseline: a plain insert of N
   Person rows.
3. **Results page** of an open RC wave with live results and 0.6 × N respondents (each rating
   six workgroups on seven dimensions), requested as a coordinator through the whole Django
   stack: *cold*, the first view after the answers arrived (it publishes the snapshot: every
   figure, bootstrap intervals, privacy pass), and *warm*, the median of five views after it.
   Baseline: one SQL query of the mean of each dimension per (rater, target) workgroup.
4. **Publish a round** of a coffee programme of N participants: draw it (the scalable
   solver above 5,000 people), publish it, and write every introduction into the outbox, as
   the worker does once the publish commits. Baseline: a plain insert of N
   OutboxMessage rows (bodies prepared).
5. **Round-publish job** on a drawn round of N participants (the draw is not timed), as the
   "Publish" button runs it: batch by batch, every introduction (with its calendar file and
   personal link) and "no match" note rendered and written with one insert, one delivery
   task per batch. Baseline: a plain insert of the same OutboxMessage rows.
6. **Round reminders** to the N participants of a published round (the draw and publish
   are not timed), as the scheduler sends them before the round ends: batch by batch, each
   matched person's reminder, naming the people they meet, with its personal link, bodies
   filled in from stencils. Baseline: a plain insert of the same OutboxMessage rows.

A plain insert is a ``COPY`` on PostgreSQL (ids from the table's sequence, as the app's own
inserts do there) and a ``bulk_create`` of 500 rows a statement on SQLite.

N is 2,000 and 20,000 by default; ``BENCH_WEB_SIZES=2000,20000,100000`` sets the sizes;
``BENCH_WEB_STEPS=invitations,import,results,round,publish,reminders`` the steps. Each row
prints the time per 10× of N where two sizes 10× apart ran (``growth/10×``).
The database is a fresh SQLite file, or ``DATABASE_URL`` (PostgreSQL) when set: the
benchmark adds its own networks there (slugs ending in the run's time), so point it at a
scratch database.
Run: ``python benchmarks/bench_web.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.server.settings")
os.environ.setdefault("BRIDGEWORK_DATA_DIR", tempfile.mkdtemp(prefix="bridgework-bench-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bridgework.directory.models import Network, Person, Workgroup  # noqa: E402
from bridgework.jobs.models import Job  # noqa: E402
from bridgework.jobs.services import job_run, job_start  # noqa: E402
from bridgework.mail.models import OutboxMessage  # noqa: E402
from bridgework.surveys import services  # noqa: E402
from bridgework.surveys.models import Invitation, Response, Wave  # noqa: E402
from bridgework.web.copy_insert import copy_insert  # noqa: E402

RUN = f"{int(time.time()) % 100000}"


def sizes() -> list[int]:
    raw = os.environ.get("BENCH_WEB_SIZES", "2000,20000")
    return [int(s) for s in raw.split(",") if s.strip()]


def plain_insert(model, rows):  # type: ignore[no-untyped-def]
    """The baselines' insert: a plain ``COPY`` of the rows on PostgreSQL (ids from the
    sequence), a plain ``bulk_create`` of 500 rows a statement elsewhere."""
    if connection.vendor == "postgresql":
        return copy_insert(model, rows)
    return model.objects.bulk_create(rows, batch_size=500)


#: Outbox rows the copied baselines read and insert at a time: a million introductions
#: (bodies and calendar files) would hold gigabytes if read at once.
COPY_CHUNK = 10_000


def copied_outbox(written, slug: str) -> float:
    """Seconds a plain insert of a copy of the ``written`` OutboxMessage rows takes, in a new
    network ``slug`` within one transaction: the rows are read ``COPY_CHUNK`` at a time and
    only the inserts are timed."""
    base_network = Network.objects.create(name=slug, slug=slug)
    fields = [
        f.attname
        for f in OutboxMessage._meta.concrete_fields
        if f.attname not in ("id", "network_id", "idempotency_key")
    ]
    seconds, chunk = 0.0, []
    with transaction.atomic():
        for i, message in enumerate(written.order_by("pk").iterator(chunk_size=COPY_CHUNK)):
            chunk.append(
                OutboxMessage(
                    network=base_network,
                    idempotency_key=f"{slug}:{i}",
                    **{name: getattr(message, name) for name in fields},
                )
            )
            if len(chunk) == COPY_CHUNK:
                start = time.perf_counter()
                plain_insert(OutboxMessage, chunk)
                seconds += time.perf_counter() - start
                chunk = []
        start = time.perf_counter()
        if chunk:
            plain_insert(OutboxMessage, chunk)
        seconds += time.perf_counter() - start
    return seconds


def network_with_people(slug: str, n: int) -> tuple[Network, Workgroup]:
    network = Network.objects.create(name=slug, slug=slug)
    group = Workgroup.objects.create(network=network, name="Nurses")
    Person.objects.bulk_create(
        [
            Person(
                network=network, name=f"Nurse {i}", email=f"n{i}@{slug}.example", workgroup=group
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    return network, group


def enrolled_programme(n: int, slug: str):  # type: ignore[no-untyped-def]
    """A network of ``n`` people and a coffee programme for all of them, every one enrolled."""
    from bridgework.programmes.models import Programme
    from bridgework.programmes.services import enrol_audience, programme_create

    network, _ = network_with_people(slug, n)
    programme = programme_create(
        network=network, name="Coffee", audience=Programme.Audience.NETWORK
    )
    enrol_audience(programme=programme)
    return network, programme


def open_wave(network: Network, group: Workgroup) -> Wave:
    process = services.work_process_create(network=network, name="Discharge", workgroups=[group])
    now = timezone.now()
    return services.wave_create(
        process=process,
        name="Spring",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=14),
        respondent_workgroups=[group],
    )


def run_job(network: Network, kind: str, target: object) -> Job:
    with transaction.atomic():
        job = job_start(network=network, kind=kind, target=target)
    return job_run(job_id=job.pk)


def bench_invitations(n: int) -> tuple[float, float]:
    network, group = network_with_people(f"bench-inv-{n}-{RUN}", n)
    wave = open_wave(network, group)
    start = time.perf_counter()
    job = run_job(network, "rc-invitations", wave)
    ours = time.perf_counter() - start
    assert job.status == Job.Status.DONE, job.error
    assert job.done == n, job.done
    assert OutboxMessage.objects.filter(network=network).count() == n
    sample = OutboxMessage.objects.filter(network=network).first()

    base_network, base_group = network_with_people(f"bench-inv-base-{n}-{RUN}", n)
    base_wave = open_wave(base_network, base_group)
    people = list(Person.objects.filter(network=base_network).order_by("pk"))
    now = timezone.now()
    start = time.perf_counter()
    with transaction.atomic():
        plain_insert(
            Invitation,
            [
                Invitation(
                    network=base_network, wave=base_wave, person=p, workgroup=group, created_at=now
                )
                for p in people
            ],
        )
        plain_insert(
            OutboxMessage,
            [
                OutboxMessage(
                    network=base_network,
                    to=p.email,
                    subject=sample.subject,
                    text_body=sample.text_body,
                    html_body=sample.html_body,
                    kind="survey-invitation",
                    idempotency_key=f"bench:{p.pk}:0",
                )
                for p in people
            ],
        )
    base = time.perf_counter() - start
    return ours, base


def people_csv(n: int, slug: str) -> bytes:
    lines = ["name,email,organisation,team,workgroup,job_title,location,manager_email"]
    for i in range(n):
        manager = f"p0@{slug}.example" if i else ""
        lines.append(
            f"Person {i},p{i}@{slug}.example,Org {i % 20},Team {i % 7},Group {i % 12},"
            f"Nurse,Ward {i % 30},{manager}"
        )
    return ("\n".join(lines) + "\n").encode()


def bench_import(n: int) -> tuple[float, float]:
    from bridgework.directory.imports import people_import_upload

    network = Network.objects.create(name=f"imp-{n}", slug=f"bench-imp-{n}-{RUN}")
    start = time.perf_counter()
    upload = people_import_upload(
        network=network, user=None, filename="people.csv", content=people_csv(n, network.slug)
    )
    job = run_job(network, "people-import", upload)
    ours = time.perf_counter() - start
    assert job.status == Job.Status.DONE, job.error
    assert Person.objects.filter(network=network).count() == n

    base_network = Network.objects.create(name=f"imp-b-{n}", slug=f"bench-imp-b-{n}-{RUN}")
    start = time.perf_counter()
    with transaction.atomic():
        plain_insert(
            Person,
            [
                Person(
                    network=base_network,
                    name=f"Person {i}",
                    email=f"p{i}@{base_network.slug}.example",
                    job_title="Nurse",
                    location=f"Ward {i % 30}",
                )
                for i in range(n)
            ],
        )
    base = time.perf_counter() - start
    return ours, base


DIMENSIONS = (
    "frequent",
    "timely",
    "accurate",
    "problem_solving",
    "shared_goals",
    "shared_knowledge",
    "mutual_respect",
)


def _coordinator(network: Network):  # type: ignore[no-untyped-def]
    from django.test import Client

    from bridgework.accounts.models import User
    from bridgework.directory.models import Membership, Role

    user = User.objects.create_user(f"coord@{network.slug}.example", "bench-password-123")
    Membership.objects.create(user=user, network=network, role=Role.COORDINATOR)
    client = Client()
    client.force_login(user)
    return client


def answered_wave(respondents: int, slug: str) -> Wave:
    """An open wave with live results and ``respondents`` answers, each rating six groups."""
    network = Network.objects.create(name=slug, slug=slug)
    groups = [Workgroup.objects.create(network=network, name=f"Group {g}") for g in range(6)]
    Person.objects.bulk_create(
        [
            Person(
                network=network,
                name=f"Person {i}",
                email=f"p{i}@{slug}.example",
                workgroup=groups[i % 6],
            )
            for i in range(respondents)
        ],
        batch_size=5000,
    )
    process = services.work_process_create(network=network, name="Discharge", workgroups=groups)
    now = timezone.now()
    wave = services.wave_create(
        process=process,
        name="Spring",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=14),
        respondent_workgroups=groups,
        live_results=True,
    )
    people = list(Person.objects.filter(network=network).values_list("pk", "workgroup_id"))
    Invitation.objects.bulk_create(
        [
            Invitation(network=network, wave=wave, person_id=pk, workgroup_id=g, completed_at=now)
            for pk, g in people
        ],
        batch_size=5000,
    )
    invitations = list(Invitation.objects.filter(wave=wave).values_list("pk", "workgroup_id"))
    rows = []
    for pk, rater in invitations:
        for target in groups:
            base = 2 + (rater + target.pk) % 3
            scores = {key: 1 + (base + (pk + d) % 3 - 1) % 5 for d, key in enumerate(DIMENSIONS)}
            rows.append(Response(invitation_id=pk, target=f"wg:{target.pk}", **scores))
        if len(rows) >= 30000:
            Response.objects.bulk_create(rows, batch_size=5000)
            rows = []
    Response.objects.bulk_create(rows, batch_size=5000)
    return wave


def bench_results(n: int) -> tuple[float, float, float]:
    """Seconds of the results page cold and warm, and of the baseline query."""
    from django.db.models import Avg

    respondents = n * 6 // 10
    wave = answered_wave(respondents, f"bench-res-{n}-{RUN}")
    client = _coordinator(wave.network)
    url = reverse("surveys:waves_results", kwargs={"network": wave.network.slug, "pk": wave.pk})
    start = time.perf_counter()
    response = client.get(url)
    cold = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    assert b"Download the results (CSV)" in response.content
    warm_runs = []
    for _ in range(5):
        start = time.perf_counter()
        response = client.get(url)
        warm_runs.append(time.perf_counter() - start)
        assert response.status_code == 200
    warm = sorted(warm_runs)[2]
    start = time.perf_counter()
    means = list(
        Response.objects.filter(invitation__wave=wave, works_with=True)
        .values("invitation__workgroup_id", "target")
        .annotate(**{f"m_{key}": Avg(key) for key in DIMENSIONS})
    )
    base = time.perf_counter() - start
    assert len(means) == 36, len(means)
    return cold, warm, base


def bench_round(n: int) -> tuple[float, float, dict[str, float]]:
    from bridgework.programmes.mailing import round_send
    from bridgework.programmes.services import round_create, round_publish

    network, programme = enrolled_programme(n, f"bench-round-{n}-{RUN}")
    steps: dict[str, float] = {}
    start = time.perf_counter()
    with transaction.atomic():
        round_ = round_create(programme=programme, seed=7)
    steps["draw"] = time.perf_counter() - start
    mark = time.perf_counter()
    with transaction.atomic():
        round_ = round_publish(round_=round_)
    steps["publish"] = time.perf_counter() - mark
    mark = time.perf_counter()
    sent = round_send(round_=round_)
    steps["introductions"] = time.perf_counter() - mark
    ours = time.perf_counter() - start
    emails = OutboxMessage.objects.filter(network=network).count()
    assert emails >= n * 0.95, (emails, sent)
    sample = OutboxMessage.objects.filter(network=network).first()

    base_network = Network.objects.create(name=f"r-b-{n}", slug=f"bench-round-b-{n}-{RUN}")
    start = time.perf_counter()
    with transaction.atomic():
        plain_insert(
            OutboxMessage,
            [
                OutboxMessage(
                    network=base_network,
                    to=f"n{i}@example.org",
                    subject=sample.subject,
                    text_body=sample.text_body,
                    html_body=sample.html_body,
                    kind="programme-introduction",
                    idempotency_key=f"bench-round:{RUN}:{n}:{i}",
                )
                for i in range(emails)
            ],
        )
    base = time.perf_counter() - start
    return ours, base, steps


def bench_publish(n: int) -> tuple[float, float, float]:
    """The round-publish job on a drawn round of ``n`` participants (the draw is not timed):
    batch by batch, the round made final, every introduction and "no match" note rendered
    with its calendar file and personal link, one insert of emails and one delivery task per
    batch. Baseline: one ``bulk_create`` of the same OutboxMessage rows (copied). Also
    returns the job's CPU time in this process (the database server's not counted)."""
    from bridgework.programmes.jobs import ROUND_PUBLISH
    from bridgework.programmes.services import round_create

    network, programme = enrolled_programme(n, f"bench-pub-{n}-{RUN}")
    with transaction.atomic():
        round_ = round_create(programme=programme, seed=7)
    start, cpu = time.perf_counter(), time.process_time()
    job = run_job(network, ROUND_PUBLISH, round_)
    ours = time.perf_counter() - start
    cpu = time.process_time() - cpu
    assert job.status == Job.Status.DONE, job.error
    written = OutboxMessage.objects.filter(network=network)
    count = written.count()
    assert count == job.done == round_.places.count(), (count, job.done)
    return ours, copied_outbox(written, f"bench-pub-b-{n}-{RUN}"), cpu


def bench_reminders(n: int) -> tuple[float, float]:
    """A published round's reminders to its ``n`` participants, as the scheduler sends
    them. Baseline: a plain insert of the same OutboxMessage rows (copied)."""
    from bridgework.programmes.mailing import round_follow_up
    from bridgework.programmes.services import round_create, round_publish

    network, programme = enrolled_programme(n, f"bench-rem-{n}-{RUN}")
    with transaction.atomic():
        round_ = round_publish(round_=round_create(programme=programme, seed=7), send=False)
    start = time.perf_counter()
    sent = round_follow_up(round_=round_, kind="reminder")
    ours = time.perf_counter() - start
    written = OutboxMessage.objects.filter(network=network, kind="programme-reminder")
    count = written.count()
    assert count == sent >= n * 0.95, (count, sent)
    return ours, copied_outbox(written, f"bench-rem-b-{n}-{RUN}")


def steps() -> list[str]:
    raw = os.environ.get("BENCH_WEB_STEPS", "invitations,import,results,round,publish,reminders")
    return [s.strip() for s in raw.split(",") if s.strip()]


def _growth(times: dict[int, float], n: int) -> str:
    """Time at N over time at N/10 (the cost of 10× more), when both ran."""
    return f"{times[n] / times[n // 10]:.1f}×" if n // 10 in times and times[n // 10] else "-"


def main() -> int:
    call_command("migrate", "--no-input", "-v", "0")
    reverse("web:home")  # load the URL configuration and templates outside the timings
    print(f"database: {connection.vendor}; batch size {settings.JOBS_BATCH_SIZE}")
    print(
        f"{'action':<34}{'N':>8}{'ours s':>10}{'baseline s':>12}{'ratio':>8}{'rows/s':>10}"
        f"{'growth/10×':>12}"
    )
    times: dict[str, dict[int, float]] = {}

    def row(label: str, n: int, ours: float, base: float, note: str = "") -> None:
        times.setdefault(label, {})[n] = ours
        print(
            f"{label:<34}{n:>8,}{ours:>10.2f}{base:>12.3f}{ours / base:>8.1f}"
            f"{n / ours:>10,.0f}{_growth(times[label], n):>12}{note}",
            flush=True,
        )

    chosen = steps()
    plain = "COPY" if connection.vendor == "postgresql" else "bulk_create"
    for n in sizes():
        if "invitations" in chosen:
            row("invitations + emails (job)", n, *bench_invitations(n))
        if "import" in chosen:
            row("people import (job)", n, *bench_import(n))
        if "results" in chosen:
            cold, warm, base = bench_results(n)
            respondents = n * 6 // 10
            row("results page, cold (respondents)", respondents, cold, base)
            row("results page, warm (respondents)", respondents, warm, base)
        if "round" in chosen:
            ours, base, parts = bench_round(n)
            detail = ", ".join(f"{k} {v:.1f}s" for k, v in parts.items())
            row("publish a round (participants)", n, ours, base, f"  ({detail})")
        if "publish" in chosen:
            ours, base, cpu = bench_publish(n)
            row("round-publish job (participants)", n, ours, base, f"  (CPU {cpu:.1f} s)")
        if "reminders" in chosen:
            row("round reminders (participants)", n, *bench_reminders(n))
    print(
        f"baselines: a plain {plain} of the same Invitation + OutboxMessage rows (bodies "
        f"prepared), of N Person rows, one SQL query of the mean of each dimension per pair "
        f"of workgroups (results page), and a plain {plain} of the round's OutboxMessage "
        "rows (round, round-publish job, reminders); ratio = ours / baseline; one run each; CPU: "
        f"{time.process_time():.1f} s in this process (the database server's not counted)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

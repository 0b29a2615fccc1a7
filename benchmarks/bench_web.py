"""Benchmark: bulk actions of the web app at national scale, against plain bulk inserts.

1. **Invitations** for N people, end to end as the worker runs them: the job is started
   (as the "Send invitations" button does), then run batch by batch — eligible people,
   invitations, hashed links, every email rendered from its templates into the outbox with
   its idempotency key, delivery queued one task per batch, progress committed per batch.
   Baseline: one plain ``bulk_create`` of the same number of Invitation and OutboxMessage
   rows (bodies prepared beforehand, no links, no templates, no job).
2. **People import** of an N-row CSV through the import job (read, validate every row,
   match to the directory, write all-or-nothing in batches). Baseline: a plain
   ``bulk_create`` of N Person rows.

N is 2,000 and 20,000 by default; ``BENCH_WEB_SIZES=2000,20000,100000`` sets the sizes.
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
from bridgework.surveys.models import Invitation, Wave  # noqa: E402

RUN = f"{int(time.time()) % 100000}"


def sizes() -> list[int]:
    raw = os.environ.get("BENCH_WEB_SIZES", "2000,20000")
    return [int(s) for s in raw.split(",") if s.strip()]


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
        Invitation.objects.bulk_create(
            [
                Invitation(
                    network=base_network, wave=base_wave, person=p, workgroup=group, created_at=now
                )
                for p in people
            ],
            batch_size=500,
        )
        OutboxMessage.objects.bulk_create(
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
            batch_size=500,
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
        Person.objects.bulk_create(
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
            batch_size=500,
        )
    base = time.perf_counter() - start
    return ours, base


def main() -> int:
    call_command("migrate", "--no-input", "-v", "0")
    reverse("web:home")  # load the URL configuration and templates outside the timings
    print(f"database: {connection.vendor}; batch size {settings.JOBS_BATCH_SIZE}")
    print(f"{'action':<34}{'N':>8}{'ours s':>10}{'baseline s':>12}{'ratio':>8}{'rows/s':>10}")
    for n in sizes():
        for label, bench in (
            ("invitations + emails (job)", bench_invitations),
            ("people import (job)", bench_import),
        ):
            ours, base = bench(n)
            print(
                f"{label:<34}{n:>8,}{ours:>10.2f}{base:>12.2f}{ours / base:>8.1f}"
                f"{n / ours:>10,.0f}",
                flush=True,
            )
    print(
        "baselines: plain bulk_create of the same Invitation + OutboxMessage rows (bodies "
        "prepared), and of N Person rows; ratio = ours / baseline; one run each, shared machine"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

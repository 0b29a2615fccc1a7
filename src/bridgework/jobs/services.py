"""Starting, running, retrying and resuming jobs.

The runner claims a job, then works through it batch by batch: each batch is one
transaction that also moves the job's ``done`` counter, so what the progress page shows is
what is in the database, and a job stopped between two batches (a worker killed, a
deployment) loses nothing and repeats nothing. While a job runs, a side thread keeps its
heartbeat fresh (a step may take minutes: an all-at-once import, a network analysis); a job
left "running" without a heartbeat for ``JOBS_STALE_AFTER`` seconds is picked up again by the
worker's scheduler (:func:`jobs_resume_stale`); the kinds skip what earlier batches did, and
every email has an idempotency key, so nobody gets two.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from bridgework.directory.models import Network
from bridgework.jobs.kinds import JobKind, JobRefusedError, kind_for
from bridgework.jobs.models import Job

__all__ = ["job_retry", "job_run", "job_start", "jobs_resume_stale"]

logger = logging.getLogger(__name__)

#: Called with the job after each committed batch. Tests use it to stop a job between
#: batches as a killed worker would.
after_batch: list[Callable[[Job], None]] = []

GONE = "What this job was working on has been deleted, so it stopped."

UNEXPECTED = (
    "The job stopped because of an unexpected error. Everything done before it stopped is "
    "kept, and trying again carries on from there. If it stops again, contact support."
)


def batch_size() -> int:
    return max(1, int(getattr(settings, "JOBS_BATCH_SIZE", 500)))


def stale_after() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "JOBS_STALE_AFTER", 300)))


def longest_run() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "JOBS_LONGEST_RUN", 6 * 60 * 60)))


def job_start(*, network: Network, kind: str, target: Any, requested_by: Any = None) -> Job:
    """Start ``kind`` on ``target`` in the background, or return the one already running.

    Checks the action may start (raising the kind's refusal, such as a closed wave), records
    the job with its total, and queues its run once the transaction commits. A second
    identical job is refused by the database while one is queued or running; that one is
    returned instead, so a double click or two coordinators start one job.
    """
    spec = kind_for(kind)
    spec.check(target)
    target_id = target.pk
    active = Job.objects.filter(
        network=network, kind=kind, target_id=target_id, status__in=Job.ACTIVE
    ).first()
    if active is not None:
        return active
    # An all-at-once kind counts its rows in the worker: reading a large file is work too.
    total = spec.remaining(target) if spec.batch is not None else 0
    try:
        with transaction.atomic():
            job = Job.objects.create(
                network=network,
                kind=kind,
                target_id=target_id,
                requested_by=requested_by
                if getattr(requested_by, "is_authenticated", False)
                else None,
                total=total,
                role=spec.role(target),
            )
    except IntegrityError:  # lost a race with an identical start: that job stands
        return Job.objects.get(
            network=network, kind=kind, target_id=target_id, status__in=Job.ACTIVE
        )
    _enqueue_after_commit(job.pk)
    return job


def _enqueue_after_commit(job_id: int) -> None:
    def enqueue() -> None:
        from bridgework.jobs.tasks import run_job

        run_job.enqueue(job_id)

    transaction.on_commit(enqueue)


def job_retry(*, job: Job) -> Job:
    """Queue a stopped job again; it carries on from where it stopped. A job that is not
    stopped is returned as it is; if the same action was started again since, that job is
    returned (the page then shows it)."""
    try:
        with transaction.atomic():
            updated = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
                status=Job.Status.QUEUED, error="", finished_at=None
            )
    except IntegrityError:  # the same action was started again since: that job stands
        return Job.objects.get(
            network_id=job.network_id,
            kind=job.kind,
            target_id=job.target_id,
            status__in=Job.ACTIVE,
        )
    if updated:
        _enqueue_after_commit(job.pk)
    job.refresh_from_db()
    return job


def _claim(job_id: int, now: datetime) -> bool:
    """Mark the job running for this worker, unless another worker runs it (fresh heartbeat)
    or it has finished."""
    claimable = Q(status=Job.Status.QUEUED) | Q(
        status=Job.Status.RUNNING, heartbeat_at__lt=now - stale_after()
    )
    return bool(
        Job.objects.filter(claimable, pk=job_id).update(
            status=Job.Status.RUNNING,
            started_at=Coalesce(F("started_at"), now),
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            error="",
        )
    )


def job_run(*, job_id: int, size: int | None = None) -> Job:
    """Run (or resume) job ``job_id`` to its end in this process.

    Returns the job as it ended: done, failed (with a message for the coordinator), or as
    found when another worker is running it or it has already finished.
    """
    if not _claim(job_id, timezone.now()):
        return Job.objects.get(pk=job_id)
    job = Job.objects.select_related("network").get(pk=job_id)
    spec = kind_for(job.kind)
    try:
        with _heartbeat(job.pk, attempt=job.attempts):
            target = spec.load(job.network, job.target_id)
            spec.check(target)
            if spec.batch is not None:
                outcome, data = _run_batches(job, spec, target, size or batch_size())
            else:
                outcome, data = _run_at_once(job, spec, target)
    except (JobRefusedError, *spec.refusals) as exc:
        return _fail(job, str(exc))
    except ObjectDoesNotExist:
        return _fail(job, GONE)
    except Exception:  # any bug or outage: logged in full, shown as a plain sentence
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        return _fail(job, UNEXPECTED)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        total=F("done"),
        outcome=outcome[:500],
        outcome_data=data,
        finished_at=now,
        heartbeat_at=now,
    )
    job.refresh_from_db()
    return job


@contextmanager
def _heartbeat(job_id: int, *, attempt: int) -> Iterator[None]:
    """Keep job ``job_id``'s heartbeat fresh, from a side thread, while this run (its claim
    number ``attempt``) is in the block.

    A step can outlast ``JOBS_STALE_AFTER`` (an all-at-once import commits nothing until it
    ends, an analysis only computes, a national round is made final in its first batch):
    without a beat the scheduler would take the job for abandoned and a second worker would
    run it again. The thread beats three times per ``JOBS_STALE_AFTER`` on its own
    connection, so a beat commits at once. A beat that fails is tried again at the next
    one: on SQLite an all-at-once step holds the write lock, so no other worker can claim
    the job meanwhile either. Beats stop after ``JOBS_LONGEST_RUN`` (a run that long is
    taken for hung, and the scheduler hands the job to another worker), and they only
    touch the job while this run's claim is the latest.
    """
    stop = threading.Event()
    # Never a busy loop, and within what ``Event.wait`` accepts.
    interval = min(max(stale_after().total_seconds() / 3, 0.1), 3600.0)
    give_up = timezone.now() + longest_run()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                if timezone.now() > give_up:
                    logger.warning(
                        "job %s has run longer than JOBS_LONGEST_RUN: its heartbeat stops, "
                        "so the scheduler will hand it to another worker",
                        job_id,
                    )
                    return
                try:
                    Job.objects.filter(
                        pk=job_id, status=Job.Status.RUNNING, attempts=attempt
                    ).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning("job %s: heartbeat not recorded, trying again", job_id)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        # A beat waiting on a lock does not hold the run back: it ends on its own.
        thread.join(timeout=5)


def _run_batches(job: Job, spec: JobKind, target: Any, size: int) -> tuple[str, dict]:
    assert spec.batch is not None
    remaining = spec.remaining(target)
    Job.objects.filter(pk=job.pk).update(total=F("done") + remaining)
    carried = (spec.carry(),) if spec.carry is not None else ()
    while True:
        with transaction.atomic():
            count = spec.batch(target, size, *carried)
            if count:
                Job.objects.filter(pk=job.pk).update(
                    done=F("done") + count, heartbeat_at=timezone.now()
                )
        if count == 0:
            break
        for hook in after_batch:
            hook(job)
    done = Job.objects.values_list("done", flat=True).get(pk=job.pk)
    return spec.say(spec.outcome, count=done, done=f"{done:,}"), {"done": done}


def _run_at_once(job: Job, spec: JobKind, target: Any) -> tuple[str, dict]:
    assert spec.apply is not None
    Job.objects.filter(pk=job.pk).update(total=spec.remaining(target))
    if not spec.atomic:  # it only computes: no transaction held open while it does
        done, outcome, data = spec.apply(target)
        Job.objects.filter(pk=job.pk).update(done=done, heartbeat_at=timezone.now())
        return outcome, data
    with transaction.atomic():
        done, outcome, data = spec.apply(target)
        Job.objects.filter(pk=job.pk).update(done=done, heartbeat_at=timezone.now())
    return outcome, data


def _fail(job: Job, message: str) -> Job:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, error=message, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def jobs_resume_stale(*, now: datetime | None = None) -> list[int]:
    """Queue again every job a worker left running (no heartbeat for ``JOBS_STALE_AFTER``)
    and every job still queued that long after it was started (its queue entry was lost;
    a duplicate entry is harmless, as only one run can claim a job). Run by the worker's
    scheduler; returns the ids queued."""
    now = now or timezone.now()
    cutoff = now - stale_after()
    ids = list(
        Job.objects.filter(
            Q(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff)
            | Q(status=Job.Status.QUEUED, created_at__lt=cutoff)
        ).values_list("pk", flat=True)
    )
    for job_id in ids:
        _enqueue_after_commit(job_id)
    return ids

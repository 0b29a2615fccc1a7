"""Commands that run the web app: serve, demo, worker, import-people, manage."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any


def _django(production: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.server.settings")
    if production:
        os.environ["BRIDGEWORK_PRODUCTION"] = "1"
    import django

    django.setup()


def _manage(*argv: str) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bridgework manage", *argv])


#: The PostgreSQL advisory lock that lets one server at a time migrate the shared database.
MIGRATION_LOCK = 7_311_042


def _migrate() -> None:
    """Migrate the database and make the shared cache's table. On PostgreSQL servers that
    start together take turns (an advisory lock): the first migrates, the others then find
    nothing to do."""
    from django.db import connection

    locked = connection.vendor == "postgresql"
    if locked:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
    try:
        _manage("migrate", "--no-input", "-v", "0")
        _manage("createcachetable")  # the shared cache's table (also made by every migrate)
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])


def serve(args: argparse.Namespace) -> int:
    """Migrate, load the demo into an empty database, then serve (and run a worker)."""
    _django(production=args.production)
    _migrate()
    if args.production:
        from bridgework.server.static_files import collect_static

        collect_static()  # skipped when the files collected are those of this code
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "bridgework.server.wsgi:application",
            "--bind",
            args.bind or "0.0.0.0:8000",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "-",
            # Access lines carry request paths: personal links are removed from them.
            "--logger-class",
            "bridgework.server.gunicorn_logging.RedactingLogger",
        ]
        # gunicorn takes this process's place, so the signals a process manager or container
        # platform sends (SIGTERM to stop, SIGHUP to reload) reach it directly.
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, command)
    from bridgework.demo import database_is_empty, demo_load

    if not args.no_demo and database_is_empty():
        login = demo_load()
        if login is not None:
            print("Demo network loaded.")
    from bridgework.demo import DEMO_COORDINATOR_EMAIL, DEMO_COORDINATOR_PASSWORD

    bind = args.bind or "127.0.0.1:8000"
    print(
        f"\nBridgework is running on http://{bind}/\n"
        f"Demo login: {DEMO_COORDINATOR_EMAIL} / {DEMO_COORDINATOR_PASSWORD}\n",
        flush=True,
    )
    worker = None
    if not args.no_worker:
        worker = subprocess.Popen([sys.executable, "-m", "bridgework", "worker"])
    try:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "bridgework.server.wsgi:application",
            "--bind",
            bind,
            "--workers",
            "2",
            "--threads",
            "4",
            "--logger-class",
            "bridgework.server.gunicorn_logging.RedactingLogger",
        ]
        return subprocess.call(command)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


def demo(args: argparse.Namespace) -> int:
    _django()
    _manage("migrate", "--no-input", "-v", "0")
    from bridgework.demo import demo_load

    login = demo_load()
    if login is None:
        print("The demo network already exists; nothing changed.")
        return 0
    print(f"Demo network loaded. Sign in as {login.email} / {login.password}")
    return 0


def queue_scheduled_jobs() -> list[str]:
    """Queue one run of every periodic job: RC and network survey reminders that are due, RC
    results to publish, the analyses of large networks to prepare after a release, coffee
    programme rounds, reminders and feedback requests, the deletion
    of raw answers past their network's retention period, the resumption of bulk actions a
    stopped worker left running, and another delivery attempt for emails left waiting. Each
    job is idempotent, so several workers may queue them at once. Returns the names of the
    jobs queued."""
    from bridgework.governance.tasks import apply_retention
    from bridgework.jobs.tasks import resume_stale_jobs
    from bridgework.mail.tasks import requeue_stale_emails
    from bridgework.ona.tasks import send_due_network_reminders, warm_network_analyses
    from bridgework.programmes.tasks import run_schedule
    from bridgework.surveys.tasks import publish_results, send_due_reminders

    jobs = (
        send_due_reminders,
        publish_results,
        send_due_network_reminders,
        warm_network_analyses,
        run_schedule,
        apply_retention,
        resume_stale_jobs,
        requeue_stale_emails,
    )
    for job in jobs:
        job.enqueue()
    return [job.name for job in jobs]


def _schedule(every: float) -> None:
    """Call :func:`queue_scheduled_jobs` every ``every`` seconds in a background thread."""
    import threading
    import time

    def tick() -> None:
        while True:
            try:
                queue_scheduled_jobs()
            except Exception as exc:  # a database hiccup must not stop the worker
                print(f"scheduling failed: {exc}", file=sys.stderr)
            time.sleep(every)

    threading.Thread(target=tick, name="bridgework-schedule", daemon=True).start()


def worker_id() -> str:
    """``<host>:<process id>``: the task table records which machine and process ran (or
    still holds) each background task."""
    import socket

    return f"{socket.gethostname()[:50]}:{os.getpid()}"


def worker(args: argparse.Namespace) -> int:
    _django()
    extra = ["--batch"] if args.once else []
    if args.schedule_interval > 0 and not args.once:
        _schedule(args.schedule_interval)
    _manage(
        "db_worker",
        "--queue-name",
        "*",
        "--interval",
        str(args.interval),
        "--worker-id",
        worker_id(),
        *extra,
    )
    return 0


def import_people(args: argparse.Namespace) -> int:
    _django()
    from bridgework.datasets.tabular import DatasetError
    from bridgework.directory.imports import people_import
    from bridgework.directory.models import Network

    network = Network.objects.filter(slug=args.network).first()
    if network is None:
        print(f"no network with the slug {args.network!r}", file=sys.stderr)
        return 2
    try:
        plan = people_import(network=network, source=args.file, dry_run=args.dry_run)
    except FileNotFoundError:
        print(f"{args.file}: no such file", file=sys.stderr)
        return 2
    except DatasetError as exc:
        from bridgework.problems import problem_line

        for problem in exc.problems:
            print(problem_line(problem, args.file), file=sys.stderr)
        return 2
    verb = "would create" if args.dry_run else "created"
    print(
        f"{verb} {len(plan.creates)}, {'would update' if args.dry_run else 'updated'} "
        f"{len(plan.updates)}, unchanged {plan.unchanged}"
    )
    return 0


def manage(args: argparse.Namespace) -> int:
    _django(production=os.environ.get("BRIDGEWORK_PRODUCTION") == "1")
    _manage(*args.arguments)
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("serve", help="serve the web app (embedded default or production)")
    p.add_argument(
        "--production",
        action="store_true",
        help="run gunicorn with production settings (needs SECRET_KEY etc.)",
    )
    p.add_argument("--bind", default="", help="address:port (default 127.0.0.1:8000)")
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers in production")
    p.add_argument("--no-demo", action="store_true", help="do not load the demo when empty")
    p.add_argument("--no-worker", action="store_true", help="do not start a background worker")
    p.set_defaults(handler=serve)

    p = subparsers.add_parser("demo", help="load the demo networks")
    p.set_defaults(handler=demo)

    p = subparsers.add_parser("worker", help="run background jobs (email, scheduling)")
    p.add_argument("--once", action="store_true", help="run the queued jobs, then exit")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    p.add_argument(
        "--schedule-interval",
        type=float,
        default=300.0,
        help="seconds between checks for scheduled jobs such as survey reminders (0: off)",
    )
    p.set_defaults(handler=worker)

    p = subparsers.add_parser("import-people", help="import people from CSV/XLSX")
    p.add_argument("file", help="CSV or XLSX file")
    p.add_argument("--network", required=True, help="the network's slug")
    p.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    p.set_defaults(handler=import_people)

    p = subparsers.add_parser("manage", help="run a Django management command")
    p.add_argument("arguments", nargs=argparse.REMAINDER)
    p.set_defaults(handler=manage)

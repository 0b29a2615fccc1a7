"""Helpers for tests that run the app as separate processes: a scratch database, free ports,
process groups that are always torn down, a plain HTTP client, an SMTP sink and a Redis
server of the test's own."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from email import message_from_bytes
from http.cookies import SimpleCookie
from pathlib import Path

#: The environment of a test that must not reach the processes it starts.
_TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_URL", "EMAIL_HOST", "CACHE_URL"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_env(**extra: str) -> dict[str, str]:
    """This process's environment, without the test suite's own settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in _TEST_ONLY}
    env["DJANGO_SETTINGS_MODULE"] = "bridgework.server.settings"
    env.update(extra)
    return env


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


@contextlib.contextmanager
def throwaway_database(env: dict[str, str], label: str, sqlite_file: Path) -> Iterator[None]:
    """Point ``env`` at a fresh database dropped afterwards: on PostgreSQL (``DATABASE_URL``
    set) a new database beside it, so the test never writes into the one named and can run
    again; otherwise the SQLite file ``sqlite_file``, which every process shares."""
    url = env.get("DATABASE_URL", "")
    if not is_postgres(url):
        env["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
        yield
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/')}_{label}_{os.getpid()}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def sql(url: str, query: str, params: tuple = ()) -> list[tuple]:
    """Rows of one read-only query on the database at ``url`` (PostgreSQL or a SQLite file),
    in a fresh connection: fast enough to poll while other processes write."""
    if is_postgres(url):
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            return connection.execute(query.replace("?", "%s"), params).fetchall()
    import sqlite3

    connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20)
    try:
        return connection.execute(query, params).fetchall()
    finally:
        connection.close()


def as_json(value: object) -> object:
    """A JSON column as read by either driver (psycopg decodes it, sqlite3 does not)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


class Processes:
    """Processes started in their own process group, each stopped (the whole group: a server
    and its gunicorn workers) by :meth:`stop_all`, however the test ended."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.started[name] = process
        return process

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop_all(self) -> None:
        for process in self.started.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.started.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            # Anything the group left behind (a gunicorn worker whose master was killed).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)


def bridgework(*argv: str) -> list[str]:
    return [sys.executable, "-m", "bridgework", *argv]


class Browser:
    """A client of one server, as a browser behind an HTTPS proxy would be: it keeps every
    cookie (secure ones too: the proxy ends TLS), sends ``X-Forwarded-Proto: https`` and the
    page it came from as ``Referer``, and does not follow redirects."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.cookies: dict[str, str] = dict(cookies or {})

    def request(
        self, method: str, path: str, data: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
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
            return response.status, dict(response.headers.items()), text
        finally:
            connection.close()

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, str]) -> tuple[int, dict[str, str], str]:
        return self.request("POST", path, data)


def wait_until_serving(browser: Browser, process: subprocess.Popen, timeout: float) -> None:
    """Wait for the health check to answer 200, or fail with the reason."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, _, _ = browser.get("/healthz/")
            if status == 200:
                return
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {browser.port} exited ({process.returncode})")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the server on port {browser.port} did not answer in {timeout}s")
        time.sleep(0.2)


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for Django's SMTP backend (no TLS, no login). A message counts
    as delivered only once the server has answered 250 to its end of data, as a real mail
    server takes responsibility for it only then."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif verb in {"HELO", "NOOP"}:
                self.reply("250 ok")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 ok")
            elif verb == "RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self.reply("250 ok")
            elif verb == "RSET":
                recipients = []
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                lines = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                if not chunk:
                    return  # the client went away before the end of data: nothing delivered
                self.server.deliver(recipients, b"".join(lines))  # type: ignore[attr-defined]
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class SMTPSink(socketserver.ThreadingTCPServer):
    """An SMTP server on loopback that keeps every message it accepts."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.lock = threading.Lock()
        self.messages: list[tuple[list[str], bytes]] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def deliver(self, recipients: list[str], data: bytes) -> None:
        with self.lock:
            self.messages.append((recipients, data))

    def per_recipient(self) -> Counter[str]:
        with self.lock:
            return Counter(r for recipients, _ in self.messages for r in recipients)

    def subjects(self) -> list[str]:
        with self.lock:
            return [str(message_from_bytes(data)["Subject"]) for _, data in self.messages]

    def __enter__(self) -> SMTPSink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def redis_missing() -> str | None:
    """Why a Redis server cannot be started here (``None``: it can)."""
    if shutil.which("redis-server") is None:
        return "redis-server is not installed (Debian: apt-get install redis-server)"
    return None


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """A ``redis-server`` of this test's own on a free loopback port, keeping nothing on disk
    (its working directory is ``directory``), stopped afterwards; yields its ``redis://`` URL.
    Never the machine's own Redis service, so a test can neither read nor flush its data."""
    import redis

    port = free_port()
    argv = [
        shutil.which("redis-server") or "redis-server",
        "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", str(directory), "--logfile", str(directory / "redis.log"),
    ]  # fmt: skip
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = directory / "redis.log"
                    raise RuntimeError(
                        f"redis-server on port {port} did not start: "
                        + (log.read_text()[-2000:] if log.exists() else "no log")
                    ) from None
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

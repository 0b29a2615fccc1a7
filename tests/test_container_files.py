"""The container set-up (Containerfile, compose.yaml) names real commands and documented
variables. No container runs here: this checks what can be checked without one."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml

from bridgework.cli import build_parser
from bridgework.commands import web

ROOT = Path(__file__).resolve().parent.parent
CONTAINERFILE = (ROOT / "Containerfile").read_text()
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
DOCS = "\n".join(p.read_text() for p in (ROOT / "docs").rglob("*.md"))


def _handler(argv: list[str]):
    assert argv[0] == "bridgework", argv
    return build_parser().parse_args(argv[1:]).handler


def _instructions(name: str) -> list[str]:
    return re.findall(rf"^{name}\s+(.+?)(?<!\\)$", CONTAINERFILE, re.MULTILINE | re.DOTALL)


def test_the_image_runs_the_production_server_on_python_3_11_bookworm():
    assert "FROM python:3.11-slim-bookworm" in CONTAINERFILE
    (cmd,) = _instructions("CMD")
    argv = json.loads(cmd)
    assert _handler(argv) is web.serve
    args = build_parser().parse_args(argv[1:])
    assert args.production
    assert args.bind.startswith("0.0.0.0:")
    assert "pip install ." in CONTAINERFILE
    assert "/healthz/" in CONTAINERFILE


def test_the_image_builds_assets_and_catalogues_as_the_makefile_does():
    makefile = (ROOT / "Makefile").read_text()
    assert "npm ci" in makefile
    assert "npm ci" in CONTAINERFILE
    assert "npm run build" in CONTAINERFILE
    assert "save_as_mofile" in makefile
    assert "save_as_mofile" in CONTAINERFILE
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "node_modules", "var"} <= set(ignored)


def test_every_variable_the_container_set_up_sets_is_documented():
    names = set(re.findall(r"^\s+([A-Z][A-Z0-9_]+)=", CONTAINERFILE, re.MULTILINE))
    names |= set(COMPOSE["x-bridgework"]["environment"])
    names -= {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR"}
    names -= {"PIP_DISABLE_PIP_VERSION_CHECK"}  # pip's and Python's own
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "BRIDGEWORK_DATA_DIR"} <= names
    missing = sorted(name for name in names if f"`{name}`" not in DOCS)
    assert not missing, f"undocumented: {missing}"


def test_compose_runs_postgres_two_servers_and_two_workers_from_this_repository():
    services = COMPOSE["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    app = {name: s for name, s in services.items() if "build" in s}
    assert set(app) == {"migrate", "web-1", "web-2", "worker-1", "worker-2"}
    for name, service in app.items():
        assert service["build"]["dockerfile"] == "Containerfile"
        assert (ROOT / service["build"]["context"] / "Containerfile").exists()
        env = service["environment"]
        assert env["BRIDGEWORK_PRODUCTION"] == "1"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in env["DATABASE_URL"]
        handler = _handler(service["command"])
        expected = {"migrate": web.manage, "web": web.serve, "worker": web.worker}
        assert handler is expected[name.split("-")[0]], name
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web-1", "web-2", "worker-1", "worker-2"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    # Each server's port is its own; the shared cache can move to the optional Redis.
    ports = [services[name]["ports"][0] for name in ("web-1", "web-2")]
    assert len(set(ports)) == 2
    assert services["redis"]["profiles"] == ["redis"]
    redis_command = services["redis"]["command"]
    assert redis_command[redis_command.index("--save") + 1] == ""  # nothing kept on disk
    assert redis_command[redis_command.index("--maxmemory-policy") + 1] == "volatile-lru"
    assert "db://" in services["web-1"]["environment"]["CACHE_URL"]


def test_the_deployment_guide_shows_the_commands_it_names():
    guide = (ROOT / "docs" / "deployment.md").read_text()
    commands = re.findall(r"^(bridgework [a-z].*)$", guide, re.MULTILINE)
    assert len(commands) >= 3
    for line in commands:
        argv = shlex.split(line.split("#")[0])
        assert _handler(argv), line
    for name in ("Containerfile", "compose.yaml", "/healthz/", "CACHE_URL", "migrate"):
        assert name in guide

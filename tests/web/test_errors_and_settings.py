"""Friendly error pages, production settings and the demo loader."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client

from bridgework.demo import DEMO_COORDINATOR_EMAIL, demo_load
from bridgework.directory.models import Network, Person, Workgroup


@pytest.mark.django_db
def test_unknown_page_is_friendly_and_has_no_traceback():
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Traceback" not in html


@pytest.mark.django_db
def test_unknown_page_speaks_the_browsers_language():
    response = Client(headers={"accept-language": "es"}).get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="es"' in html
    assert "Página no encontrada" in html
    assert "Page not found" not in html


@pytest.mark.django_db
def test_server_error_page_is_friendly(client, settings):
    from bridgework.web.views.errors import server_error

    response = server_error(Client().get("/").wsgi_request)
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()


def test_every_response_has_a_strict_content_security_policy(client):
    response = Client().get("/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def _production_env(tmp_path, **extra: str) -> dict[str, str]:
    # The browser tests' event-loop allowance must not leak into a deployment check.
    return {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_URL", "EMAIL_HOST"}
        },
        "BRIDGEWORK_PRODUCTION": "1",
        "SECRET_KEY": "x" * 60 + "-Zq9!",
        "ALLOWED_HOSTS": "bridgework.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db",
        "DJANGO_SETTINGS_MODULE": "bridgework.server.settings",
        "BRIDGEWORK_DATA_DIR": str(tmp_path),
        **extra,
    }


def _manage(tmp_path, *argv: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bridgework", "manage", *argv],
        env=_production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check_deploy(tmp_path, **extra: str) -> subprocess.CompletedProcess:
    return _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **extra)


@pytest.mark.slow
def test_production_static_files_collect_with_every_url_they_reference(tmp_path):
    """The hashed-manifest storage refuses a stylesheet that points at a file not shipped."""
    result = _collect_static(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "True"  # collected
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert "dist/css/bridgework.css" in manifest["paths"]
    css = (tmp_path / "static" / manifest["paths"]["dist/css/bridgework.css"]).read_text()
    assert "crest" not in css
    # A second server start finds the files of this code collected: it collects nothing.
    written = (tmp_path / "static" / "staticfiles.json").stat().st_mtime_ns
    again = _collect_static(tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.strip() == "False"
    assert (tmp_path / "static" / "staticfiles.json").stat().st_mtime_ns == written


def _collect_static(tmp_path) -> subprocess.CompletedProcess:
    """What ``serve --production`` runs before it serves."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from bridgework.server.static_files import collect_static; print(collect_static())",
        ],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_static_files_are_collected_again_when_a_source_or_the_manifest_changes(tmp_path, settings):
    from bridgework.server import static_files

    settings.STATICFILES_DIRS = [tmp_path / "src"]
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "site.css").write_text("body { color: black }")
    root = tmp_path / "static"
    root.mkdir()
    first = static_files.sources_digest()
    (root / "staticfiles.json").write_text("{}")
    (root / static_files.STAMP_NAME).write_text(first + "\n")
    assert static_files.static_is_current(root, first)
    (tmp_path / "src" / "site.css").write_text("body { color: navy }")
    changed = static_files.sources_digest()
    assert changed != first
    assert not static_files.static_is_current(root, changed)
    (tmp_path / "src" / "site.css").write_text("body { color: black }")
    assert static_files.sources_digest() == first
    (root / "staticfiles.json").unlink()
    assert not static_files.static_is_current(root, first)


@pytest.mark.slow
def test_production_settings_pass_check_deploy(tmp_path):
    result = _check_deploy(tmp_path, EMAIL_URL="smtp://mailer:secret@smtp.example.org:587")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_check_deploy_warns_when_mail_stays_in_the_outbox(tmp_path):
    result = _check_deploy(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "bridgework.W001" in output
    assert "personal links" in output
    assert output.count("?: (") == 1, output  # the only issue


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(
        BRIDGEWORK_PRODUCTION="1",
        ALLOWED_HOSTS="x.example",
        DATABASE_URL="sqlite:///x",
        DJANGO_SETTINGS_MODULE="bridgework.server.settings",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bridgework", "manage", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_builds_a_county_system_of_care_once():
    login = demo_load()
    assert login is not None
    assert login.email == DEMO_COORDINATOR_EMAIL
    network = Network.objects.get(slug="riverbend-county")
    assert network.organisations.count() >= 6
    assert Workgroup.objects.filter(network=network).count() >= 12
    assert 280 <= Person.objects.filter(network=network).count() <= 320
    assert Person.objects.filter(network=network, manager__isnull=False).count() > 250
    assert demo_load() is None  # only once
    client = Client()
    signed_in = client.post(
        "/accounts/login/", {"username": DEMO_COORDINATOR_EMAIL, "password": login.password}
    )
    assert signed_in.status_code == 302
    assert client.get("/n/riverbend-county/people/").status_code == 200

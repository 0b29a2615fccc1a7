"""The health check load balancers and container platforms probe."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client


@pytest.mark.django_db
def test_health_check_answers_ok_without_a_login():
    response = Client().get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_health_check_says_503_when_the_database_is_unreachable(monkeypatch):
    from bridgework.web.views import health

    def unreachable():
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(health.connection, "cursor", unreachable)
        response = Client().get("/healthz/")
    assert response.status_code == 503
    assert b"database unreachable" in response.content
    assert b"refused" not in response.content


@pytest.mark.django_db
def test_health_check_is_exempt_from_the_https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz/").status_code == 200
    assert Client().get("/accounts/login/").status_code == 301

"""Shared test set-up."""

from __future__ import annotations

import pytest

from bridgework.mail.backends import OUTBOX_BACKEND

_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _outbox_only_mail(settings):
    """Tests run in the app's embedded default, where the outbox is the delivery (pytest-django
    would otherwise switch to its locmem backend, which counts as real delivery). Tests of
    delivery set ``settings.EMAIL_BACKEND`` to the locmem backend themselves."""
    settings.EMAIL_BACKEND = OUTBOX_BACKEND


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request, django_db_blocker):
    """Rate-limit counters live in the shared (database) cache: a test that commits starts the
    next one with none left over."""
    yield
    uses_db = request.node.get_closest_marker("django_db") or (
        _DB_FIXTURES & set(request.fixturenames)
    )
    if uses_db:
        from django.core.cache import cache

        with django_db_blocker.unblock():
            cache.clear()

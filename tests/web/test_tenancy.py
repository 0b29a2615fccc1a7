"""Every URL pattern is scoped to its network: another network's slug or records answer 404.

The test walks the URL configuration, so a page added later without ``network_view`` fails here.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import record_ids
from tests.url_patterns import ALL_PATTERNS, PUBLIC, fill


def test_every_pattern_is_network_scoped_or_listed_public():
    for name, route, callback in ALL_PATTERNS:
        scoped = getattr(callback, "network_scoped", False)
        if name in PUBLIC:
            assert not scoped
        else:
            assert scoped, f"{name} ({route}) is not wrapped by network_view"
            assert "<slug:network>" in route, f"{name} has no network in its URL"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_networks_slug_and_records_answer_404(network_a, network_b, owner, method):
    ids_b = record_ids(network_b)
    ids_a = record_ids(network_a)
    scoped = [(n, r) for n, r, _ in ALL_PATTERNS if n not in PUBLIC]
    assert len(scoped) >= 15
    for name, route in scoped:
        # The other network's slug: 404 whatever the record.
        url = fill(route, network_b.slug, name, ids_b)
        response = getattr(owner, method)(url)
        assert response.status_code == 404, f"{method} {url} ({name}) gave {response.status_code}"
        # Our slug with the other network's record id: 404 too.
        if "<int:pk>" in route:
            url = fill(route, network_a.slug, name, ids_b)
            foreign = getattr(owner, method)(url).status_code
            own = getattr(owner, method)(fill(route, network_a.slug, name, ids_a)).status_code
            if foreign == 405:
                # A POST-only page refuses GET before looking anything up: the same answer
                # for every id, so nothing about the other network is revealed.
                assert own == 405, url
                continue
            assert foreign == 404, f"{method} {url} ({name}) gave {foreign}"
            # ...while our own record is found (the test would pass vacuously otherwise).
            assert own != 404, url


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(network_a):
    ids = record_ids(network_a)
    for name, route, _ in ALL_PATTERNS:
        if name in PUBLIC:
            continue
        response = Client().get(fill(route, network_a.slug, name, ids))
        assert response.status_code == 302
        assert re.match(r"^/accounts/login/\?next=", response["Location"])

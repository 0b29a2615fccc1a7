"""The N+1 check itself: it passes a page whose queries stay fixed and fails one per row."""

from __future__ import annotations

import pytest

from bridgework.directory.models import Network, Organisation
from tests.queries import assert_queries_do_not_grow


@pytest.fixture
def network(db) -> Network:
    return Network.objects.create(name="Queries", slug="queries")


def _grow(network: Network):
    def grow(size: int) -> None:
        for i in range(Organisation.objects.count(), size):
            Organisation.objects.create(network=network, name=f"Agency {i}")

    return grow


def test_a_page_with_one_query_per_row_fails(network):
    def page() -> None:
        for organisation in Organisation.objects.all():
            _ = organisation.network.name  # one query per row

    with pytest.raises(AssertionError, match="queries grow with the rows"):
        assert_queries_do_not_grow(grow=_grow(network), page=page)


def test_a_page_with_joined_rows_passes(network):
    def page() -> None:
        for organisation in Organisation.objects.select_related("network"):
            _ = organisation.network.name

    assert assert_queries_do_not_grow(grow=_grow(network), page=page) == [1, 1]

"""``queryset_frame`` (``COPY`` on PostgreSQL) reads the rows ``values_list`` returns."""

from __future__ import annotations

import pandas as pd
import pytest

from bridgework.directory.models import Organisation, Person
from bridgework.web.copy_read import queryset_frame

NAMES = ["Ann", 'O\'Brien, "Jr"', "NA", "0042", "line\nbreak", "tab\there", "Zoë"]


@pytest.mark.django_db
def test_a_copied_frame_has_the_rows_and_values_of_values_list(network_a):
    org = Organisation.objects.create(network=network_a, name="null")
    for i, name in enumerate(NAMES):
        Person.objects.create(
            network=network_a,
            name=name,
            email=f"c{i}@alpha.example",
            organisation=org if i % 2 else None,
        )
    queryset = (
        Person.objects.filter(network=network_a, email__startswith="c")
        .order_by("pk")
        .values_list("pk", "name", "organisation__name")
    )
    frame = queryset_frame(
        queryset,
        ["id", "name", "organisation"],
        {"id": "int64", "name": "string", "organisation": "string"},
    )
    expected = list(queryset)
    assert len(frame) == len(expected) == len(NAMES)
    assert frame["id"].dtype == "int64"
    for row, (pk, name, organisation) in zip(frame.itertuples(index=False), expected, strict=True):
        assert row.id == pk
        assert row.name == name
        if organisation is None:
            assert pd.isna(row.organisation)
        else:
            assert row.organisation == organisation

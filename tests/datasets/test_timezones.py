"""Time zone names and "did you mean" suggestions."""

from __future__ import annotations

import zoneinfo

import pytest

from bridgework.datasets.timezones import suggest_time_zones, valid_time_zones


def test_valid_time_zones_are_loadable_places():
    zones = valid_time_zones()
    assert {"America/Los_Angeles", "Europe/London", "UTC"} <= zones
    assert not zones & {"localtime", "posixrules", "Factory"}
    for zone in ("America/Los_Angeles", "Pacific/Honolulu"):
        assert zoneinfo.ZoneInfo(zone).key == zone


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("america/los_angeles", ["America/Los_Angeles"]),
        ("Los Angeles", ["America/Los_Angeles"]),
        ("America/Los_Angles", ["America/Los_Angeles"]),
        ("Pacific/Honolula", ["Pacific/Honolulu"]),
        ("PST", ["America/Los_Angeles"]),
        ("Eastern", ["America/New_York"]),
        ("Europe/Londn", ["Europe/London"]),
        ("not a zone at all", []),
    ],
)
def test_suggestions_name_the_zone_meant(typed, expected):
    assert suggest_time_zones(typed) == expected


def test_suggestions_are_valid_and_limited():
    suggestions = suggest_time_zones("America/San", limit=2)
    assert len(suggestions) <= 2
    assert set(suggestions) <= valid_time_zones()

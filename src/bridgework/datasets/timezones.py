"""IANA time zone names as people type them into a spreadsheet.

A directory stores each person's time zone so a pairing invite lands at a sensible local hour.
Files arrive with "PST", "Pacific", "Los Angeles" or "america/los_angeles"; we accept only the
IANA name itself (unambiguous, and what :mod:`zoneinfo` needs) but tell the user which name
they probably meant.
"""

from __future__ import annotations

import difflib
import zoneinfo
from functools import cache

__all__ = ["suggest_time_zones", "valid_time_zones"]

# Everyday names that are not IANA names (or are legacy ones nobody means), for hints only.
_HINTS = {
    "pacific": "America/Los_Angeles",
    "pacific time": "America/Los_Angeles",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "mountain": "America/Denver",
    "mdt": "America/Denver",
    "central": "America/Chicago",
    "cdt": "America/Chicago",
    "eastern": "America/New_York",
    "edt": "America/New_York",
    "bst": "Europe/London",
    "uk": "Europe/London",
}


@cache
def valid_time_zones() -> frozenset[str]:
    """IANA time zone names accepted in Bridgework files.

    ``zoneinfo.available_timezones()`` minus the files some systems ship beside the zones
    (``localtime``, ``posixrules``, ``Factory``), which are not places.

    Examples
    --------
    >>> "America/Los_Angeles" in valid_time_zones(), "localtime" in valid_time_zones()
    (True, False)
    """
    return frozenset(zoneinfo.available_timezones() - {"localtime", "posixrules", "Factory"})


@cache
def _zones_by_key() -> dict[str, str]:
    zones: dict[str, str] = {}
    for zone in sorted(valid_time_zones()):
        zones[zone.casefold()] = zone
    for zone in sorted(valid_time_zones()):
        # "Los Angeles" finds America/Los_Angeles; full names win over cities, then the
        # alphabetically first zone with that city.
        zones.setdefault(zone.rsplit("/", 1)[-1].replace("_", " ").casefold(), zone)
    return zones


def suggest_time_zones(value: str, *, limit: int = 3) -> list[str]:
    """Valid zone names the user probably meant by ``value`` (best first, maybe none).

    Parameters
    ----------
    value : str
        What the user wrote.
    limit : int
        At most this many suggestions.

    Returns
    -------
    list of str
        An exact match ignoring case, spaces and underscores, or a common abbreviation's
        zone, alone; otherwise up to ``limit`` close spellings (difflib ratio ≥ 0.75 and
        within 0.05 of the best).

    Examples
    --------
    >>> suggest_time_zones("america/los angeles"), suggest_time_zones("America/Los_Angles")
    (['America/Los_Angeles'], ['America/Los_Angeles'])
    >>> suggest_time_zones("PST")
    ['America/Los_Angeles']

    Notes
    -----
    O(Z) for Z ≈ 600 zone names, because of difflib's scan; only called for invalid values.
    """
    key = " ".join(value.replace("_", " ").split()).casefold()
    if key in _HINTS:
        return [_HINTS[key]]
    by_key = _zones_by_key()
    for candidate in (value.strip().casefold(), key, key.replace(" ", "_")):
        if candidate in by_key:
            return [by_key[candidate]]
    typed = value.strip().casefold()
    close = difflib.get_close_matches(typed, list(by_key), n=2 * limit, cutoff=0.75)
    if close:
        # Only near-ties with the best match: "Pacific/Honolula" means Honolulu, not Noumea.
        best = difflib.SequenceMatcher(None, typed, close[0]).ratio()
        close = [m for m in close if difflib.SequenceMatcher(None, typed, m).ratio() > best - 0.05]
    return list(dict.fromkeys(by_key[match] for match in close))[:limit]

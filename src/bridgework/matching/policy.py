"""Read a round's policy from TOML, with every mistake reported at once.

A policy file sets any subset of :class:`~bridgework.matching.model.Policy`; unset values keep
their documented defaults::

    [rules]
    no_repeat_days = 180
    must_cross_organisation = false

    [groups]
    odd = "trio"          # or "sit-out"
    group_size = 2
    holdout_share = 0.1   # 0 to 0.5

    [weights]
    first_meeting = 3.0
    weak_tie_bridge = 2.0

    [candidates]
    best = 8
    random = 2
    dense_below = 200

    [solver]
    exact_max_people = 5000
    priority_bonus = 10.0

    [preferences]
    max_shared_interests = 2
    time_zone_hours = 3

Unknown sections or keys, wrong types and out-of-range values are :class:`Problem` s with the
key path in the column (``weights.first_meeting``), raised together as one
:class:`DatasetError` — the same way every input file is validated.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from pathlib import Path
from typing import Any

from bridgework.matching.model import MAX_HOLDOUT_SHARE, Policy, Weights
from bridgework.problems import DatasetError, Problem

__all__ = ["load_policy", "parse_policy"]

# section -> key -> (Policy field, kind, minimum, maximum)
_KEYS: dict[str, dict[str, tuple[str, str, float, float]]] = {
    "rules": {
        "no_repeat_days": ("no_repeat_days", "int", 0, 36500),
        "must_cross_organisation": ("must_cross_organisation", "bool", 0, 1),
    },
    "groups": {
        "odd": ("odd", "odd", 0, 0),
        "group_size": ("group_size", "int", 2, 3),
        "holdout_share": ("holdout_share", "float", 0.0, MAX_HOLDOUT_SHARE),
    },
    "candidates": {
        "best": ("best_candidates", "int", 1, 100),
        "random": ("random_candidates", "int", 0, 20),
        "dense_below": ("dense_below", "int", 0, 2000),
    },
    "solver": {
        "exact_max_people": ("exact_max_people", "int", 0, 10**7),
        "priority_bonus": ("priority_bonus", "float", 0.0, 1000.0),
    },
    "preferences": {
        "max_shared_interests": ("max_shared_interests", "int", 0, 100),
        "time_zone_hours": ("time_zone_hours", "float", 0.0, 24.0),
    },
}
_WEIGHT_NAMES = tuple(f.name for f in dataclasses.fields(Weights))
_ODD = {"trio": "trio", "sit-out": "sit_out", "sit_out": "sit_out"}
#: Keys that were renamed, so an old file gets a message saying what to write instead.
_RENAMED = {"groups.holdout": "groups.holdout_share"}


def _check(path: str, value: Any, kind: str, low: float, high: float) -> tuple[Any, str | None]:
    if kind == "bool":
        return (value, None) if isinstance(value, bool) else (None, "must be true or false")
    if kind == "odd":
        if isinstance(value, str) and value in _ODD:
            return _ODD[value], None
        return None, 'must be "trio" or "sit-out"'
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, "must be a number"
    if kind == "int" and not isinstance(value, int):
        return None, "must be a whole number"
    if not math.isfinite(value) or not low <= value <= high:
        return None, f"must be between {low:g} and {high:g}"
    return (int(value) if kind == "int" else float(value)), None


def parse_policy(data: dict[str, Any], *, base: Policy | None = None) -> Policy:
    """Build a :class:`Policy` from parsed TOML (a dict), validating every key.

    Examples
    --------
    >>> parse_policy({"groups": {"odd": "sit-out"}, "weights": {"jitter": 0.1}}).odd
    'sit_out'
    >>> parse_policy({"weights": {"shiny": 1}})
    Traceback (most recent call last):
    ...
    bridgework.problems.DatasetError: column weights.shiny: unknown setting

    Raises
    ------
    DatasetError
        With one :class:`Problem` per bad key (column = ``section.key``).
    """
    base = base or Policy()
    problems: list[Problem] = []
    changes: dict[str, Any] = {}
    weights: dict[str, float] = {}
    for section, table in data.items():
        if section != "weights" and section not in _KEYS:
            problems.append(Problem(None, section, "unknown section"))
            continue
        if not isinstance(table, dict):
            problems.append(Problem(None, section, "must be a table ([section])"))
            continue
        for key, value in table.items():
            path = f"{section}.{key}"
            if section == "weights":
                if key not in _WEIGHT_NAMES:
                    problems.append(Problem(None, path, "unknown setting"))
                    continue
                checked, error = _check(path, value, "float", 0.0, 100.0)
                target = weights
                name = key
            else:
                if key not in _KEYS[section]:
                    reason = "unknown setting"
                    if path in _RENAMED:
                        reason += f": it is now {_RENAMED[path]}"
                    problems.append(Problem(None, path, reason))
                    continue
                name, kind, low, high = _KEYS[section][key]
                checked, error = _check(path, value, kind, low, high)
                target = changes
            if error:
                problems.append(Problem(None, path, error))
            else:
                target[name] = checked
    if problems:
        raise DatasetError(problems)
    if weights:
        changes["weights"] = dataclasses.replace(base.weights, **weights)
    return dataclasses.replace(base, **changes)


def load_policy(source: str | os.PathLike[str], *, base: Policy | None = None) -> Policy:
    """Read and validate a policy TOML file (see the module docstring for the format).

    Raises
    ------
    DatasetError
        The file is not valid TOML, or any setting is unknown, mistyped or out of range.
    """
    try:
        data = tomllib.loads(Path(source).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DatasetError([Problem(None, None, f"not valid TOML ({exc})")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError([Problem(None, None, f"cannot read the policy file ({exc})")]) from exc
    return parse_policy(data, base=base)

"""Loading the whole demo into the database (`bridgework demo`, `bridgework serve`, `make run`).

Orchestration sits above every app: the directory's demo network first, then each instrument's
demo data on top of it (RC survey waves, the network survey wave, a coffee programme). A new
instrument adds its loader here, never to the directory.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from bridgework.directory.demo import (
    DEMO_COORDINATOR_EMAIL,
    DEMO_COORDINATOR_PASSWORD,
    database_is_empty,
    demo_coordinator,
    demo_network_exists,
    directory_demo_load,
)
from bridgework.ona.demo import network_demo_load
from bridgework.programmes.demo import programme_demo_load
from bridgework.surveys.demo import survey_demo_load

__all__ = [
    "DEMO_COORDINATOR_EMAIL",
    "DEMO_COORDINATOR_PASSWORD",
    "DemoLogin",
    "database_is_empty",
    "demo_load",
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    created: bool


@transaction.atomic
def demo_load() -> DemoLogin | None:
    """Create the demo networks, coordinator and every instrument's demo data, unless the demo
    network already exists (then nothing changes and ``None`` is returned)."""
    if demo_network_exists():
        return None
    user, created = demo_coordinator()
    network, seed = directory_demo_load(owner=user)
    survey_demo_load(network=network, seed=seed)
    programme_demo_load(network=network, seed=seed)
    network_demo_load(network, seed=seed)
    return DemoLogin(DEMO_COORDINATOR_EMAIL, DEMO_COORDINATOR_PASSWORD, created)

"""The demo network: Riverbend County's system of care, fictional and reproducible.

A new installation (``make run``), the documentation, the browser tests and anyone trying
Bridgework need a network that looks like the real thing: several agencies of very different
sizes, teams inside them, the cross-agency roles of a family-reunification process, and a
few hundred staff with managers. :func:`build_demo_network` makes one from a seed, the same
every time for the same seed, without touching a database, so every caller loads the same
people.

Every random draw comes from :func:`demo_rng`, a ``random.Random`` seeded with the network
seed *and the purpose of the draw*. Later parts of the demo (survey responses, network
nominations, pairing rounds) take their own stream from :func:`demo_rng`, so adding them never
changes the people generated here.

Riverbend County, its agencies and staff are invented. Email addresses use domains under
``.example``, reserved for documentation by RFC 2606, so no demo email can reach anyone.

References
----------
Eastlake, D. & Panitz, A. (1999). Reserved Top Level DNS Names. RFC 2606.
Gittell, J. H. & Ali, H. N. (2021). *Relational Analytics*. Edward Elgar: workgroups as roles
in a focal work process.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bridgework.datasets.demo_catalogue import ORGANISATIONS, WORKGROUPS, OrganisationSpec
from bridgework.datasets.demo_names import FAMILY_NAMES, GIVEN_NAMES
from bridgework.datasets.people import PersonRecord

__all__ = [
    "DEMO_NETWORK_NAME",
    "DEMO_NETWORK_SLUG",
    "DEMO_SEED",
    "DEMO_TIME_ZONE",
    "DEMO_WORK_PROCESS",
    "DemoNetwork",
    "DemoOrganisation",
    "DemoTeam",
    "DemoWorkgroup",
    "build_demo_network",
    "demo_rng",
    "email_local_part",
]

DEMO_NETWORK_NAME = "Riverbend County System of Care"
DEMO_NETWORK_SLUG = "riverbend-county"
#: The seed used when none is given: the demo everyone sees.
DEMO_SEED = 2026
DEMO_TIME_ZONE = "America/Los_Angeles"
#: The focal work process the demo's workgroups are roles in.
DEMO_WORK_PROCESS = "Family reunification"

# Staff who work remotely from elsewhere; everyone else is on Pacific time.
_OTHER_TIME_ZONES = (
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/New_York",
    "Pacific/Honolulu",
)
_REMOTE_SHARE = 0.04
_INACTIVE_COUNT = 7
_FAMILY_NAMES_LONGEST_FIRST = sorted(FAMILY_NAMES, key=len, reverse=True)
# Share of a team working from its own office; the rest are spread over the agency's sites.
_AT_TEAM_OFFICE = 0.85


@dataclass(frozen=True)
class DemoOrganisation:
    """An agency or provider of the demo network; ``domain`` is its fictional email domain."""

    name: str
    short_name: str
    kind: str
    description: str
    domain: str


@dataclass(frozen=True)
class DemoTeam:
    """A team, named within its organisation (``organisation`` is the organisation's name)."""

    organisation: str
    name: str


@dataclass(frozen=True)
class DemoWorkgroup:
    """A role in the family-reunification process, shared across agencies."""

    name: str
    description: str


@dataclass(frozen=True)
class DemoNetwork:
    """Everything the demo loads, in a stable order.

    ``people`` are :class:`~bridgework.datasets.people.PersonRecord` with ``row=0``, each
    organisation's director first, then each team's manager followed by its members.
    """

    name: str
    slug: str
    seed: int
    time_zone: str
    work_process: str
    organisations: tuple[DemoOrganisation, ...]
    teams: tuple[DemoTeam, ...]
    workgroups: tuple[DemoWorkgroup, ...]
    people: tuple[PersonRecord, ...]

    def people_in(self, organisation: str) -> tuple[PersonRecord, ...]:
        """The people of one organisation, by its name."""
        return tuple(person for person in self.people if person.organisation == organisation)


def demo_rng(seed: int, purpose: str) -> random.Random:
    """The random stream for one part of the demo, independent of every other part.

    ``random.Random`` seeded with a string is reproducible across runs and platforms (it is
    hashed with SHA-512, not Python's randomised ``hash``).

    Examples
    --------
    >>> demo_rng(2026, "people").random() == demo_rng(2026, "people").random()
    True
    >>> demo_rng(2026, "people").random() == demo_rng(2026, "pairing").random()
    False
    """
    return random.Random(f"bridgework-demo:{seed}:{purpose}")


def email_local_part(name: str) -> str:
    """ASCII email local part for a name: ``"Zoë Dela Cruz"`` → ``"zoe.delacruz"``.

    Given name and family name are joined with a dot; diacritics are folded, spaces and
    apostrophes dropped, hyphens kept.

    Examples
    --------
    >>> email_local_part("Nkechi O'Brien"), email_local_part("Min-jun Nguyễn")
    ('nkechi.obrien', 'min-jun.nguyen')
    """
    given, _, family = name.rpartition(" ")
    for known in _FAMILY_NAMES_LONGEST_FIRST:  # family names may contain a space
        if name.endswith(" " + known):
            given, family = name[: -len(known) - 1], known
            break

    def fold(part: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode()
        return "".join(c for c in ascii_text.lower() if c.isalnum() or c == "-")

    return f"{fold(given)}.{fold(family)}"


def _split(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Split ``total`` into parts proportional to ``weights`` (largest remainder), each
    at least ``minimum``."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError(f"cannot give {len(weights)} parts at least {minimum} from {total}")
    exact = [spare * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [minimum + part for part in parts]


class _Staffing:
    """Draws names, emails, places and time zones for people, never reusing a name."""

    def __init__(self, rng: random.Random, total: int) -> None:
        self.rng = rng
        pairs = rng.sample(range(len(GIVEN_NAMES) * len(FAMILY_NAMES)), total)
        self.names = [
            f"{GIVEN_NAMES[i // len(FAMILY_NAMES)]} {FAMILY_NAMES[i % len(FAMILY_NAMES)]}"
            for i in pairs
        ]
        self.used_emails: set[str] = set()

    def person(
        self,
        spec: OrganisationSpec,
        *,
        team: str,
        workgroup: str,
        job_title: str,
        office: str,
        manager_email: str,
    ) -> PersonRecord:
        name = self.names.pop()
        local = email_local_part(name)
        email = f"{local}@{spec.domain}"
        suffix = 2
        while email in self.used_emails:  # two people with one name in one agency
            email = f"{local}{suffix}@{spec.domain}"
            suffix += 1
        self.used_emails.add(email)
        if self.rng.random() >= _AT_TEAM_OFFICE:
            office = self.rng.choices(spec.towns, weights=spec.town_weights)[0]
        remote = self.rng.random() < _REMOTE_SHARE
        return PersonRecord(
            row=0,
            name=name,
            email=email,
            organisation=spec.name,
            team=team,
            workgroup=workgroup,
            job_title=job_title,
            location=office,
            time_zone=self.rng.choice(_OTHER_TIME_ZONES) if remote else DEMO_TIME_ZONE,
            manager_email=manager_email,
        )


def _staff_organisation(spec: OrganisationSpec, staffing: _Staffing) -> list[PersonRecord]:
    rng = staffing.rng
    headquarters = spec.towns[0]
    director = staffing.person(
        spec,
        team="",
        workgroup="Supervisors and managers",
        job_title=spec.director_title,
        office=headquarters,
        manager_email="",
    )
    people = [director]
    # Each team: a manager plus at least one member; the director is counted in headcount.
    sizes = _split(spec.headcount - 1, [team.weight for team in spec.teams], minimum=2)
    for team, size in zip(spec.teams, sizes, strict=True):
        office = rng.choices(spec.towns, weights=spec.town_weights)[0]
        manager = staffing.person(
            spec,
            team=team.name,
            workgroup="Supervisors and managers",
            job_title=team.manager_title,
            office=office,
            manager_email=director.email,
        )
        people.append(manager)
        weights = [role.weight for role in team.roles]
        for _ in range(size - 1):
            role = rng.choices(team.roles, weights=weights)[0]
            people.append(
                staffing.person(
                    spec,
                    team=team.name,
                    workgroup=role.workgroup,
                    job_title=rng.choice(role.titles),
                    office=office,
                    manager_email=manager.email,
                )
            )
    return people


def build_demo_network(seed: int = DEMO_SEED) -> DemoNetwork:
    """Build Riverbend County's system of care: agencies, teams, workgroups and ~300 staff.

    Parameters
    ----------
    seed : int
        Same seed, same network (names, emails, teams, offices, who is inactive).

    Returns
    -------
    DemoNetwork
        Nine organisations of eight kinds (child welfare and behavioural health largest),
        2–5 teams each, 15 cross-agency workgroups and 300 people. Every team has a manager
        who reports to the organisation's director; a handful of staff are inactive.

    Examples
    --------
    >>> demo = build_demo_network()
    >>> len(demo.people), len(demo.organisations), demo == build_demo_network(DEMO_SEED)
    (300, 9, True)
    >>> demo.people[0].job_title
    'Director of Child and Family Services'

    Notes
    -----
    O(people); a few milliseconds. Sizes and structure come from the catalogue in
    :mod:`bridgework.datasets.demo_catalogue`; only the people vary with the seed.
    """
    organisations = tuple(
        DemoOrganisation(spec.name, spec.short_name, spec.kind, spec.description, spec.domain)
        for spec in ORGANISATIONS
    )
    teams = tuple(DemoTeam(spec.name, team.name) for spec in ORGANISATIONS for team in spec.teams)
    workgroups = tuple(DemoWorkgroup(name, description) for name, description in WORKGROUPS)

    rng = demo_rng(seed, "people")
    staffing = _Staffing(rng, sum(spec.headcount for spec in ORGANISATIONS))
    people: list[PersonRecord] = []
    for spec in ORGANISATIONS:
        people.extend(_staff_organisation(spec, staffing))
    # People leave: a few members (never a manager, whose reports would be orphaned) are
    # inactive, as in any directory kept for a while.
    managers = {person.manager_email for person in people}
    candidates = [i for i, person in enumerate(people) if person.email not in managers]
    for i in rng.sample(candidates, _INACTIVE_COUNT):
        people[i] = replace(people[i], active=False)
    return DemoNetwork(
        name=DEMO_NETWORK_NAME,
        slug=DEMO_NETWORK_SLUG,
        seed=seed,
        time_zone=DEMO_TIME_ZONE,
        work_process=DEMO_WORK_PROCESS,
        organisations=organisations,
        teams=teams,
        workgroups=workgroups,
        people=tuple(people),
    )

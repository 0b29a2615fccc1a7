"""Network roles: Broker, Connector, Energiser, Peripheral and Challenger, by documented rules.

Battilana & Casciaro (2012) found that change agents whose networks bridge otherwise
disconnected groups succeed at divergent change, and those in cohesive networks at incremental
change. An improvement network therefore wants to know who its **brokers** (bridging groups)
and **connectors** (trusted hubs inside a cohesive group) are, after Arena's (2018) Adaptive
Space roles. Each role here is a simple, tunable rule on the measures, so a coordinator can
read on the page exactly why someone was given a role — :func:`explain_role` says it in plain
words with the thresholds in force. A person may hold several roles or none.

"Top share" thresholds are ranks, not raw values, so they mean the same in a network of 30 or
3,000 people: a person is in the top 10% when at least 90% of the people compared have a
strictly lower value, and a value of zero never qualifies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

__all__ = [
    "ROLES",
    "RoleInputs",
    "RoleRules",
    "assign_roles",
    "explain_role",
    "share_below",
]

#: Role keys in display order.
ROLES = ("broker", "connector", "energiser", "peripheral", "challenger")


@dataclass(frozen=True)
class RoleRules:
    """Thresholds of the role rules; every field is documented in ``docs/methods/network.md``.

    Attributes
    ----------
    broker_top_share : float
        Broker: in this top share of people by brokerage total or by betweenness.
    broker_max_constraint_share : float
        Broker: constraint no higher than this share of people with ties (0.5 = the median).
    broker_min_outside_groups : int
        Broker: contacts in at least this many groups other than their own.
    connector_top_share : float
        Connector: in this top share of their community by nominations received from it.
    connector_min_in_degree : int
        Connector: at least this many nominations received from their own community.
    connector_min_clustering : float
        Connector: local clustering at least this (their contacts know one another).
    energiser_relation : str
        The relation holding "interactions leave me energised" ratings.
    energiser_min_ratings : int
        Energiser: at least this many energy ratings received.
    energiser_min_mean : float
        Energiser: mean energy rating received at least this (on the 1–5 scale).
    peripheral_max_contacts : int
        Peripheral: tied (either direction) to at most this many people.
    """

    broker_top_share: float = 0.10
    broker_max_constraint_share: float = 0.50
    broker_min_outside_groups: int = 2
    connector_top_share: float = 0.20
    connector_min_in_degree: int = 3
    connector_min_clustering: float = 0.30
    energiser_relation: str = "energy"
    energiser_min_ratings: int = 3
    energiser_min_mean: float = 4.0
    peripheral_max_contacts: int = 1

    def to_dict(self) -> dict[str, object]:
        """The thresholds as a JSON object."""
        return asdict(self)


@dataclass(frozen=True, eq=False)
class RoleInputs:
    """Per-person measures the rules read, as arrays in person order.

    ``community`` is ``-1`` for people in none; ``energy_mean`` is ``nan`` without ratings;
    ``challenger`` marks people whose self-assessment's primary roles include Challenger.
    """

    brokerage: np.ndarray
    betweenness: np.ndarray
    constraint: np.ndarray
    outside_groups: np.ndarray
    community: np.ndarray
    in_degree_in_community: np.ndarray
    clustering: np.ndarray
    contacts: np.ndarray
    energy_ratings: np.ndarray
    energy_mean: np.ndarray
    challenger: np.ndarray


def share_below(values: np.ndarray) -> np.ndarray:
    """For each value, the share of the *other* values that are strictly lower.

    Examples
    --------
    >>> share_below(np.array([0.0, 5.0, 5.0, 9.0])).tolist()
    [0.0, 0.3333333333333333, 0.3333333333333333, 1.0]

    Notes
    -----
    O(n log n) (one sort).
    """
    values = np.asarray(values, dtype=float)
    if values.size <= 1:
        return np.zeros(values.size)
    ordered = np.sort(values)
    return np.searchsorted(ordered, values, side="left") / (values.size - 1)


def _top(values: np.ndarray, share: float) -> np.ndarray:
    return (values > 0) & (share_below(values) >= 1.0 - share - 1e-12)


def assign_roles(inputs: RoleInputs, rules: RoleRules | None = None) -> dict[str, np.ndarray]:
    """Apply the role rules: a boolean array per role in :data:`ROLES`.

    Parameters
    ----------
    inputs : RoleInputs
    rules : RoleRules, optional
        Thresholds; the documented defaults when omitted.

    Returns
    -------
    dict of str to ndarray of bool

    Examples
    --------
    >>> ones = np.ones(4)
    >>> inputs = RoleInputs(
    ...     brokerage=np.array([0, 0, 0, 8]), betweenness=np.array([0, 0, 0, 6.0]),
    ...     constraint=np.array([0.9, 0.9, 0.9, 0.3]), outside_groups=np.array([0, 0, 1, 3]),
    ...     community=np.zeros(4, int), in_degree_in_community=np.array([1, 1, 1, 3]),
    ...     clustering=ones * 0.5, contacts=np.array([1, 2, 2, 3]),
    ...     energy_ratings=np.zeros(4), energy_mean=ones * np.nan,
    ...     challenger=np.zeros(4, bool))
    >>> {role: np.flatnonzero(mask).tolist() for role, mask in assign_roles(inputs).items()}
    {'broker': [3], 'connector': [3], 'energiser': [], 'peripheral': [0], 'challenger': []}

    Notes
    -----
    O(n log n).
    """
    rules = rules or RoleRules()
    tied = inputs.contacts > 0
    broker = _top(inputs.brokerage, rules.broker_top_share) | _top(
        inputs.betweenness, rules.broker_top_share
    )
    constraint = np.where(tied, inputs.constraint, np.inf)
    if tied.any():
        cut = np.quantile(inputs.constraint[tied], rules.broker_max_constraint_share)
        broker &= constraint <= cut
    else:
        broker &= False
    broker &= inputs.outside_groups >= rules.broker_min_outside_groups

    connector = np.zeros(inputs.contacts.size, dtype=bool)
    community = inputs.community
    for label in np.unique(community[community >= 0]):
        members = np.flatnonzero(community == label)
        connector[members] = _top(inputs.in_degree_in_community[members], rules.connector_top_share)
    connector &= inputs.in_degree_in_community >= rules.connector_min_in_degree
    connector &= inputs.clustering >= rules.connector_min_clustering

    with np.errstate(invalid="ignore"):
        energiser = (inputs.energy_ratings >= rules.energiser_min_ratings) & (
            np.nan_to_num(inputs.energy_mean, nan=-np.inf) >= rules.energiser_min_mean
        )
    peripheral = inputs.contacts <= rules.peripheral_max_contacts
    return {
        "broker": broker,
        "connector": connector,
        "energiser": energiser,
        "peripheral": peripheral,
        "challenger": np.asarray(inputs.challenger, dtype=bool),
    }


#: Display names of the roles.
ROLE_LABELS: Mapping[str, str] = {
    "broker": "Broker",
    "connector": "Connector",
    "energiser": "Energiser",
    "peripheral": "Peripheral",
    "challenger": "Challenger",
}


def _percent(share: float) -> str:
    return f"{share * 100:g}%"


def explain_role(role: str, rules: RoleRules | None = None) -> str:
    """A plain-language explanation of a role and the rule behind it, for the page.

    Examples
    --------
    >>> explain_role("peripheral")[:48]
    'Peripheral: on the edge of the network, with at '
    """
    rules = rules or RoleRules()
    if role == "broker":
        return (
            "Broker: links groups that would otherwise not be linked. Among the top "
            f"{_percent(rules.broker_top_share)} of people for passing contact between others "
            "(brokerage or betweenness), with contacts who mostly do not know one another "
            f"(constraint no higher than {_percent(rules.broker_max_constraint_share)} of "
            f"people), and with contacts in at least {rules.broker_min_outside_groups} other "
            "groups. Brokers help new ideas travel and suit change that breaks with the past."
        )
    if role == "connector":
        return (
            "Connector: a trusted hub inside a close-knit group. Among the top "
            f"{_percent(rules.connector_top_share)} of their community for being named by its "
            f"members (and named by at least {rules.connector_min_in_degree}), and at least "
            f"{_percent(rules.connector_min_clustering)} of pairs of their contacts know one "
            "another. Connectors help a group adopt change together."
        )
    if role == "energiser":
        return (
            "Energiser: people leave working with them feeling energised. Rated at least "
            f"{rules.energiser_min_mean:g} out of 5 on average by at least "
            f"{rules.energiser_min_ratings} colleagues on whether interactions leave them "
            "energised. Energisers draw people into change."
        )
    if role == "peripheral":
        return (
            "Peripheral: on the edge of the network, with at most "
            f"{rules.peripheral_max_contacts} tie(s) in either direction. Often new, part-time "
            "or specialist; a good place to offer introductions, and sometimes a source of "
            "fresh views."
        )
    if role == "challenger":
        return (
            "Challenger: by their own account in the network roles self-assessment, they "
            "question how things are done and push for better ways. Taken from the "
            "self-assessment, not from the network data."
        )
    raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")

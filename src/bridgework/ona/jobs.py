"""Network waves' and the roles self-assessment's bulk actions, run by the worker with
progress (:mod:`bridgework.jobs`)."""

from __future__ import annotations

from django.urls import reverse

from bridgework.directory.models import Network
from bridgework.jobs.kinds import JobKind, register
from bridgework.ona import selectors, services
from bridgework.waves.jobs import wave_jobs_register

_JOBS = wave_jobs_register(
    kind=services.NETWORK_WAVES,
    prefix="network",
    load=selectors.network_wave_for,
    show_route="networks:nwaves_show",
    called="survey",
)
INVITATIONS = _JOBS.invitations
REMINDERS = _JOBS.reminders
ROLES_INVITATIONS = "roles-invitations"


def _network(network: Network, pk: int) -> Network:
    if network.pk != pk:
        raise Network.DoesNotExist("the roles self-assessment of another network")
    return network


register(
    JobKind(
        name=ROLES_INVITATIONS,
        title="Sending self-assessment links",
        verb="Sent",
        noun="links",
        noun_one="link",
        load=_network,
        back=lambda network: (
            reverse("networks:roles", kwargs={"network": network.slug}),
            "the roles self-assessment",
        ),
        remaining=lambda network: services.roles_invitations_remaining(network=network),
        batch=lambda network, n: services.roles_invitations_create_batch(network=network, limit=n),
    )
)

"""Network waves' and the roles self-assessment's bulk actions, run by the worker with
progress (:mod:`bridgework.jobs`)."""

from __future__ import annotations

from django.urls import reverse

from bridgework.directory.models import Network
from bridgework.jobs.kinds import JobKind, register
from bridgework.networks import selectors, services
from bridgework.networks.models import NetworkWave
from bridgework.waves import services as waves
from bridgework.waves.services import WaveClosedError

INVITATIONS = "network-invitations"
REMINDERS = "network-reminders"
ROLES_INVITATIONS = "roles-invitations"


def _load(network: Network, pk: int) -> NetworkWave:
    return selectors.network_wave_for(network, pk)


def _back(wave: NetworkWave) -> tuple[str, str]:
    url = reverse("networks:nwaves_show", kwargs={"network": wave.network.slug, "pk": wave.pk})
    return url, wave.name


def _check_not_closed(wave: NetworkWave) -> None:
    if wave.is_closed:
        raise WaveClosedError("This survey has closed, so no more invitations can be sent.")


def _check_open(wave: NetworkWave) -> None:
    if not wave.is_open:
        raise WaveClosedError("Reminders can only be sent while the survey is open.")


def _network(network: Network, pk: int) -> Network:
    if network.pk != pk:
        raise Network.DoesNotExist("the roles self-assessment of another network")
    return network


register(
    JobKind(
        name=INVITATIONS,
        title="Sending invitations",
        verb="Sent",
        noun="invitations",
        noun_one="invitation",
        load=_load,
        back=_back,
        remaining=lambda wave: waves.invitations_remaining(kind=services.NETWORK_WAVES, wave=wave),
        batch=lambda wave, n: waves.invitations_create_batch(
            kind=services.NETWORK_WAVES, wave=wave, limit=n
        ),
        check=_check_not_closed,
        refusals=(WaveClosedError,),
    )
)
register(
    JobKind(
        name=REMINDERS,
        title="Sending reminders",
        verb="Sent",
        noun="reminders",
        noun_one="reminder",
        load=_load,
        back=_back,
        remaining=lambda wave: waves.reminders_remaining(kind=services.NETWORK_WAVES, wave=wave),
        batch=lambda wave, n: waves.reminders_send_batch(
            kind=services.NETWORK_WAVES, wave=wave, limit=n
        ),
        check=_check_open,
        refusals=(WaveClosedError,),
    )
)
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

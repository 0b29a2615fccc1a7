"""RC waves' bulk actions, run by the worker with progress (:mod:`bridgework.jobs`)."""

from __future__ import annotations

from django.urls import reverse

from bridgework.directory.models import Network
from bridgework.jobs.kinds import JobKind, register
from bridgework.surveys import selectors
from bridgework.surveys.models import Wave
from bridgework.surveys.services import RC_WAVES
from bridgework.waves import services as waves
from bridgework.waves.services import WaveClosedError

INVITATIONS = "rc-invitations"
REMINDERS = "rc-reminders"


def _load(network: Network, pk: int) -> Wave:
    return selectors.wave_for(network, pk)


def _back(wave: Wave) -> tuple[str, str]:
    url = reverse("surveys:waves_show", kwargs={"network": wave.network.slug, "pk": wave.pk})
    return url, wave.name


def _check_not_closed(wave: Wave) -> None:
    if wave.is_closed:
        raise WaveClosedError("This wave has closed, so no more invitations can be sent.")


def _check_open(wave: Wave) -> None:
    if not wave.is_open:
        raise WaveClosedError("Reminders can only be sent while the wave is open.")


register(
    JobKind(
        name=INVITATIONS,
        title="Sending invitations",
        verb="Sent",
        noun="invitations",
        noun_one="invitation",
        load=_load,
        back=_back,
        remaining=lambda wave: waves.invitations_remaining(kind=RC_WAVES, wave=wave),
        batch=lambda wave, n: waves.invitations_create_batch(kind=RC_WAVES, wave=wave, limit=n),
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
        remaining=lambda wave: waves.reminders_remaining(kind=RC_WAVES, wave=wave),
        batch=lambda wave, n: waves.reminders_send_batch(kind=RC_WAVES, wave=wave, limit=n),
        check=_check_open,
        refusals=(WaveClosedError,),
    )
)

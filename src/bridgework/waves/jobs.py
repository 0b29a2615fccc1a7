"""A wave's bulk actions — sending its invitations and its reminders — as worker jobs with
progress (:mod:`bridgework.jobs`), described once for every instrument.

An instrument registers its two kinds with :func:`wave_jobs_register`, naming only what is
its own: the :class:`~bridgework.waves.services.WaveKind`, how a wave is found in a network
and the page a job links back to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext_lazy

from bridgework.directory.models import Network
from bridgework.jobs.kinds import JobKind, register
from bridgework.waves import services as waves
from bridgework.waves.models import AbstractWave
from bridgework.waves.services import WaveClosedError, WaveKind

__all__ = ["WaveJobs", "wave_jobs_register"]


@dataclass(frozen=True)
class WaveJobs:
    """The job kind names of one instrument's invitations and reminders."""

    invitations: str
    reminders: str


def wave_jobs_register(
    *,
    kind: WaveKind,
    prefix: str,
    load: Callable[[Network, int], AbstractWave],
    show_route: str,
    closed: Any,
    not_open: Any,
) -> WaveJobs:
    """Register the instrument's two bulk actions, named ``<prefix>-invitations`` and
    ``<prefix>-reminders``; ``closed`` and ``not_open`` are the (lazily translated) refusals
    when invitations are started for a closed wave and reminders for one that is not open."""

    def back(wave: AbstractWave) -> tuple[str, str]:
        url = reverse(show_route, kwargs={"network": wave.network.slug, "pk": wave.pk})
        return url, wave.name

    def not_closed(wave: AbstractWave) -> None:
        if wave.is_closed:
            raise WaveClosedError(str(closed))

    def open_now(wave: AbstractWave) -> None:
        if not wave.is_open:
            raise WaveClosedError(str(not_open))

    names = WaveJobs(invitations=f"{prefix}-invitations", reminders=f"{prefix}-reminders")
    register(
        JobKind(
            name=names.invitations,
            title=gettext_lazy("Sending invitations"),
            progress=ngettext_lazy(
                "Sent %(done)s of %(total)s invitation",
                "Sent %(done)s of %(total)s invitations",
                "count",
            ),
            outcome=ngettext_lazy(
                "Sent %(done)s invitation.",
                "Sent %(done)s invitations.",
                "count",
            ),
            waiting=ngettext_lazy(
                "Waiting to start: %(total)s invitation to go.",
                "Waiting to start: %(total)s invitations to go.",
                "count",
            ),
            load=load,
            back=back,
            remaining=lambda wave: waves.invitations_remaining(kind=kind, wave=wave),
            batch=lambda wave, n: waves.invitations_create_batch(kind=kind, wave=wave, limit=n),
            check=not_closed,
            refusals=(WaveClosedError,),
        )
    )
    register(
        JobKind(
            name=names.reminders,
            title=gettext_lazy("Sending reminders"),
            progress=ngettext_lazy(
                "Sent %(done)s of %(total)s reminder",
                "Sent %(done)s of %(total)s reminders",
                "count",
            ),
            outcome=ngettext_lazy(
                "Sent %(done)s reminder.",
                "Sent %(done)s reminders.",
                "count",
            ),
            waiting=ngettext_lazy(
                "Waiting to start: %(total)s reminder to go.",
                "Waiting to start: %(total)s reminders to go.",
                "count",
            ),
            load=load,
            back=back,
            remaining=lambda wave: waves.reminders_remaining(kind=kind, wave=wave),
            batch=lambda wave, n: waves.reminders_send_batch(kind=kind, wave=wave, limit=n),
            check=open_now,
            refusals=(WaveClosedError,),
        )
    )
    return names

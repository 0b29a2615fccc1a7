"""RC waves' bulk actions, run by the worker with progress (:mod:`bridgework.waves.jobs`)."""

from __future__ import annotations

from bridgework.surveys import selectors
from bridgework.surveys.services import RC_WAVES
from bridgework.waves.jobs import wave_jobs_register

_JOBS = wave_jobs_register(
    kind=RC_WAVES,
    prefix="rc",
    load=selectors.wave_for,
    show_route="surveys:waves_show",
    called="wave",
)
INVITATIONS = _JOBS.invitations
REMINDERS = _JOBS.reminders

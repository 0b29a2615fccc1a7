"""RC waves' bulk actions, run by the worker with progress (:mod:`bridgework.waves.jobs`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from bridgework.surveys import selectors
from bridgework.surveys.services import RC_WAVES
from bridgework.waves.jobs import wave_jobs_register

_JOBS = wave_jobs_register(
    kind=RC_WAVES,
    prefix="rc",
    load=selectors.wave_for,
    show_route="surveys:waves_show",
    closed=gettext_lazy("This wave has closed, so no more invitations can be sent."),
    not_open=gettext_lazy("Reminders can only be sent while the wave is open."),
)
INVITATIONS = _JOBS.invitations
REMINDERS = _JOBS.reminders

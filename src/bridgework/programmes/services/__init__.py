"""Changing programmes: one function per state change, in a module named for its concept.

Views, the worker tick, the demo and tests call these (``services.round_publish(round_=...)``);
the reads they share (a personal link's enrolment, a confirmation link's sign-up, whether a
round is due) are in :mod:`bridgework.programmes.selectors`.

* :mod:`.guides` — conversation guides;
* :mod:`.programmes` — a programme's settings and enrolling its audience;
* :mod:`.signup` — asking to join, confirming, and each person's own choices;
* :mod:`.rounds` — drawing and publishing a round;
* :mod:`.matches` — a published match that is cancelled, moved or left;
* :mod:`.feedback` — a person's feedback on their match;
* :mod:`.scheduling` — the worker's tick;
* :mod:`.erasure` — erasing one person's records.

Emails to participants are composed and sent by :mod:`bridgework.programmes.mailing`, which
makes every send idempotent; these modules decide *when*.
"""

from __future__ import annotations

from bridgework.programmes.exceptions import ProgrammeError
from bridgework.programmes.services.erasure import person_data_erase
from bridgework.programmes.services.feedback import feedback_save
from bridgework.programmes.services.guides import guide_create, guide_update, guides_ensure_builtin
from bridgework.programmes.services.matches import (
    match_cancel,
    match_reschedule,
    matches_withdraw,
)
from bridgework.programmes.services.programmes import (
    enrol_audience,
    programme_create,
    programme_update,
)
from bridgework.programmes.services.rounds import (
    round_create,
    round_draw,
    round_publish,
    round_reseed,
)
from bridgework.programmes.services.scheduling import programmes_tick
from bridgework.programmes.services.signup import (
    enrolment_create,
    enrolment_leave,
    enrolment_pause,
    enrolment_resume,
    enrolment_update_profile,
    enrolments_resume_due,
    signup_confirm,
    signup_request,
)

__all__ = [
    "ProgrammeError",
    "enrol_audience",
    "enrolment_create",
    "enrolment_leave",
    "enrolment_pause",
    "enrolment_resume",
    "enrolment_update_profile",
    "enrolments_resume_due",
    "feedback_save",
    "guide_create",
    "guide_update",
    "guides_ensure_builtin",
    "match_cancel",
    "match_reschedule",
    "matches_withdraw",
    "person_data_erase",
    "programme_create",
    "programme_update",
    "programmes_tick",
    "round_create",
    "round_draw",
    "round_publish",
    "round_reseed",
    "signup_confirm",
    "signup_request",
]

"""The calendar invitation of an introduction: an iTIP meeting request (RFC 5546) carrying
one iCalendar event (RFC 5545), made with icalendar.

Every introduction is a ``METHOD:REQUEST`` with everyone in the match as a required attendee
who has not answered yet (``PARTSTAT=NEEDS-ACTION``, ``RSVP=TRUE``), so mail clients show
Accept, Tentative and Decline. The organiser is :setting:`CALENDAR_ORGANIZER_EMAIL`, named
after the programme; replies go to that address. The event's UID is stable per match and its
SEQUENCE is the match's ``calendar_sequence``: an update (a new time, a trio that became a
pair) is another REQUEST with a higher SEQUENCE, a cancellation a ``METHOD:CANCEL`` with
``STATUS:CANCELLED`` — calendars replace or remove the event they already hold.

Times are written in the recipient's own zone (``TZID`` with its ``VTIMEZONE``, from
zoneinfo), or in UTC (``Z``) for someone in UTC, so the instant is the same for everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

__all__ = [
    "CALENDAR_FILENAME",
    "MEETING_LENGTH",
    "calendar_mimetype",
    "match_invitation",
    "match_uid",
]

#: A coffee is suggested for half an hour.
MEETING_LENGTH = timedelta(minutes=30)
#: The attached file's name (the same for requests and cancellations).
CALENDAR_FILENAME = "invite.ics"

Method = Literal["REQUEST", "CANCEL"]


def calendar_mimetype(method: Method) -> str:
    """The MIME type of an invitation part: mail clients read the method from it."""
    return f"text/calendar; method={method}; charset=UTF-8"


def _address(email: str) -> str:
    return f"mailto:{email}"


def _organizer(programme) -> vCalAddress:  # type: ignore[no-untyped-def]
    _, email = parseaddr(settings.CALENDAR_ORGANIZER_EMAIL)
    organizer = vCalAddress(_address(email or settings.CALENDAR_ORGANIZER_EMAIL))
    organizer.params["cn"] = vText(programme.name)
    return organizer


def match_uid(match) -> str:  # type: ignore[no-untyped-def]
    """The event's UID: one per match, whatever is sent about it later."""
    host = settings.SITE_URL.split("//")[-1].split("/")[0] or "bridgework"
    return f"match-{match.pk}@{host}"


def match_invitation(
    *,
    match,  # type: ignore[no-untyped-def]
    programme,  # type: ignore[no-untyped-def]
    members: Sequence[dict[str, str]],
    method: Method = "REQUEST",
    zone: str = "UTC",
    stamp: datetime | None = None,
) -> str:
    """An iCalendar document with one event: the suggested slot for ``match``.

    Parameters
    ----------
    match, programme
        The match (its ``pk``, ``suggested_at`` and ``calendar_sequence``) and its programme.
    members
        The attendees, each with ``name`` and ``email``: everyone still in the match for a
        request; for a cancellation, the people whose event is cancelled.
    method
        ``"REQUEST"`` for an introduction or an update, ``"CANCEL"`` for a cancellation.
    zone
        The recipient's time zone name; start and end are written in it.
    stamp
        When the invitation was made (``DTSTAMP``); now by default.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Bridgework//coffee programmes//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", match_uid(match))
    event.add("sequence", match.calendar_sequence)
    event.add("dtstamp", (stamp or timezone.now()).astimezone(UTC))
    tz = ZoneInfo(zone) if zone and zone != "UTC" else UTC
    start = match.suggested_at.astimezone(tz)
    event.add("dtstart", start)
    event.add("dtend", start + MEETING_LENGTH)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    names = " and ".join(m["name"] for m in members)
    event.add("summary", f"Coffee: {names}")
    guide = programme.guide
    if method == "CANCEL":
        lines = [f"{programme.name}. This coffee has been cancelled."]
    else:
        lines = [f"{programme.name}. A suggested time — change it to suit you all."]
        if guide is not None:
            lines += ["", guide.title, *guide.prompts()]
    event.add("description", "\n".join(lines))
    event.add("organizer", _organizer(programme))
    for member in members:
        attendee = vCalAddress(_address(member["email"]))
        attendee.params["cn"] = vText(member["name"])
        attendee.params["cutype"] = vText("INDIVIDUAL")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        # A request asks each attendee to answer; a cancellation expects no answer.
        attendee.params["rsvp"] = vText("FALSE" if method == "CANCEL" else "TRUE")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    # The zone's rules around the meeting only: a year either side keeps the file short.
    calendar.add_missing_timezones(
        first_date=start.date() - timedelta(days=366), last_date=start.date() + timedelta(days=366)
    )
    return calendar.to_ical().decode("utf-8")

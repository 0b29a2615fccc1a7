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

A round's introductions carry tens of thousands of invitations that differ only in the
match's id and its people's names and addresses: :class:`Invitations` makes one *form* per
programme, method, zone, time, sequence and number of people (:func:`match_invitation`
with stand-ins for those values) and fills each invitation in, folding its lines as
icalendar does. A value that iCalendar would escape or quote differently (punctuation, a
quote, a line break) makes its invitation in full, and the first invitation from each form
is also made in full and compared: on any difference that form is not used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from types import SimpleNamespace
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

__all__ = [
    "CALENDAR_FILENAME",
    "MEETING_LENGTH",
    "Invitations",
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


#: Characters a filled-in value may have: none that iCalendar escapes, quotes or folds with
#: care (``\\ ; , : " ^ '`` and line breaks); a space does quote a parameter, so the form
#: is kept apart for names with one.
_PLAIN = re.compile(r"[\w .@+\-]*\Z")
_STAND_IN = re.compile(r"Qz(\d*)( n|n|e|u)Qz")
_FOLD_AT = 75


def _fold(line: str) -> str:
    """One content line folded as icalendar folds it (RFC 5545: at most 75 octets a line, a
    backslash or caret escape never split from what it escapes)."""
    if line.isascii():
        if len(line) < _FOLD_AT:
            return line
        parts, start = [], 0
        while len(line) - start >= _FOLD_AT:
            end = start + _FOLD_AT - 1
            if end - start > 1 and line[end - 1] in "\\^":
                end -= 1
            parts.append(line[start:end])
            start = end
        parts.append(line[start:])
        return "\r\n ".join(parts)
    folded: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = len(char.encode("utf-8"))
        if current and count + size >= _FOLD_AT:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                folded.append("".join(current))
                current, count = [carried], len(carried.encode("utf-8"))
            else:
                folded.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    if current:
        folded.append("".join(current))
    return "\r\n ".join(folded)


class Invitations:
    """The invitations of many matches (a batch of introductions), each as
    :func:`match_invitation` makes it, all stamped ``stamp`` (now by default), made from
    one form per programme, method, zone, time, sequence and number of people."""

    def __init__(self, stamp: datetime | None = None) -> None:
        self.stamp = stamp or timezone.now()
        self._forms: dict[tuple, list[tuple[bool, str]] | None] = {}

    def make(
        self,
        *,
        match,  # type: ignore[no-untyped-def]
        programme,  # type: ignore[no-untyped-def]
        members: Sequence[dict[str, str]],
        method: Method = "REQUEST",
        zone: str = "UTC",
    ) -> str:
        """The invitation :func:`match_invitation` makes for these arguments."""
        names = [m["name"] for m in members]
        emails = [m["email"] for m in members]
        full = {"match": match, "programme": programme, "members": members, "method": method}
        if not all(_PLAIN.match(value) for value in (*names, *emails)):
            return match_invitation(**full, zone=zone, stamp=self.stamp)
        guide = programme.guide
        key = (
            programme.pk,
            programme.name,
            (guide.title, guide.body) if guide is not None else None,
            method,
            zone,
            match.suggested_at,
            match.calendar_sequence,
            tuple(" " in name for name in names),
        )
        values = {"u": str(match.pk)}
        for index, (name, email) in enumerate(zip(names, emails, strict=True)):
            values[f"{index}{' n' if ' ' in name else 'n'}"] = name
            values[f"{index}e"] = email
        if key not in self._forms:
            form = self._form(match, programme, len(members), method, zone, key[-1])
            made = match_invitation(**full, zone=zone, stamp=self.stamp)
            self._forms[key] = form if self._fill(form, values) == made else None
            return made
        form = self._forms[key]
        if form is None:
            return match_invitation(**full, zone=zone, stamp=self.stamp)
        return self._fill(form, values)

    def _form(self, match, programme, size, method, zone, spaced):  # type: ignore[no-untyped-def]
        stand_in = SimpleNamespace(
            pk="QzuQz",
            suggested_at=match.suggested_at,
            calendar_sequence=match.calendar_sequence,
        )
        members = [
            {"name": f"Qz{i}{' n' if spaced[i] else 'n'}Qz", "email": f"Qz{i}eQz"}
            for i in range(size)
        ]
        text = match_invitation(
            match=stand_in,
            programme=programme,
            members=members,
            method=method,
            zone=zone,
            stamp=self.stamp,
        )
        lines = text.replace("\r\n ", "").split("\r\n")
        # Lines without a stand-in are folded once, here; the others when filled in.
        return [(True, line) if _STAND_IN.search(line) else (False, _fold(line)) for line in lines]

    @staticmethod
    def _fill(form: list[tuple[bool, str]], values: dict[str, str]) -> str:
        def value(found: re.Match[str]) -> str:
            return values[found.group(1) + found.group(2)]

        return "\r\n".join(
            _fold(_STAND_IN.sub(value, line)) if filled else line for filled, line in form
        )

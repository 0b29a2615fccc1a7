"""The ``.ics`` invitation attached to an introduction (RFC 5545, via icalendar)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

#: A coffee is suggested for half an hour.
MEETING_LENGTH = timedelta(minutes=30)


def match_invitation(*, match, programme, members: list[dict[str, str]]) -> str:
    """An iCalendar document with one event: the suggested slot for ``match``.

    The UID is stable per match, so a calendar that receives it twice keeps one event.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Bridgework//coffee programmes//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    host = settings.SITE_URL.split("//")[-1].split("/")[0] or "bridgework"
    event.add("uid", f"match-{match.pk}@{host}")
    event.add("dtstamp", match.suggested_at)
    event.add("dtstart", match.suggested_at)
    event.add("dtend", match.suggested_at + MEETING_LENGTH)
    names = " and ".join(m["name"] for m in members)
    event.add("summary", f"Coffee: {names}")
    guide = programme.guide
    lines = [f"{programme.name}. A suggested time — change it to suit you both."]
    if guide is not None:
        lines += ["", guide.title, *guide.prompts()]
    event.add("description", "\n".join(lines))
    for member in members:
        attendee = vCalAddress(f"mailto:{member['email']}")
        attendee.params["cn"] = vText(member["name"])
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")

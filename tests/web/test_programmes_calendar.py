"""Introductions are calendar meetings: a request each person can accept or decline, in their
own time zone, updated or cancelled with the same UID and a higher SEQUENCE when the match
changes. Every calendar file is read back with vobject, a parser independent of the
icalendar library that wrote it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import Message
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.core import mail
from django.test import Client

from bridgework.directory.models import Network, Person
from bridgework.mail.models import OutboxMessage
from bridgework.programmes import mailing, services
from bridgework.programmes.exceptions import ProgrammeError
from bridgework.programmes.models import Match, Programme, Round
from bridgework.programmes.services import rounds

#: A Monday between the United States' change to summer time (14 March 2027) and the United
#: Kingdom's (28 March 2027): London is 7 hours ahead of Los Angeles, not the usual 8.
BETWEEN_CHANGES = date(2027, 3, 15)
LA, LONDON = "America/Los_Angeles", "Europe/London"
ORGANIZER = "calendar@alpha.example"


@pytest.fixture(autouse=True)
def _delivery(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # real delivery
    settings.CALENDAR_ORGANIZER_EMAIL = f"Coffee desk <{ORGANIZER}>"


def _programme(network: Network, zones: dict[str, str]) -> Programme:
    """A programme of the people named in ``zones`` (by email), each in their time zone."""
    for email, zone in zones.items():
        Person.objects.update_or_create(
            network=network,
            email=email,
            defaults={"name": email.split("@")[0].title(), "time_zone": zone},
        )
    Person.objects.filter(network=network).exclude(email__in=zones).update(active=False)
    programme = services.programme_create(
        network=network,
        name="Coffee, across agencies",
        audience=Programme.Audience.NETWORK,
        time_zone=LONDON,
        odd_rule=Programme.OddRule.TRIO,
    )
    services.enrol_audience(programme=programme)
    assert programme.enrolments.count() == len(zones)
    return programme


@pytest.fixture
def pair(network_a: Network) -> Programme:
    return _programme(network_a, {"ann@alpha.example": LA, "ben@alpha.example": LONDON})


@pytest.fixture
def trio(network_a: Network) -> Programme:
    return _programme(
        network_a,
        {"ann@alpha.example": LA, "ben@alpha.example": LONDON, "cat@alpha.example": "UTC"},
    )


def _publish(programme: Programme, capture) -> Round:
    round_ = services.round_create(programme=programme, starts_on=BETWEEN_CHANGES, seed=3)
    with capture(execute=True):
        services.round_publish(round_=round_)
    return round_


def _event(text: str):
    calendar = vobject.readOne(text)
    return calendar, calendar.vevent


def _calendars(kind: str) -> dict[str, tuple[object, object]]:
    """The calendar file of each ``kind`` email in the outbox, by recipient, parsed."""
    out = {}
    for message in OutboxMessage.objects.filter(kind=kind):
        (attachment,) = message.attachments
        out[message.to] = _event(attachment["content"])
    return out


def _attendees(event) -> dict[str, dict[str, list[str]]]:
    return {a.value.removeprefix("mailto:"): a.params for a in event.attendee_list}


def _delivered_calendar_parts(to: str, method: str) -> list[Message]:
    """The text/calendar parts with ``method`` in the emails delivered to ``to``."""
    parts = []
    for email in mail.outbox:
        if email.to != [to]:
            continue
        for part in email.message().walk():
            if part.get_content_type() == "text/calendar" and part.get_param("method") == method:
                parts.append(part)
    return parts


def test_introductions_are_meeting_requests_in_each_persons_zone(
    pair, django_capture_on_commit_callbacks
):
    round_ = _publish(pair, django_capture_on_commit_callbacks)
    (match,) = round_.matches.all()
    calendars = _calendars("programme-intro")
    assert set(calendars) == {"ann@alpha.example", "ben@alpha.example"}
    for to, (calendar, event) in calendars.items():
        assert calendar.method.value == "REQUEST"
        assert event.uid.value.startswith(f"match-{match.pk}@")
        assert int(event.sequence.value) == 0
        assert event.status.value == "CONFIRMED"
        assert event.organizer.value == f"mailto:{ORGANIZER}"
        assert event.organizer.params["CN"] == ["Coffee, across agencies"]
        attendees = _attendees(event)
        assert set(attendees) == {"ann@alpha.example", "ben@alpha.example"}
        for params in attendees.values():
            assert params["ROLE"] == ["REQ-PARTICIPANT"]
            assert params["PARTSTAT"] == ["NEEDS-ACTION"]
            assert params["RSVP"] == ["TRUE"]
        assert {p["CN"][0] for p in attendees.values()} == {"Ann", "Ben"}
        # The same instant for both, written in each one's zone (with its VTIMEZONE).
        assert event.dtstart.value == match.suggested_at
        assert event.dtend.value - event.dtstart.value == timedelta(minutes=30)
        assert calendar.vtimezone.tzid.value == {"ann@alpha.example": LA}.get(to, LONDON)
        # vobject keeps the TZID it resolved under this name.
        assert event.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == [calendar.vtimezone.tzid.value]
    # 10:00 in London (still GMT) is 03:00 in Los Angeles, already on summer time.
    assert match.suggested_at == datetime(2027, 3, 15, 10, tzinfo=UTC)
    ann = calendars["ann@alpha.example"][1].dtstart.value
    ben = calendars["ben@alpha.example"][1].dtstart.value
    assert (ann.hour, ann.utcoffset()) == (3, timedelta(hours=-7))
    assert (ben.hour, ben.utcoffset()) == (10, timedelta(0))
    texts = {m.to: m.text_body for m in OutboxMessage.objects.filter(kind="programme-intro")}
    assert "Monday 15 March, 03:00 (America/Los_Angeles)" in texts["ann@alpha.example"]
    assert "Monday 15 March, 10:00 (Europe/London)" in texts["ben@alpha.example"]


def test_delivered_introduction_has_a_calendar_alternative_and_the_ics_file(
    pair, django_capture_on_commit_callbacks
):
    _publish(pair, django_capture_on_commit_callbacks)
    stored = OutboxMessage.objects.get(kind="programme-intro", to="ben@alpha.example")
    assert stored.status == OutboxMessage.Status.SENT
    assert stored.links_redacted
    assert stored.pending_attachments == []
    (email,) = [m for m in mail.outbox if m.to == ["ben@alpha.example"] and "meet" in m.subject]
    root = email.message()
    assert root.get_content_type() == "multipart/mixed"
    alternative, attachment = root.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    types = [p.get_content_type() for p in alternative.get_payload()]
    assert types == ["text/plain", "text/html", "text/calendar"]
    inline = alternative.get_payload()[2]
    assert inline.get_param("method") == "REQUEST"
    assert inline.get_content_charset() == "utf-8"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    delivered = inline.get_payload(decode=True).decode("utf-8")
    assert delivered == attachment.get_payload(decode=True).decode("utf-8")
    # The deliverable copy went through the outbox's fields: the same calendar is stored.
    assert delivered.replace("\r\n", "\n") == stored.attachments[0]["content"].replace("\r\n", "\n")
    assert _event(delivered)[1].uid.value == _event(stored.attachments[0]["content"])[1].uid.value


def test_coordinator_cancels_a_match_everyone_gets_a_cancel_with_a_higher_sequence(
    coordinator, analyst, network_a, pair, django_capture_on_commit_callbacks
):
    round_ = _publish(pair, django_capture_on_commit_callbacks)
    (match,) = round_.matches.all()
    (_, intro), *_ = _calendars("programme-intro").values()
    url = f"/n/{network_a.slug}/coffee/matches/{match.pk}/cancel/"
    page = coordinator.get(f"/n/{network_a.slug}/coffee/rounds/{round_.pk}/").content.decode()
    assert url in page
    assert analyst.post(url).status_code == 403
    assert "Cancel the match" in coordinator.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(url)
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.is_cancelled
    assert match.calendar_sequence == 1
    cancels = _calendars("programme-cancel")
    assert set(cancels) == {"ann@alpha.example", "ben@alpha.example"}
    for calendar, event in cancels.values():
        assert calendar.method.value == "CANCEL"
        assert event.status.value == "CANCELLED"
        assert event.uid.value == intro.uid.value
        assert int(event.sequence.value) == int(intro.sequence.value) + 1
        assert set(_attendees(event)) == {"ann@alpha.example", "ben@alpha.example"}
        assert event.dtstart.value == match.suggested_at
    assert len(_delivered_calendar_parts("ann@alpha.example", "CANCEL")) == 2  # part + file
    # Cancelling again is refused and sends nothing; a retried send sends nothing either.
    before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(url)
        members = list(match.places.select_related("enrolment", "round__programme", "match"))
        assert mailing.match_changes_send(match=match, cancel_for=members, update_for=[]) == 0
    assert len(mail.outbox) == before
    page = coordinator.get(f"/n/{network_a.slug}/coffee/rounds/{round_.pk}/").content.decode()
    assert "Cancelled" in page
    assert url not in page
    # A cancelled match gets no reminder or feedback request.
    assert mailing.round_follow_up(round_=round_, kind="reminder") == 0


def test_leaving_during_a_running_round_cancels_the_pair(pair, django_capture_on_commit_callbacks):
    round_ = _publish(pair, django_capture_on_commit_callbacks)
    (match,) = round_.matches.all()
    ann = pair.enrolments.get(person__email="ann@alpha.example")
    path = mailing.enrolment_link(ann)
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post(f"{path}leave/").status_code == 302
    match.refresh_from_db()
    assert match.is_cancelled
    assert match.calendar_sequence == 1
    cancels = _calendars("programme-cancel")
    assert set(cancels) == {"ann@alpha.example", "ben@alpha.example"}
    for calendar, event in cancels.values():
        assert calendar.method.value == "CANCEL"
        assert int(event.sequence.value) == 1
        assert event.uid.value.startswith(f"match-{match.pk}@")
    assert _delivered_calendar_parts("ben@alpha.example", "CANCEL")
    assert (
        "Ann" in OutboxMessage.objects.get(kind="programme-cancel", to="ben@alpha.example").subject
    )


def test_someone_leaving_a_trio_leaves_an_updated_pair(trio, django_capture_on_commit_callbacks):
    round_ = _publish(trio, django_capture_on_commit_callbacks)
    (match,) = round_.matches.all()
    assert match.places.count() == 3
    cat = trio.enrolments.get(person__email="cat@alpha.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_leave(enrolment=cat)
    match.refresh_from_db()
    assert not match.is_cancelled
    assert match.calendar_sequence == 1
    # Cat's event is cancelled, and only Cat is removed from it.
    (calendar, event), *more = _calendars("programme-cancel").values()
    assert not more
    assert OutboxMessage.objects.get(kind="programme-cancel").to == "cat@alpha.example"
    assert calendar.method.value == "CANCEL"
    assert set(_attendees(event)) == {"cat@alpha.example"}
    # Cat is written in UTC.
    assert event.dtstart.value.utcoffset() == timedelta(0)
    assert not hasattr(calendar, "vtimezone")
    # The other two get the updated request: same UID, next sequence, two attendees.
    updates = _calendars("programme-update")
    assert set(updates) == {"ann@alpha.example", "ben@alpha.example"}
    for calendar, event in updates.values():
        assert calendar.method.value == "REQUEST"
        assert event.status.value == "CONFIRMED"
        assert int(event.sequence.value) == 1
        assert event.uid.value.startswith(f"match-{match.pk}@")
        assert set(_attendees(event)) == {"ann@alpha.example", "ben@alpha.example"}
    assert _delivered_calendar_parts("ann@alpha.example", "REQUEST")
    # Ben leaving too cancels what is left, with the sequence after that.
    ben = trio.enrolments.get(person__email="ben@alpha.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_leave(enrolment=ben)
    match.refresh_from_db()
    assert match.is_cancelled
    assert match.calendar_sequence == 2
    latest = OutboxMessage.objects.filter(kind="programme-cancel").exclude(to="cat@alpha.example")
    assert {m.to for m in latest} == {"ann@alpha.example", "ben@alpha.example"}
    for message in latest:
        _, event = _event(message.attachments[0]["content"])
        assert int(event.sequence.value) == 2
        assert set(_attendees(event)) == {"ann@alpha.example", "ben@alpha.example"}


def test_a_new_time_sends_updates_then_a_cancel_each_with_its_own_sequence(
    pair, django_capture_on_commit_callbacks
):
    round_ = _publish(pair, django_capture_on_commit_callbacks)
    (match,) = round_.matches.all()
    # After the United Kingdom's change too: 09:00 in London (BST) is 01:00 in Los Angeles.
    new_time = datetime(2027, 3, 29, 9, tzinfo=ZoneInfo(LONDON))
    with django_capture_on_commit_callbacks(execute=True):
        services.match_reschedule(match=match, suggested_at=new_time)
        services.match_reschedule(match=match, suggested_at=new_time)  # no change: no email
    updates = _calendars("programme-update")
    assert set(updates) == {"ann@alpha.example", "ben@alpha.example"}
    ann = updates["ann@alpha.example"][1]
    assert int(ann.sequence.value) == 1
    assert ann.dtstart.value == new_time
    assert (ann.dtstart.value.hour, ann.dtstart.value.utcoffset()) == (1, timedelta(hours=-7))
    ben = updates["ben@alpha.example"][1]
    assert (ben.dtstart.value.hour, ben.dtstart.value.utcoffset()) == (9, timedelta(hours=1))
    text = OutboxMessage.objects.get(kind="programme-update", to="ann@alpha.example").text_body
    assert "Monday 29 March, 01:00 (America/Los_Angeles)" in text
    with django_capture_on_commit_callbacks(execute=True):
        services.match_cancel(match=match)
    sequences = sorted(
        int(_event(m.attachments[0]["content"])[1].sequence.value)
        for m in OutboxMessage.objects.filter(to="ann@alpha.example", kind__startswith="programme-")
        if m.attachments
    )
    assert sequences == [0, 1, 2]  # intro, update, cancel
    keys = set(OutboxMessage.objects.values_list("idempotency_key", flat=True))
    assert f"programme-update:{match.pk}:s1:{match.places.first().enrolment_id}" in keys
    assert f"programme-cancel:{match.pk}:s2:{match.places.first().enrolment_id}" in keys
    with pytest.raises(ProgrammeError, match="already been cancelled"):
        services.match_reschedule(match=match, suggested_at=new_time + timedelta(days=1))


def test_a_match_cancelled_before_its_introductions_went_out_is_never_introduced(
    pair, django_capture_on_commit_callbacks
):
    round_ = services.round_create(programme=pair, starts_on=BETWEEN_CHANGES, seed=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rounds, "_enqueue_send", lambda round_id: None)
        round_ = services.round_publish(round_=round_)
    (match,) = round_.matches.all()
    with django_capture_on_commit_callbacks(execute=True):
        services.match_cancel(match=match)
        assert mailing.round_send(round_=round_) == 0
    assert not OutboxMessage.objects.filter(kind__startswith="programme-").exists()
    assert mail.outbox == []


def test_a_draft_or_ended_round_match_cannot_be_cancelled(pair):
    round_ = services.round_create(programme=pair, starts_on=BETWEEN_CHANGES, seed=3)
    (match,) = round_.matches.all()
    with pytest.raises(ProgrammeError, match="draft"):
        services.match_cancel(match=match)
    services.round_publish(round_=round_)
    Round.objects.filter(pk=round_.pk).update(starts_on=date(2020, 1, 6), ends_on=date(2020, 1, 20))
    with pytest.raises(ProgrammeError, match="has ended"):
        services.match_cancel(match=Match.objects.get(pk=match.pk))
    assert not Match.objects.get(pk=match.pk).is_cancelled


def test_the_calendar_waits_in_the_deliverable_copy_until_delivery(pair):
    from bridgework.mail.services import email_deliver

    round_ = services.round_create(programme=pair, starts_on=BETWEEN_CHANGES, seed=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rounds, "_enqueue_send", lambda round_id: None)
        round_ = services.round_publish(round_=round_)
    mailing.round_send(round_=round_)  # queued; delivery waits for the commit that never comes
    message = OutboxMessage.objects.get(kind="programme-intro", to="ann@alpha.example")
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.links_redacted
    (pending,) = message.pending_attachments
    assert pending["alternative"] is True
    assert pending["mimetype"] == "text/calendar; method=REQUEST; charset=UTF-8"
    assert _event(pending["content"])[0].method.value == "REQUEST"
    assert message.attachments[0]["content"] == pending["content"]  # nothing personal in it
    assert email_deliver(message_id=message.pk) == OutboxMessage.Status.SENT
    assert len(_delivered_calendar_parts("ann@alpha.example", "REQUEST")) == 2


def test_an_introduction_read_before_a_change_waits_for_the_next_run(
    pair, django_capture_on_commit_callbacks
):
    round_ = services.round_create(programme=pair, starts_on=BETWEEN_CHANGES, seed=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rounds, "_enqueue_send", lambda round_id: None)
        round_ = services.round_publish(round_=round_)
    (match,) = round_.matches.all()
    places = mailing._unsent(round_, 10)  # what a running send read before the change
    groups = mailing._groups(mailing._partners(places, round_))
    services.match_reschedule(match=match, suggested_at=match.suggested_at + timedelta(hours=1))
    assert not mailing._send_batch(places[:1], {places[0].pk: "intro"}, groups)
    assert not OutboxMessage.objects.filter(kind="programme-intro").exists()
    # The next run reads the new version and introduces both with it.
    assert mailing.round_send(round_=round_) == 2
    for _, event in _calendars("programme-intro").values():
        assert int(event.sequence.value) == 1
        assert event.dtstart.value == match.suggested_at + timedelta(hours=1)


def test_coordinator_gives_a_match_a_new_time_in_the_programme_zone(
    coordinator, analyst, network_a, pair, django_capture_on_commit_callbacks
):
    round_ = _publish(pair, django_capture_on_commit_callbacks)
    (match,) = round_.matches.all()
    url = f"/n/{network_a.slug}/coffee/matches/{match.pk}/time/"
    page = coordinator.get(f"/n/{network_a.slug}/coffee/rounds/{round_.pk}/").content.decode()
    assert url in page
    assert analyst.get(url).status_code == 403
    form = coordinator.get(url).content.decode()
    assert 'value="2027-03-15"' in form
    assert 'value="10:00"' in form
    # A time gone by is refused, with the reason, and nothing is sent.
    response = coordinator.post(url, {"day": "2020-01-06", "at": "09:00"})
    assert response.status_code == 200
    assert "Choose a time still to come." in response.content.decode()
    assert not OutboxMessage.objects.filter(kind="programme-update").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(url, {"day": "2027-03-16", "at": "14:30"})
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.suggested_at == datetime(2027, 3, 16, 14, 30, tzinfo=UTC)  # GMT in London
    assert match.calendar_sequence == 1
    updates = _calendars("programme-update")
    assert set(updates) == {"ann@alpha.example", "ben@alpha.example"}
    ann = updates["ann@alpha.example"][1].dtstart.value
    assert (ann.hour, ann.minute) == (7, 30)  # Los Angeles, on summer time already
    assert len(_delivered_calendar_parts("ben@alpha.example", "REQUEST")) == 4  # intro + update

"""A participant's side: every programme email carries their own link, introductions say who
and bring a calendar invitation that calendars accept, sit-outs are told, sign-up links
expire, the public sign-up form cannot be used to send spam, confirming twice is harmless,
personal links end with their programme, and no wrong link or bad date gives a traceback."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from bridgework.directory.models import Network, Organisation, Person
from bridgework.mail.models import OutboxMessage
from bridgework.programmes import dates, mailing, selectors, services
from bridgework.programmes.models import (
    Enrolment,
    Feedback,
    Match,
    Programme,
    Round,
    SignupRequest,
)
from tests.factories import add_people, published_round
from tests.queries import assert_queries_do_not_grow

ME = re.compile(r"/c/me/[\w-]+/")


def personal_path(message: OutboxMessage) -> str:
    return ME.search(message.text_body).group(0)


@pytest.fixture
def round_(network_a: Network) -> Round:
    return published_round(network_a)


def noon_on(programme: Programme, day: date) -> datetime:
    """Midday of ``day`` on the programme's own calendar: the tick reads dates there."""
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(programme.time_zone))


def test_every_programme_email_carries_a_working_personal_link(round_, client):
    later = noon_on(round_.programme, round_.ends_on - timedelta(days=1))
    assert services.programmes_tick(now=later)["reminders"] > 0
    end = noon_on(round_.programme, round_.ends_on)
    assert services.programmes_tick(now=end)["feedback"] > 0
    messages = OutboxMessage.objects.exclude(kind="programme-confirm").filter(
        kind__startswith="programme-"
    )
    kinds = set(messages.values_list("kind", flat=True))
    assert kinds == {
        "programme-intro",
        "programme-unmatched",
        "programme-reminder",
        "programme-feedback",
    }
    for message in messages:
        path = personal_path(message)
        assert path in message.html_body, message.kind
        page = client.get(path).content.decode()
        assert "Change your preferences" in page, message.kind
        assert "Pause" in page, message.kind
        assert "Leave the programme" in page, message.kind


def test_feedback_request_links_straight_to_the_form_and_the_form_names_the_match(round_, client):
    end = noon_on(round_.programme, round_.ends_on)
    services.programmes_tick(now=end)
    message = OutboxMessage.objects.filter(kind="programme-feedback").first()
    path = re.search(r"/c/me/[\w-]+/feedback/\d+/", message.text_body).group(0)
    match = Match.objects.get(pk=path.rstrip("/").rsplit("/", 1)[1])
    others = [
        p.enrolment.person.name
        for p in match.places.select_related("enrolment__person")
        if p.enrolment.person.email != message.to
    ]
    page = client.get(path).content.decode()
    assert "Did you meet?" in page
    for name in others:
        assert name in page


def test_introduction_names_organisations_roles_profiles_guide_and_a_valid_invitation(round_):
    match = round_.matches.first()
    members = list(match.places.select_related("enrolment__person__organisation"))
    me, other = members[0].enrolment, members[1].enrolment
    message = OutboxMessage.objects.get(kind="programme-intro", to=me.person.email)
    for body in (message.text_body, message.html_body):
        assert other.person.name in body
        assert other.person.organisation.name in body
        assert "Case worker" in body  # role
        assert "Tenancy support" in body
        assert "housing, data" in body
        assert "How our work depends on each other" in body  # the guide
        assert "What is most meaningful to you in your work?" in body
    (attachment,) = message.attachments
    calendar = Calendar.from_ical(attachment["content"])
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == match.suggested_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    attendees = {str(a).removeprefix("mailto:") for a in event.get("attendee")}
    assert attendees == {p.enrolment.person.email for p in members}
    assert str(event.get("uid")).startswith(f"match-{match.pk}@")


def test_sit_outs_are_told_they_go_first_and_held_out_people_why(round_):
    sit_out = round_.places.get(outcome="sit_out").enrolment.person.email
    told = OutboxMessage.objects.get(kind="programme-unmatched", to=sit_out)
    assert "first in line" in told.text_body
    held = round_.places.filter(outcome="holdout").first().enrolment.person.email
    told = OutboxMessage.objects.get(kind="programme-unmatched", to=held)
    assert "at random" in told.text_body
    assert "first in line" not in told.text_body


def test_match_page_shows_the_suggested_time_in_the_persons_time_zone(network_a, client):
    round_ = published_round(network_a, time_zone="America/New_York")
    message = OutboxMessage.objects.filter(kind="programme-intro").first()
    page = client.get(personal_path(message)).content.decode()
    assert "10:00 (America/New_York)" in page
    assert "10:00 (America/New_York)" in message.text_body
    Enrolment.objects.filter(person__email=message.to).update(time_zone="Europe/London")
    page = client.get(personal_path(message)).content.decode()
    assert "15:00 (Europe/London)" in page or "14:00 (Europe/London)" in page
    assert round_.is_published


def _join(client: Client, programme: Programme, email: str, name: str = "Ola Nowak", **extra):
    return client.post(
        f"/c/join/{programme.signup_code}/",
        {"name": name, "email": email, "organisation_name": "A Charity",
         "meeting_mode": "video", "time_zone": "Europe/Warsaw", "consent": "on"},
        **extra,
    )  # fmt: skip


def _post_signup(client: Client, programme: Programme, email: str) -> str:
    _join(client, programme, email)
    message = OutboxMessage.objects.filter(kind="programme-confirm", to=email).last()
    return re.search(r"/c/confirm/[\w-]+/", message.text_body).group(0)


def test_self_registered_person_gets_their_time_zone_in_the_directory(network_a, client):
    programme = services.programme_create(network=network_a, name="Open coffee")
    client.post(_post_signup(client, programme, "ola@charity.example"))
    assert Person.objects.get(email="ola@charity.example").time_zone == "Europe/Warsaw"


def test_directory_person_confirms_by_email_and_is_not_duplicated(network_a, client):
    programme = services.programme_create(
        network=network_a, name="Staff coffee", audience=Programme.Audience.NETWORK
    )
    path = _post_signup(client, programme, "STAFF@alpha.example")
    response = client.post(path)
    assert ME.match(response["Location"])
    assert Person.objects.filter(email__iexact="staff@alpha.example").count() == 1
    assert Enrolment.objects.get(programme=programme).person.name == "alpha Staff"


def test_confirmation_link_expires_and_stops_with_the_programme(network_a, client):
    programme = services.programme_create(network=network_a, name="Open coffee")
    path = _post_signup(client, programme, "ola@charity.example")
    SignupRequest.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    assert not Person.objects.filter(email="ola@charity.example").exists()
    path = _post_signup(client, programme, "ola@charity.example")
    Programme.objects.filter(pk=programme.pk).update(active=False)
    assert client.post(path).status_code == 404
    assert not Enrolment.objects.exists()


def test_asking_again_within_a_day_sends_no_second_confirmation(network_a, client):
    programme = services.programme_create(network=network_a, name="Open coffee")
    sent = f"/c/join/{programme.signup_code}/sent/"
    for email in ("ola@charity.example", "OLA@charity.example", "ola@charity.example"):
        assert _join(client, programme, email)["Location"] == sent
    assert OutboxMessage.objects.filter(kind="programme-confirm").count() == 1
    assert SignupRequest.objects.count() == 1
    # The first link still works, and asking again after confirming sends nothing either.
    message = OutboxMessage.objects.get(kind="programme-confirm")
    client.post(re.search(r"/c/confirm/[\w-]+/", message.text_body).group(0))
    assert _join(client, programme, "ola@charity.example")["Location"] == sent
    assert OutboxMessage.objects.filter(kind="programme-confirm").count() == 1
    # A day later the address may be sent a new link.
    SignupRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    _join(client, programme, "ola@charity.example")
    assert OutboxMessage.objects.filter(kind="programme-confirm").count() == 2
    # Another programme is another question.
    other = services.programme_create(network=network_a, name="Another coffee")
    _join(client, other, "ola@charity.example")
    assert OutboxMessage.objects.filter(kind="programme-confirm").count() == 3


def test_confirmation_email_does_not_repeat_what_was_typed_into_the_form(network_a, client):
    programme = services.programme_create(network=network_a, name="Open coffee")
    spam = "Cheap pills at spam.example"
    _join(client, programme, "victim@else.example", name=spam)
    message = OutboxMessage.objects.get(kind="programme-confirm")
    for body in (message.subject, message.text_body, message.html_body):
        assert spam not in body
        assert "A Charity" not in body
    assert message.text_body.startswith("Hello,\n")
    assert "/c/confirm/" in message.text_body


def test_join_posts_from_one_ip_address_are_limited_per_hour(network_a, client, settings):
    join_posts_per_hour = settings.RATE_LIMITS["signup"]
    assert join_posts_per_hour == 20
    programme = services.programme_create(network=network_a, name="Open coffee")
    flood = {"REMOTE_ADDR": "203.0.113.7"}
    for i in range(join_posts_per_hour):
        assert _join(client, programme, f"v{i}@else.example", **flood).status_code == 302
    response = _join(client, programme, "one-more@else.example", **flood)
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Too many sign-ups from your connection" in response.content.decode()
    assert "Try again in an hour" in response.content.decode()
    assert OutboxMessage.objects.filter(kind="programme-confirm").count() == join_posts_per_hour
    assert not SignupRequest.objects.filter(email="one-more@else.example").exists()
    # Someone else is not held up, and reading the form is never limited.
    assert _join(client, programme, "colleague@else.example").status_code == 302
    assert client.get(f"/c/join/{programme.signup_code}/", **flood).status_code == 200


def test_confirming_twice_gives_the_same_enrolment_and_changes_nothing(network_a, client):
    programme = services.programme_create(network=network_a, name="Open coffee")
    path = _post_signup(client, programme, "ola@charity.example")
    first = client.post(path)
    assert ME.match(first["Location"])
    enrolment = Enrolment.objects.get()
    second = client.post(path)  # a double click
    assert ME.match(second["Location"])
    assert client.get(second["Location"]).status_code == 200
    assert Enrolment.objects.get() == enrolment
    assert Enrolment.objects.get().consented_at == enrolment.consented_at
    assert Person.objects.filter(email__iexact="ola@charity.example").count() == 1
    signup = SignupRequest.objects.get()
    assert services.signup_confirm(request=signup) == enrolment


def test_confirmation_uses_the_person_another_confirmation_added_meanwhile(network_a, client):
    """Two sign-ups for one address (two programmes), confirmed at the same moment: the other
    one adds the person after this one looked them up and before it adds them."""
    first = services.programme_create(network=network_a, name="Open coffee")
    second = services.programme_create(network=network_a, name="Lunch roulette")
    path = _post_signup(client, second, "ola@charity.example")

    def the_other_confirmation_commits(sender, instance, created, **kwargs):
        if created and instance.name == "A Charity":
            Person.objects.create(
                network=network_a, name="Ola N.", email="Ola@Charity.example", organisation=instance
            )
            services.enrolment_create(programme=first, person=Person.objects.get(name="Ola N."))

    post_save.connect(the_other_confirmation_commits, sender=Organisation)
    try:
        response = client.post(path)
    finally:
        post_save.disconnect(the_other_confirmation_commits, sender=Organisation)
    assert ME.match(response["Location"])
    (person,) = Person.objects.filter(email__iexact="ola@charity.example")
    assert set(Enrolment.objects.values_list("programme", "person")) == {
        (first.pk, person.pk),
        (second.pk, person.pk),
    }


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_confirmations_enrol_once(network_a):
    """A double click as two requests at the same moment, each on its own connection (a real
    race on PostgreSQL; a SQLite file's write lock queues them)."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite fails concurrent writers at once: run with DATABASE_URL")
    programme = services.programme_create(network=network_a, name="Open coffee")
    path = _post_signup(Client(), programme, "ola@charity.example")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def confirm() -> None:
        try:
            client = Client()
            barrier.wait(timeout=10)
            statuses.append(client.post(path).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302, 302]
    assert Person.objects.filter(email__iexact="ola@charity.example").count() == 1
    assert Organisation.objects.filter(name="A Charity").count() == 1
    assert Enrolment.objects.filter(programme=programme).count() == 1


def test_personal_links_stop_working_a_while_after_the_programme_ends(round_, client):
    message = OutboxMessage.objects.filter(kind="programme-intro").first()
    me = personal_path(message)
    match = Match.objects.get(places__enrolment__person__email=message.to)
    programme = round_.programme
    assert client.get(me).status_code == 200
    # Stopped: people can still see their last match and say how it went...
    Programme.objects.filter(pk=programme.pk).update(active=False)
    assert client.get(me).status_code == 200
    assert client.get(f"{me}feedback/{match.pk}/").status_code == 200
    # ...until LINKS_WORK_AFTER_END after the last round ended.
    today = dates.programme_today(programme)
    last_day = today - selectors.LINKS_WORK_AFTER_END
    Round.objects.filter(pk=round_.pk).update(
        starts_on=last_day - timedelta(days=programme.period_days), ends_on=last_day
    )
    assert client.get(me).status_code == 200
    Round.objects.filter(pk=round_.pk).update(
        starts_on=last_day - timedelta(days=programme.period_days + 1),
        ends_on=last_day - timedelta(days=1),
    )
    for path in (me, f"{me}preferences/", f"{me}feedback/{match.pk}/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "This link does not work" in response.content.decode()
    for action in ("pause", "resume", "leave"):
        assert client.post(f"{me}{action}/").status_code == 404
    assert client.post(f"{me}feedback/{match.pk}/", {"met": "yes"}).status_code == 404
    assert not Feedback.objects.exists()
    # Running again, the links work again.
    Programme.objects.filter(pk=programme.pk).update(active=True)
    assert client.get(me).status_code == 200


def test_links_of_a_programme_stopped_before_any_round_do_not_work(network_a, client):
    programme = services.programme_create(network=network_a, name="Open coffee")
    me = client.post(_post_signup(client, programme, "ola@charity.example"))["Location"]
    assert client.get(me).status_code == 200
    Programme.objects.filter(pk=programme.pk).update(active=False)
    assert client.get(me).status_code == 404


def test_match_page_queries_do_not_grow_with_past_rounds(network_a, client, settings):
    # The page's own queries: the rate limiter's fixed cost is left out.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "personal-link": 0}
    add_people(network_a)  # 11 people, a trio for the odd one, repeats allowed: all matched
    programme = services.programme_create(
        network=network_a, name="Coffee", audience="network", no_repeat_months=0
    )
    services.enrol_audience(programme=programme)
    enrolment = programme.enrolments.order_by("pk").first()
    me = mailing.enrolment_link(enrolment)

    def grow(rounds: int) -> None:
        while programme.rounds.count() < rounds:
            seed = programme.rounds.count()
            services.round_publish(round_=services.round_create(programme=programme, seed=seed))

    def page() -> None:
        html = client.get(me).content.decode()
        assert html.count("Tell us how it went") == programme.rounds.count()

    assert_queries_do_not_grow(grow=grow, page=page)


def test_confirmation_rechecks_who_may_join(network_a, client):
    programme = services.programme_create(network=network_a, name="Open coffee")
    path = _post_signup(client, programme, "ola@charity.example")
    Programme.objects.filter(pk=programme.pk).update(audience=Programme.Audience.NETWORK)
    assert client.post(path).status_code == 404
    assert not Person.objects.filter(email="ola@charity.example").exists()


def test_pause_dates_and_states_never_give_a_traceback(round_, client):
    message = OutboxMessage.objects.filter(kind="programme-intro").first()
    me = personal_path(message)
    enrolment = Enrolment.objects.get(person__email=message.to)
    for bad in ("2027-02-30", "tomorrow", "", "0001-01-01", "99999-01-01", "2027-1-1'--"):
        response = client.post(f"{me}pause/", {"until": bad}, follow=True)
        assert response.status_code == 200, bad
        enrolment.refresh_from_db()
        assert enrolment.status == "active", bad
    yesterday = dates.programme_today(round_.programme) - timedelta(days=1)
    page = client.post(f"{me}pause/", {"until": yesterday.isoformat()}, follow=True)
    assert "Choose a date in the future." in page.content.decode()
    # Someone who left cannot be brought back by a pause.
    client.post(f"{me}leave/")
    future = dates.programme_today(round_.programme) + timedelta(days=30)
    page = client.post(f"{me}pause/", {"until": future.isoformat()}, follow=True)
    assert "rejoin it first" in page.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == "left"
    # GET on the POST-only actions is refused politely.
    for action in ("pause", "resume", "leave"):
        assert client.get(f"{me}{action}/").status_code == 405


def test_wrong_and_foreign_links_answer_404_without_a_traceback(round_, network_b, client):
    message = OutboxMessage.objects.filter(kind="programme-intro").first()
    me = personal_path(message)
    other = published_round(network_b)
    theirs = other.matches.first()
    mine = Match.objects.get(places__enrolment__person__email=message.to)
    not_mine = round_.matches.exclude(pk=mine.pk).first()
    for path in (
        f"{me}feedback/{theirs.pk}/",
        f"{me}feedback/{not_mine.pk}/",
        f"{me}feedback/99999999999999999999999/",
        "/c/me/%00/",
        "/c/me/x/preferences/",
        "/c/me/x/feedback/1/",
        "/c/confirm/x/",
        "/c/join/x/sent/",
        "/c/join/x/privacy/",
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"met": "yes"}).status_code == 404, path
    for action in ("pause", "resume", "leave"):
        assert client.post(f"/c/me/x/{action}/").status_code == 404
    assert not Feedback.objects.exists()


def test_no_feedback_on_a_draft_round(network_a, client):
    add_people(network_a)
    programme = services.programme_create(network=network_a, name="C", audience="network")
    services.enrol_audience(programme=programme)
    first = services.round_publish(round_=services.round_create(programme=programme, seed=1))
    mailing.round_send(round_=first)
    Round.objects.filter(pk=first.pk).update(
        starts_on=first.starts_on - timedelta(days=30), ends_on=first.ends_on - timedelta(days=30)
    )
    draft = services.round_create(programme=programme, seed=2)
    message = OutboxMessage.objects.filter(kind="programme-intro").first()
    me = personal_path(message)
    match = draft.matches.get(places__enrolment__person__email=message.to)
    assert client.get(f"{me}feedback/{match.pk}/").status_code == 404
    assert client.post(f"{me}feedback/{match.pk}/", {"met": "yes"}).status_code == 404
    assert not Feedback.objects.exists()


def test_feedback_form_rejects_bad_answers_without_a_traceback(round_, client):
    message = OutboxMessage.objects.filter(kind="programme-intro").first()
    me = personal_path(message)
    match = Match.objects.get(places__enrolment__person__email=message.to)
    for data in ({}, {"met": "maybe"}, {"met": "yes", "usefulness": "7"}, {"met": "yes",
                 "usefulness": "x"}, {"met": "yes", "reflection": "x" * 400}):  # fmt: skip
        response = client.post(f"{me}feedback/{match.pk}/", data)
        assert response.status_code == 200, data
        assert "There is a problem" in response.content.decode()
    assert not Feedback.objects.exists()
    client.post(f"{me}feedback/{match.pk}/", {"met": "no", "usefulness": "5"})
    client.post(f"{me}feedback/{match.pk}/", {"met": "yes", "usefulness": "3"})
    (feedback,) = Feedback.objects.all()  # one per person and match: the second replaced it
    assert (feedback.met, feedback.usefulness) == (True, 3)


def test_preferences_change_the_profile_and_reject_bad_time_zones(round_, client):
    message = OutboxMessage.objects.filter(kind="programme-intro").first()
    me = personal_path(message)
    data = {"works_on": "Courts", "interests": "law", "meeting_mode": "in_person",
            "location": "", "time_zone": "Mars/Olympus"}  # fmt: skip
    page = client.post(f"{me}preferences/", data).content.decode()
    assert "is not a time zone name" in page
    assert "Say where you work, to meet in person." in page
    data |= {"location": "Riverbend", "time_zone": "Europe/London"}
    assert client.post(f"{me}preferences/", data).status_code == 302
    enrolment = Enrolment.objects.get(person__email=message.to)
    assert (enrolment.meeting_mode, enrolment.location, enrolment.time_zone) == (
        "in_person",
        "Riverbend",
        "Europe/London",
    )


def test_some_organisations_audience_lets_only_their_people_join(network_a, client):
    people = add_people(network_a)
    probation = people[0].organisation
    programme = services.programme_create(
        network=network_a,
        name="Probation and friends",
        audience=Programme.Audience.ORGANISATIONS,
        organisations=[probation],
    )
    inside = next(p for p in people if p.organisation == probation)
    outside = next(p for p in people if p.organisation != probation)
    for person in (inside, outside):
        client.post(
            f"/c/join/{programme.signup_code}/",
            {"name": person.name, "email": person.email, "organisation_name": "x",
             "meeting_mode": "either", "consent": "on"},
        )  # fmt: skip
    confirmations = OutboxMessage.objects.filter(kind="programme-confirm")
    assert list(confirmations.values_list("to", flat=True)) == [inside.email]
    client.post(re.search(r"/c/confirm/[\w-]+/", confirmations.get().text_body).group(0))
    assert list(Enrolment.objects.values_list("person", flat=True)) == [inside.pk]
    assert (
        services.enrol_audience(programme=programme)
        == len([p for p in people if p.organisation == probation]) - 1
    )

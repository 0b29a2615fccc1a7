"""A coffee programme's whole life through the test client: create, enrol, draw, preview,
re-draw, publish, introductions with .ics exactly once, feedback, scheduler tick, dashboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bridgework.directory.models import Network, Person
from bridgework.jobs.models import Job
from bridgework.mail.models import OutboxMessage
from bridgework.matching import Participant, Policy, check_matching
from bridgework.programmes import dates, mailing, roster, services
from bridgework.programmes.models import Enrolment, Feedback, Match, Programme, Round, RoundPlace
from bridgework.programmes.policy import programme_policy
from bridgework.programmes.services import rounds
from tests.factories import add_people


@pytest.fixture
def programme(network_a: Network) -> Programme:
    add_people(network_a)
    programme = services.programme_create(
        network=network_a,
        name="Coffee across agencies",
        audience=Programme.Audience.NETWORK,
        holdout_share=0.2,
        odd_rule=Programme.OddRule.SIT_OUT,
    )
    services.enrol_audience(programme=programme)
    return programme


def test_coordinator_creates_a_programme_with_the_builtin_guide(coordinator, network_a):
    response = coordinator.post(
        f"/n/{network_a.slug}/coffee/new/",
        {
            "name": "Coffee",
            "audience": "open",
            "cadence": "fortnightly",
            "weekday": "1",
            "meeting_time": "10:00",
            "time_zone": "Europe/London",
            "group_size": "2",
            "odd_rule": "trio",
            "prefer_other_agencies": "on",
            "no_repeat_months": "6",
            "bridge_weak_rc": "on",
            "holdout_share": "0.1",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    programme = Programme.objects.get(network=network_a)
    assert programme.guide.builtin_key == "interdependence"
    assert programme_policy(programme).holdout_share == 0.1
    assert programme_policy(programme).weights.cross_organisation == 2.5
    page = coordinator.get(response["Location"])
    assert programme.signup_code in page.content.decode()


def test_guides_page_lists_three_builtin_guides_and_coordinator_can_edit(coordinator, network_a):
    page = coordinator.get(f"/n/{network_a.slug}/coffee/guides/").content.decode()
    for title in ("How our work depends on each other", "Why we do this work", "Relational habits"):
        assert title in page
    assert "cross-purposes" in page


def test_full_round_life_cycle(
    coordinator, analyst, network_a, programme, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # real delivery
    slug = network_a.slug
    assert programme.enrolments.count() == 11  # 9 added + 2 from the fixture network
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(f"/n/{slug}/coffee/{programme.pk}/rounds/new/")
    round_ = Round.objects.get(programme=programme)
    # Drawing runs as a job; its progress page says what it drew and links to the round.
    draw = Job.objects.get(kind="round-draw", target_id=round_.pk)
    assert response["Location"] == f"/n/{slug}/jobs/{draw.pk}/"
    assert draw.status == Job.Status.DONE
    job_page = coordinator.get(response["Location"]).content.decode()
    assert "Drew " in job_page
    assert "for 11 people" in job_page
    assert f'href="/n/{slug}/coffee/rounds/{round_.pk}/"' in job_page
    places = RoundPlace.objects.filter(round=round_)
    assert places.count() == 11
    assert places.filter(outcome="holdout").count() == 2  # 20 % of 11, rounded
    before = sorted(tuple(sorted(m.places.values_list("enrolment_id", flat=True)))
                    for m in Match.objects.filter(round=round_))  # fmt: skip
    preview = coordinator.get(f"/n/{slug}/coffee/rounds/{round_.pk}/").content.decode()
    assert "Held out at random" in preview
    assert "first meeting" in preview
    # Re-drawing a draft with the stored seed gives the same matches.
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(f"/n/{slug}/coffee/rounds/{round_.pk}/redraw/")
    assert Job.objects.filter(kind="round-draw", status="done").count() == 2
    after = sorted(tuple(sorted(m.places.values_list("enrolment_id", flat=True)))
                   for m in Match.objects.filter(round=round_))  # fmt: skip
    assert before == after
    assert not OutboxMessage.objects.filter(kind__startswith="programme-").exists()
    # Analysts may look but not publish.
    assert analyst.post(f"/n/{slug}/coffee/rounds/{round_.pk}/publish/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(f"/n/{slug}/coffee/rounds/{round_.pk}/publish/")
    round_.refresh_from_db()
    assert round_.is_published
    publish = Job.objects.get(kind="round-publish", target_id=round_.pk)
    assert response["Location"] == f"/n/{slug}/jobs/{publish.pk}/"
    assert publish.status == Job.Status.DONE
    assert publish.done == publish.total == 11
    assert "Sent 11 emails." in coordinator.get(response["Location"]).content.decode()
    # The round's page links to its latest job.
    show = coordinator.get(f"/n/{slug}/coffee/rounds/{round_.pk}/").content.decode()
    assert f'href="/n/{slug}/jobs/{publish.pk}/"' in show
    intros = OutboxMessage.objects.filter(kind="programme-intro")
    assert intros.count() == places.filter(outcome="matched").count()
    assert (
        OutboxMessage.objects.filter(kind="programme-unmatched").count()
        == places.exclude(outcome="matched").count()
    )
    for message in intros:
        (attachment,) = message.attachments
        assert attachment["mimetype"] == "text/calendar; method=REQUEST; charset=UTF-8"
        assert "BEGIN:VEVENT" in attachment["content"]
        assert "What is most meaningful to you in your work?" in message.text_body
        assert "/c/me/" not in message.text_body  # the outbox copy has no personal link
    # Delivered by the (immediate) worker, each exactly once.
    assert len(mail.outbox) == OutboxMessage.objects.count()
    sent_to = [m.to[0] for m in mail.outbox if "meet" in m.subject]
    assert len(sent_to) == len(set(sent_to))
    # Publishing again, or re-running the send, sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(f"/n/{slug}/coffee/rounds/{round_.pk}/publish/")
        assert mailing.round_send(round_=round_) == 0
    assert len(mail.outbox) == OutboxMessage.objects.count()
    # A published round cannot be re-drawn.
    coordinator.post(f"/n/{slug}/coffee/rounds/{round_.pk}/redraw/", {"new_seed": "1"})
    assert sorted(tuple(sorted(m.places.values_list("enrolment_id", flat=True)))
                  for m in Match.objects.filter(round=round_)) == before  # fmt: skip
    # The participant's personal page and feedback.
    message = intros.first()
    (delivered,) = [m for m in mail.outbox if m.to == [message.to] and m.subject == message.subject]
    path = re.search(r"/c/me/[\w-]+/", delivered.body).group(0)
    from django.test import Client

    client = Client()
    page = client.get(path).content.decode()
    assert "Your matches" in page
    match = Match.objects.get(places__enrolment__person__email=message.to)
    response = client.post(
        f"{path}feedback/{match.pk}/",
        {"met": "yes", "usefulness": "4", "will_work_together": "on", "reflection": "Great."},
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.met, feedback.usefulness, feedback.will_work_together) == (True, 4, True)
    # Dashboard: one answer is one person's, so neither its figures nor its comment show yet.
    dashboard = f"/n/{slug}/coffee/{programme.pk}/dashboard/"
    coordinator_page = coordinator.get(dashboard).content.decode()
    assert "Great." not in coordinator_page
    assert "No comments to show yet" in coordinator_page
    analyst_page = analyst.get(dashboard).content.decode()
    assert "Great." not in analyst_page
    assert "Matches between organisations" in analyst_page


def test_hard_rules_hold_on_stored_rounds_including_no_repeats(programme):
    from bridgework.matching import PastMatch

    programme.require_other_agencies = True
    programme.save()
    enrolments = Enrolment.objects.filter(programme=programme).select_related(
        "person__organisation"
    )
    people = [Participant(str(e.pk), e.person.organisation.name) for e in enrolments]
    policy = Policy(must_cross_organisation=True, group_size=2, odd="sit_out")
    history: list[PastMatch] = []
    first = dates.next_start(programme, timezone.localdate())
    for number, starts in enumerate([first, first + timedelta(days=14)]):
        round_ = services.round_create(programme=programme, seed=11 + number, starts_on=starts)
        groups = [
            tuple(str(i) for i in m.places.values_list("enrolment_id", flat=True))
            for m in round_.matches.all()
        ]
        held = [str(p.enrolment_id) for p in round_.places.filter(outcome="holdout")]
        assert groups
        violations = check_matching(
            groups, people, history=history, policy=policy, round_date=starts, holdout=held
        )
        assert violations == []
        services.round_publish(round_=round_)
        history += [PastMatch(a, b, starts) for a, b in groups]


def test_worker_killed_mid_round_sends_the_rest_without_doubles(
    programme, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    round_ = services.round_create(programme=programme, seed=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rounds, "_enqueue_send", lambda round_id: None)
        services.round_publish(round_=round_)
    round_.refresh_from_db()
    expected = round_.places.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert mailing.round_send(round_=round_, limit=3) == 3  # the worker dies here
        assert OutboxMessage.objects.filter(kind__startswith="programme-").count() == 3
        assert mailing.round_send(round_=round_) == expected - 3  # restarted
        assert mailing.round_send(round_=round_) == 0  # and again
    keys = list(OutboxMessage.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == expected
    assert len(mail.outbox) == expected
    assert round_.matches.count() > 0


def test_sit_outs_get_priority_and_are_matched_next_round(programme):
    programme.holdout_share = 0
    programme.save()
    start = dates.next_start(programme, timezone.localdate())
    first = services.round_create(programme=programme, seed=1, starts_on=start)
    (sitting,) = first.places.filter(outcome="sit_out")  # 11 people, pairs
    services.round_publish(round_=first)
    assert Enrolment.objects.get(pk=sitting.enrolment_id).priority
    second = services.round_create(programme=programme, seed=1, starts_on=first.ends_on)
    assert second.places.get(enrolment_id=sitting.enrolment_id).outcome == "matched"


def test_scheduler_tick_creates_due_round_publishes_reminds_and_asks_feedback(programme):
    programme.auto_publish = True
    programme.weekday = timezone.localdate().weekday()
    programme.save()
    counts = services.programmes_tick()
    assert counts["created"] == 1
    assert counts["published"] == 1
    assert services.programmes_tick()["created"] == 0  # not due again while it runs
    round_ = Round.objects.get(programme=programme)
    later = timezone.now() + timedelta(days=programme.period_days - 1)
    assert (
        services.programmes_tick(now=later)["reminders"]
        == round_.places.filter(outcome="matched").count()
    )
    assert services.programmes_tick(now=later)["reminders"] == 0
    end = timezone.now() + timedelta(days=programme.period_days)
    counts = services.programmes_tick(now=end)
    assert counts["feedback"] > 0
    assert counts["created"] == 1  # the next round is due once this one ends


def test_sign_up_from_another_agency_adds_them_to_the_directory_after_confirmation(
    client, network_a
):
    programme = services.programme_create(network=network_a, name="Open coffee")
    url = f"/c/join/{programme.signup_code}/"
    assert "privacy notice" in client.get(url).content.decode()
    response = client.post(
        url,
        {"name": "Ola Nowak", "email": "ola@charity.example", "organisation_name": "A Charity",
         "job_title": "Advocate", "works_on": "tenancy support", "interests": "housing, law",
         "meeting_mode": "video", "consent": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert not Person.objects.filter(email="ola@charity.example").exists()
    (message,) = OutboxMessage.objects.filter(kind="programme-confirm")
    path = re.search(r"/c/confirm/[\w-]+/", message.text_body).group(0)
    assert client.get(path).status_code == 200
    response = client.post(path)
    person = Person.objects.get(email="ola@charity.example")
    assert person.organisation.name == "A Charity"
    enrolment = Enrolment.objects.get(person=person)
    assert enrolment.interest_set() == {"housing", "law"}
    me = response["Location"]
    client.post(f"{me}pause/", {"until": str(timezone.localdate() + timedelta(days=30))})
    enrolment.refresh_from_db()
    assert enrolment.status == "paused"
    assert not roster.taking_part(programme, timezone.localdate()).filter(pk=enrolment.pk)
    client.post(f"{me}leave/")
    enrolment.refresh_from_db()
    assert enrolment.status == "left"


def test_closed_audience_does_not_reveal_or_email_strangers(client, network_a):
    programme = services.programme_create(
        network=network_a, name="Staff coffee", audience=Programme.Audience.NETWORK
    )
    client.post(
        f"/c/join/{programme.signup_code}/",
        {"name": "X", "email": "stranger@else.example", "organisation_name": "Else",
         "meeting_mode": "either", "consent": "on"},
    )  # fmt: skip
    assert not OutboxMessage.objects.exists()


def test_wrong_links_answer_a_plain_404(client, db):
    assert client.get("/c/me/not-a-token/").status_code == 404
    assert client.get("/c/join/nope/").status_code == 404

"""The coordinator's side: the programme form covers every choice of the issue, guides can be
edited and added, rounds never overlap, a draft is re-drawn identically with its seed, people
who left since a draft was drawn are not introduced, and bad input never gives a traceback."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.directory.models import Network, Organisation
from bridgework.jobs.models import Job
from bridgework.mail.models import OutboxMessage
from bridgework.programmes import dates, mailing, services
from bridgework.programmes.models import Guide, Match, Programme, Round
from bridgework.programmes.policy import programme_policy
from bridgework.programmes.roster import weak_rc_ties
from bridgework.surveys.models import Invitation, Response, Wave
from bridgework.surveys.services import wave_results_freeze
from tests.factories import add_people, make_survey

FORM = {
    "name": "Coffee",
    "description": "Half an hour across agencies.",
    "audience": "organisations",
    "cadence": "monthly",
    "weekday": "3",
    "meeting_time": "14:30",
    "time_zone": "America/Chicago",
    "group_size": "3",
    "odd_rule": "sit_out",
    "prefer_other_agencies": "on",
    "no_repeat_months": "4",
    "bridge_weak_rc": "on",
    "avoid_network_ties": "on",
    "match_interests": "on",
    "holdout_share": "0.25",
    "auto_publish": "on",
    "active": "on",
}


def groups(round_: Round) -> list[tuple[int, ...]]:
    return sorted(
        tuple(sorted(m.places.values_list("enrolment_id", flat=True)))
        for m in Match.objects.filter(round=round_)
    )


@pytest.fixture
def programme(network_a: Network) -> Programme:
    add_people(network_a)
    programme = services.programme_create(
        network=network_a, name="Coffee across agencies", audience="network", holdout_share=0.2
    )
    services.enrol_audience(programme=programme)
    return programme


def test_programme_form_covers_every_choice_and_the_page_says_them_in_words(coordinator, network_a):
    url = f"/n/{network_a.slug}/coffee/new/"
    form = coordinator.get(url).content.decode()
    for label in (
        "Who can take part",
        "Everyone in the network",
        "People in some organisations",
        "Open sign-up across agencies",
        "Weekly",
        "Fortnightly",
        "Monthly",
        "Rounds start on",
        "Time zone",
        "Group size",
        "When the numbers are odd",
        "Prefer people from other agencies",
        "Never pair the same people again within this many months",
        "Bridge workgroups whose coordination is weak in the latest RC wave",
        "Prefer people not already tied in the latest network survey",
        "Prefer people with shared interests",
        "Share held out at random",
        "Conversation guide",
        "Publish rounds automatically",
    ):
        assert label in form, label
    guide = Guide.objects.get(network=network_a, builtin_key="why")
    organisation = Organisation.objects.get(network=network_a)
    data = FORM | {"organisations": [organisation.pk], "guide": guide.pk}
    response = coordinator.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    programme = Programme.objects.get(network=network_a)
    assert (programme.audience, list(programme.organisations.all())) == (
        "organisations",
        [organisation],
    )
    assert (programme.cadence, programme.period_days, programme.weekday) == ("monthly", 28, 3)
    assert (programme.time_zone, programme.group_size, programme.odd_rule) == (
        "America/Chicago",
        3,
        "sit_out",
    )
    assert programme.guide == guide
    assert programme.auto_publish
    policy = programme_policy(programme)
    assert policy.no_repeat_days == 120
    assert policy.holdout_share == 0.25
    assert policy.weights.no_network_tie > 0
    assert policy.weights.weak_tie_bridge > 0
    page = coordinator.get(response["Location"]).content.decode()
    for words in (
        "rounds start on Thursdays",
        "14:30 (America/Chicago)",
        "Meet in trios; when numbers are odd, one person sits out",
        "People from other agencies are preferred.",
        "Nobody meets the same person again within 4 months.",
        "weak coordination in the latest RC wave",
        "People already tied in the latest network survey are avoided.",
        "Shared interests are preferred.",
        "25% are held out of each round at random",
        "Automatic when a round starts",
    ):
        assert words in page, words
    # Unticking a choice switches its preference off.
    edit = f"/n/{network_a.slug}/coffee/{programme.pk}/edit/"
    data.pop("avoid_network_ties")
    data.pop("bridge_weak_rc")
    assert coordinator.post(edit, data).status_code == 302
    programme.refresh_from_db()
    policy = programme_policy(programme)
    assert policy.weights.no_network_tie == 0
    assert policy.weights.weak_tie_bridge == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Europe"}, "is not a time zone name"),
        ({"time_zone": "../../etc/passwd"}, "is not a time zone name"),
        ({"time_zone": ""}, "This field is required."),
        ({"holdout_share": "0.9"}, "The holdout share must be between 0 and 0.5."),
        ({"holdout_share": "0.51"}, "The holdout share must be between 0 and 0.5."),
        ({"holdout_share": "-0.1"}, "The holdout share must be between 0 and 0.5."),
        ({"holdout_share": "nan"}, "Enter a number."),
        ({"group_size": "5"}, "Select a valid choice."),
        ({"weekday": "9"}, "Select a valid choice."),
        ({"meeting_time": "25:99"}, "Enter a valid time."),
        ({"no_repeat_months": "-1"}, "greater than or equal to 0"),
        ({"organisations": []}, "Choose at least one organisation."),
        ({"organisations": ["99999999"]}, "Select a valid choice."),
        ({"guide": "99999999"}, "Select a valid choice."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_programme_input_is_reported_not_raised(coordinator, network_a, change, message):
    organisation = Organisation.objects.get(network=network_a)
    data = FORM | {"organisations": [organisation.pk]} | change
    response = coordinator.post(f"/n/{network_a.slug}/coffee/new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not Programme.objects.exists()


def test_empty_posts_and_duplicate_names_show_errors(coordinator, network_a, programme):
    slug = network_a.slug
    assert "There is a problem" in coordinator.post(f"/n/{slug}/coffee/new/").content.decode()
    data = FORM | {"name": "COFFEE ACROSS AGENCIES", "audience": "network"}
    response = coordinator.post(f"/n/{slug}/coffee/new/", data)
    assert response.status_code == 200
    assert Programme.objects.count() == 1
    assert (
        "There is a problem" in coordinator.post(f"/n/{slug}/coffee/guides/new/").content.decode()
    )


def test_coordinators_edit_and_add_guides_and_the_next_introduction_uses_them(
    coordinator, analyst, network_a, programme
):
    slug = network_a.slug
    coordinator.get(f"/n/{slug}/coffee/guides/")
    builtin = Guide.objects.get(network=network_a, builtin_key="interdependence")
    response = coordinator.post(
        f"/n/{slug}/coffee/guides/{builtin.pk}/edit/",
        {"title": builtin.title, "summary": "", "body": "What does a good week look like?"},
    )
    assert response.status_code == 302
    response = coordinator.post(
        f"/n/{slug}/coffee/guides/new/",
        {"title": "Handovers", "summary": "For people who hand work to each other.",
         "body": "What do you need from me at a handover?\nWhat goes wrong?"},
    )  # fmt: skip
    assert response.status_code == 302
    added = Guide.objects.get(network=network_a, title="Handovers")
    assert added.prompts() == ["What do you need from me at a handover?", "What goes wrong?"]
    # A guide title is unique in the network, whatever its case.
    duplicate = coordinator.post(
        f"/n/{slug}/coffee/guides/new/", {"title": "handovers", "body": "x"}
    )
    assert duplicate.status_code == 200
    assert "There is a problem" in duplicate.content.decode()
    # Analysts read guides but cannot change them.
    assert analyst.get(f"/n/{slug}/coffee/guides/").status_code == 200
    assert analyst.get(f"/n/{slug}/coffee/guides/new/").status_code == 403
    assert analyst.post(f"/n/{slug}/coffee/guides/{added.pk}/edit/", {}).status_code == 403
    round_ = services.round_publish(round_=services.round_create(programme=programme, seed=3))
    mailing.round_send(round_=round_)
    intro = OutboxMessage.objects.filter(kind="programme-intro").first()
    assert "What does a good week look like?" in intro.text_body
    assert "What is most meaningful" not in intro.text_body
    programme.guide = added
    programme.save()
    round_ = services.round_publish(
        round_=services.round_create(programme=programme, starts_on=round_.ends_on, seed=4)
    )
    mailing.round_send(round_=round_)
    key = f"programme-intro:{round_.matches.first().pk}:"
    intro = OutboxMessage.objects.filter(idempotency_key__startswith=key).first()
    assert "What do you need from me at a handover?" in intro.text_body


def test_same_seed_same_matches_new_seed_recorded(programme):
    round_ = services.round_create(programme=programme, seed=42)
    drawn = groups(round_)
    for _ in range(3):
        services.round_draw(round_=round_)
        assert groups(round_) == drawn
    services.round_draw(round_=round_, seed=7)
    round_.refresh_from_db()
    assert round_.seed == 7
    services.round_draw(round_=round_, seed=42)
    assert groups(round_) == drawn


def test_only_one_draft_and_rounds_never_overlap(coordinator, network_a, programme):
    slug = network_a.slug
    coordinator.post(f"/n/{slug}/coffee/{programme.pk}/rounds/new/")
    response = coordinator.post(f"/n/{slug}/coffee/{programme.pk}/rounds/new/", follow=True)
    assert "is still a draft" in response.content.decode()
    first = Round.objects.get(programme=programme)
    services.round_publish(round_=first)
    coordinator.post(f"/n/{slug}/coffee/{programme.pk}/rounds/new/")
    second = Round.objects.get(programme=programme, number=2)
    assert second.starts_on >= first.ends_on
    assert second.starts_on.weekday() == programme.weekday
    with pytest.raises(services.ProgrammeError):
        services.round_create(programme=programme, starts_on=first.starts_on)


def test_posts_to_a_published_round_change_nothing_and_raise_nothing(
    coordinator, analyst, network_a, programme
):
    slug = network_a.slug
    round_ = services.round_publish(round_=services.round_create(programme=programme, seed=3))
    drawn = groups(round_)
    base = f"/n/{slug}/coffee/rounds/{round_.pk}"
    page = coordinator.post(f"{base}/redraw/", {"new_seed": "1"}, follow=True)
    assert "its matches are final" in page.content.decode()
    page = coordinator.post(f"{base}/publish/", follow=True)
    assert "already published" in page.content.decode()
    assert groups(round_) == drawn
    for action in ("redraw", "publish"):
        assert analyst.post(f"{base}/{action}/").status_code == 403
    assert analyst.post(f"/n/{slug}/coffee/{programme.pk}/rounds/new/").status_code == 403
    assert analyst.post(f"/n/{slug}/coffee/{programme.pk}/enrol/").status_code == 403
    assert analyst.get(f"/n/{slug}/coffee/{programme.pk}/edit/").status_code == 403


def test_people_who_leave_after_the_draw_are_not_introduced(coordinator, network_a, programme):
    round_ = services.round_create(programme=programme, seed=3)
    leaver = round_.places.filter(outcome="matched").first().enrolment
    services.enrolment_leave(enrolment=leaver)
    paused = round_.places.filter(outcome="matched").exclude(enrolment=leaver).first().enrolment
    services.enrolment_pause(enrolment=paused, until=round_.ends_on)
    preview = coordinator.get(f"/n/{network_a.slug}/coffee/rounds/{round_.pk}/").content.decode()
    assert "2 people in this draft have left or paused since it was drawn" in preview
    round_ = services.round_publish(round_=round_)
    mailing.round_send(round_=round_)
    assert not round_.places.filter(enrolment__in=[leaver, paused]).exists()
    sent_to = set(OutboxMessage.objects.values_list("to", flat=True))
    assert leaver.person.email not in sent_to
    assert paused.person.email not in sent_to
    assert len(sent_to) == round_.places.count()


def test_a_forgotten_draft_is_moved_before_it_is_published(
    coordinator, network_a, programme, django_capture_on_commit_callbacks
):
    round_ = services.round_create(programme=programme, seed=3)
    today = dates.programme_today(programme)
    Round.objects.filter(pk=round_.pk).update(
        starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=16)
    )
    base = f"/n/{network_a.slug}/coffee/rounds/{round_.pk}"
    page = coordinator.post(f"{base}/publish/", follow=True).content.decode()
    assert "draw it again to move it to the next start" in page
    round_.refresh_from_db()
    assert not round_.is_published
    with django_capture_on_commit_callbacks(execute=True):
        drawn = coordinator.post(f"{base}/redraw/")
    draw = Job.objects.get(kind="round-draw")
    assert drawn["Location"] == f"/n/{network_a.slug}/jobs/{draw.pk}/"
    assert draw.status == Job.Status.DONE
    round_.refresh_from_db()
    assert round_.starts_on == dates.next_start(programme, today)
    assert round_.ends_on == round_.starts_on + timedelta(days=programme.period_days)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(f"{base}/publish/")
    round_.refresh_from_db()
    assert round_.is_published
    assert Job.objects.get(kind="round-publish").status == Job.Status.DONE


def test_preview_shows_who_why_sit_outs_holdout_and_local_times(coordinator, network_a):
    add_people(network_a)
    programme = services.programme_create(
        network=network_a, name="C", audience="network", holdout_share=0.2,
        odd_rule="sit_out", time_zone="Asia/Tokyo",
    )  # fmt: skip
    services.enrol_audience(programme=programme)
    round_ = services.round_create(programme=programme, seed=5)
    page = coordinator.get(f"/n/{network_a.slug}/coffee/rounds/{round_.pk}/").content.decode()
    match = round_.matches.first()
    for person in match.places.values_list("enrolment__person__name", flat=True):
        assert person in page
    assert match.reasons
    assert match.reasons[0] in page.replace("&#x27;", "'")
    assert "Sitting out (first in line next round)" in page
    sitter = round_.places.get(outcome="sit_out")
    assert sitter.enrolment.person.name in page
    assert sitter.reason
    assert "Held out at random" in page
    assert "10:00 (Asia/Tokyo)" in page
    assert re.search(r"Seed</dt><dd[^>]*>5 ", page)


def test_suggested_times_are_never_in_the_past_when_introductions_go_out(programme):
    today = dates.programme_today(programme)
    programme.weekday = today.weekday()
    programme.meeting_time = (timezone.now() - timedelta(minutes=1)).time()  # just passed
    programme.time_zone = "UTC"
    programme.save()
    round_ = services.round_create(programme=programme, seed=3)
    assert round_.starts_on == today
    assert all(m.suggested_at > timezone.now() for m in round_.matches.all())
    # Drawn a while ago: publishing moves the times that have passed since.
    round_.matches.update(suggested_at=timezone.now() - timedelta(hours=1))
    round_ = services.round_publish(round_=round_)
    slots = list(round_.matches.values_list("suggested_at", flat=True))
    assert all(slot > timezone.now() for slot in slots)
    assert all(slot.date() < round_.ends_on for slot in slots)
    assert all(slot.weekday() < 5 for slot in slots)


def test_database_refuses_a_holdout_share_above_a_half(programme):
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=programme.pk).update(holdout_share=0.6)
    programme.refresh_from_db()
    assert programme.holdout_share == 0.2


def test_service_refuses_a_holdout_share_above_a_half_naming_the_field(network_a):
    with pytest.raises(ValidationError) as caught:
        services.programme_create(network=network_a, name="Too many held out", holdout_share=0.7)
    assert caught.value.message_dict["holdout_share"] == [
        "The holdout share must be between 0 and 0.5."
    ]
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_weak_rc_ties_come_from_the_published_results_and_outlive_raw_answers(network_a):
    """Pairing across weak ties reads the latest closed wave's figures as published: the same
    cells the results page shows, still there once retention has deleted the raw answers."""

    survey = make_survey(network_a, sizes=(6, 6), min_group_size=5)
    targets = [f"wg:{g.pk}" for g in survey.groups]
    for invitation in Invitation.objects.filter(wave=survey.wave):
        for target in targets:
            Response.objects.create(
                invitation=invitation, target=target, **dict.fromkeys(DIMENSIONS, 1)
            )
    Wave.objects.filter(pk=survey.wave.pk).update(closes_at=timezone.now())
    wave = Wave.objects.get(pk=survey.wave.pk)
    wave_results_freeze(wave=wave)
    ties = weak_rc_ties(network_a)
    names = {g.name for g in survey.groups}
    assert ties
    assert {a for a, _ in ties} <= names
    Response.objects.filter(invitation__wave=wave).delete()
    assert weak_rc_ties(network_a) == ties

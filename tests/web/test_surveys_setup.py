"""Setting up surveys: work processes, waves (minimum group size, copy, wording), invitations,
progress, and the roles that may do each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgework.directory.models import Workgroup
from bridgework.mail.models import OutboxMessage
from bridgework.surveys import services
from bridgework.surveys.models import Invitation, InvitationToken, Wave, WorkProcess
from tests.factories import make_survey


@pytest.mark.django_db
def test_coordinator_creates_a_work_process_with_external_targets(coordinator, network_a):
    group = Workgroup.objects.get(network=network_a)
    response = coordinator.post(
        f"/n/{network_a.slug}/surveys/processes/new/",
        {
            "name": "Hospital discharge",
            "workgroups": [group.pk],
            "external_targets": "Families\nThe court\n",
        },
    )
    assert response.status_code == 302
    process = WorkProcess.objects.get(network=network_a)
    assert [t.name for t in process.external_targets.all()] == ["Families", "The court"]
    html = coordinator.get(f"/n/{network_a.slug}/surveys/").content.decode()
    assert "Hospital discharge" in html


@pytest.mark.django_db
def test_external_target_cannot_share_a_workgroups_name(network_a):
    group = Workgroup.objects.get(network=network_a)
    with pytest.raises(ValidationError):
        services.work_process_create(
            network=network_a, name="P", workgroups=[group], external_targets=[group.name]
        )


@pytest.mark.django_db
def test_wave_form_refuses_a_minimum_group_size_below_three(coordinator, network_a):
    group = Workgroup.objects.get(network=network_a)
    process = services.work_process_create(network=network_a, name="P", workgroups=[group])
    url = f"/n/{network_a.slug}/surveys/processes/{process.pk}/waves/new/"
    data = {
        "name": "Spring",
        "opens_on": "2026-03-02",
        "closes_on": "2026-03-20",
        "respondent_workgroups": [group.pk],
        "min_group_size": "2",
        "reminder_every_days": "0",
    }
    response = coordinator.post(url, data)
    assert response.status_code == 200
    assert "a whole number from 3 to 100" in response.content.decode()
    assert not Wave.objects.exists()
    response = coordinator.post(url, {**data, "min_group_size": "101"})
    assert response.status_code == 200
    assert "a whole number from 3 to 100" in response.content.decode()
    assert not Wave.objects.exists()
    response = coordinator.post(url, {**data, "min_group_size": "5"})
    assert response.status_code == 302
    wave = Wave.objects.get()
    assert wave.min_group_size == 5
    assert wave.closes_at - wave.opens_at == timedelta(days=19)


@pytest.mark.django_db
def test_database_refuses_a_minimum_group_size_below_three(network_a):
    survey = make_survey(network_a, sizes=(1,))
    with pytest.raises(IntegrityError), transaction.atomic():
        Wave.objects.filter(pk=survey.wave.pk).update(min_group_size=2)


@pytest.mark.django_db
def test_copy_a_wave_keeps_the_set_up_but_not_invitations(coordinator, network_a):
    survey = make_survey(network_a, sizes=(3,), min_group_size=4)
    services.wave_set_wording(
        wave=survey.wave,
        frequency_scale="adequacy",
        questions={"timely": "Does {target} answer in time?"},
        answer_labels={},
    )
    response = coordinator.post(f"/n/{network_a.slug}/surveys/waves/{survey.wave.pk}/copy/")
    assert response.status_code == 302
    copy = Wave.objects.exclude(pk=survey.wave.pk).get()
    assert copy.name == "Wave 1 (copy)"
    assert copy.min_group_size == 4
    assert copy.frequency_scale == "adequacy"
    assert copy.instrument().item("timely").question == "Does {target} answer in time?"
    assert list(copy.respondent_workgroups.all()) == survey.groups
    assert copy.invitations.count() == 0
    assert response["Location"].endswith(f"/waves/{copy.pk}/")


@pytest.mark.django_db
def test_wording_may_change_but_not_lose_the_target(coordinator, network_a):
    survey = make_survey(network_a, sizes=(3,))
    url = f"/n/{network_a.slug}/surveys/waves/{survey.wave.pk}/questions/"
    page = coordinator.get(url)
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["question_timely"] = "Is the answer on time?"
    response = coordinator.post(url, data)
    assert response.status_code == 200
    assert "must name the workgroup rated" in response.content.decode()
    data["question_timely"] = "Do people in {target} reply in time?"
    data["answers_timely"] = "No\nSeldom\nHalf\nMostly\nYes"
    assert coordinator.post(url, data).status_code == 302
    survey.wave.refresh_from_db()
    item = survey.wave.instrument().item("timely")
    assert item.question == "Do people in {target} reply in time?"
    assert item.answer_labels == ("No", "Seldom", "Half", "Mostly", "Yes")
    assert item.answer_key == (1, 2, 3, 4, 5)


@pytest.mark.django_db
def test_sending_invitations_emails_each_person_once_with_a_working_link(
    coordinator, client, network_a, django_capture_on_commit_callbacks
):
    group = Workgroup.objects.get(network=network_a)
    process = services.work_process_create(network=network_a, name="P", workgroups=[group])
    now = timezone.now()
    wave = services.wave_create(
        process=process,
        name="W",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=3),
        respondent_workgroups=[group],
    )
    url = f"/n/{network_a.slug}/surveys/waves/{wave.pk}/invite/"
    assert "Send invitations" in coordinator.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(url)  # a second click invites no one twice
    messages = OutboxMessage.objects.filter(kind="survey-invitation")
    assert messages.count() == 2
    assert Invitation.objects.filter(wave=wave).count() == 2
    assert all(
        token.digest not in m.text_body for m in messages for token in InvitationToken.objects.all()
    )
    link = next(line for line in messages[0].text_body.splitlines() if "/s/" in line)
    path = link[link.index("/s/") :].strip()
    assert "about 10 minutes" in client.get(path).content.decode()


@pytest.mark.django_db
def test_analyst_can_read_but_not_change_surveys(analyst, network_a):
    survey = make_survey(network_a, sizes=(3,))
    base = f"/n/{network_a.slug}/surveys"
    for path in ("/", f"/waves/{survey.wave.pk}/", f"/waves/{survey.wave.pk}/progress/"):
        assert analyst.get(base + path).status_code == 200
    for path in (
        "/processes/new/",
        f"/processes/{survey.process.pk}/edit/",
        f"/processes/{survey.process.pk}/waves/new/",
        f"/waves/{survey.wave.pk}/edit/",
        f"/waves/{survey.wave.pk}/questions/",
        f"/waves/{survey.wave.pk}/invite/",
        f"/waves/{survey.wave.pk}/remind/",
        f"/waves/{survey.wave.pk}/copy/",
        f"/waves/{survey.wave.pk}/close/",
    ):
        assert analyst.get(base + path).status_code == 403, path
        assert analyst.post(base + path).status_code == 403, path
    assert Wave.objects.count() == 1
    survey.wave.refresh_from_db()
    assert survey.wave.is_open


@pytest.mark.django_db
def test_progress_counts_and_warns_by_workgroup_and_organisation(coordinator, network_a):
    survey = make_survey(network_a, sizes=(6, 4))
    ids = list(survey.tokens)
    group0 = [i for i in ids if Invitation.objects.get(pk=i).workgroup == survey.groups[0]]
    Invitation.objects.filter(pk__in=group0[:5]).update(
        started_at=timezone.now(), completed_at=timezone.now()
    )
    url = f"/n/{network_a.slug}/surveys/waves/{survey.wave.pk}/progress/"
    response = coordinator.get(url)
    progress = response.context["progress"]
    rows = {row.name: row for row in progress.by_workgroup}
    assert (rows["Group 0"].invited, rows["Group 0"].completed) == (6, 5)
    assert not rows["Group 0"].below_minimum
    assert not rows["Group 0"].low_rate
    assert rows["Group 1"].below_minimum
    assert rows["Group 1"].low_rate
    assert progress.overall.completed == 5
    assert progress.overall.invited == 10
    assert [r.invited for r in progress.by_organisation] == [10]
    html = response.content.decode()
    assert "Under 5 respondents" in html
    assert "Under 60% response" in html
    # No names of who has or has not answered.
    assert "G0 P0" not in html
    assert "G1 P0" not in html


@pytest.mark.django_db
def test_progress_page_query_count_does_not_grow_with_invitations(coordinator, network_a):
    small = make_survey(network_a, sizes=(3,))
    big = make_survey(network_a, sizes=(3, 30), name="Wave 2", process=small.process)
    for survey in (small, big):  # warm up: a picture's first drawing is cached, once
        coordinator.get(f"/n/{network_a.slug}/surveys/waves/{survey.wave.pk}/progress/")
    with CaptureQueriesContext(connection) as few:
        coordinator.get(f"/n/{network_a.slug}/surveys/waves/{small.wave.pk}/progress/")
    with CaptureQueriesContext(connection) as many:
        coordinator.get(f"/n/{network_a.slug}/surveys/waves/{big.wave.pk}/progress/")
    assert len(many) == len(few)


@pytest.mark.django_db
def test_survey_home_query_count_does_not_grow_with_waves(coordinator, network_a):
    survey = make_survey(network_a, sizes=(3,))
    with CaptureQueriesContext(connection) as few:
        coordinator.get(f"/n/{network_a.slug}/surveys/")
    for i in range(5):
        services.wave_copy(wave=survey.wave, name=f"Copy {i}")
    with CaptureQueriesContext(connection) as many:
        coordinator.get(f"/n/{network_a.slug}/surveys/")
    assert len(many) == len(few)


@pytest.mark.django_db
def test_other_networks_waves_are_not_found(coordinator, network_a, network_b):
    other = make_survey(network_b, sizes=(3,))
    for path in ("", "progress/", "results/", "results.csv", "results.xlsx", "invite/"):
        url = f"/n/{network_a.slug}/surveys/waves/{other.wave.pk}/{path}"
        assert coordinator.get(url).status_code == 404, url

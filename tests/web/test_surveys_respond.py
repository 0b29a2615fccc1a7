"""The respondent's journey: welcome, one screen per target, resume, double submit, closed
and wrong links, and only one's own invitation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.surveys import services
from bridgework.surveys.models import Invitation, Response, Wave
from bridgework.waves.services import WaveClosedError
from tests.factories import make_survey

ANSWERS = {key: "4" for key in DIMENSIONS}


def first(survey):
    invitation_id, token = next(iter(survey.tokens.items()))
    return Invitation.objects.get(pk=invitation_id), token


@pytest.mark.django_db
def test_welcome_says_how_long_and_how_answers_are_protected(client, network_a):
    survey = make_survey(network_a, sizes=(3,), external=("Families",), min_group_size=6)
    _, token = first(survey)
    html = client.get(f"/s/{token}/").content.decode()
    assert "about 10 minutes" in html
    assert "at least 6 colleagues" in html
    assert "2 short screens" in html
    assert "Start now" in html


@pytest.mark.django_db
def test_one_screen_per_target_then_send(client, network_a):
    survey = make_survey(network_a, sizes=(3,), external=("Families",))
    invitation, token = first(survey)
    page = client.get(f"/s/{token}/1/").content.decode()
    assert "Working with Group 0" in page
    assert "I don’t work with Group 0" in page
    assert page.count('type="radio"') == 35
    response = client.post(f"/s/{token}/1/", ANSWERS)
    assert response["Location"] == f"/s/{token}/2/"
    response = client.post(f"/s/{token}/2/", {"not_applicable": "on", "timely": "2"})
    assert response["Location"] == f"/s/{token}/done/"
    saved = {r.target: r for r in invitation.responses.all()}
    assert len(saved) == 2
    families = next(r for r in saved.values() if r.target.startswith("ext:"))
    assert families.works_with is False
    assert families.timely is None
    client.post(f"/s/{token}/done/")
    invitation.refresh_from_db()
    assert invitation.completed_at is not None
    assert "Your answers have been sent" in client.get(f"/s/{token}/done/").content.decode()


@pytest.mark.django_db
def test_an_empty_screen_asks_for_answers_or_not_applicable(client, network_a):
    survey = make_survey(network_a, sizes=(3,))
    invitation, token = first(survey)
    response = client.post(f"/s/{token}/1/", {})
    assert response.status_code == 200
    assert "tick “I don’t work with this group”" in response.content.decode()
    assert not invitation.responses.exists()


@pytest.mark.django_db
def test_the_link_resumes_where_the_respondent_left_off_on_another_device(network_a):
    survey = make_survey(network_a, sizes=(3,), external=("Families", "Court"))
    _invitation, token = first(survey)
    Client().post(f"/s/{token}/1/", ANSWERS)
    other_device = Client()
    html = other_device.get(f"/s/{token}/").content.decode()
    assert "You have answered 1 of 3 screens" in html
    assert f'href="/s/{token}/2/"' in html
    assert "Continue" in html
    # The saved screen shows its answers again.
    page = other_device.get(f"/s/{token}/1/").content.decode()
    assert page.count("checked") == 7


@pytest.mark.django_db
def test_double_submit_and_changed_answers_keep_one_row_with_the_latest(client, network_a):
    survey = make_survey(network_a, sizes=(3,))
    invitation, token = first(survey)
    client.post(f"/s/{token}/1/", ANSWERS)
    client.post(f"/s/{token}/1/", ANSWERS)
    client.post(f"/s/{token}/1/", {**ANSWERS, "mutual_respect": "2"})
    row = Response.objects.get(invitation=invitation)
    assert row.mutual_respect == 2
    assert row.timely == 4
    client.post(f"/s/{token}/done/")
    client.post(f"/s/{token}/done/")
    assert Response.objects.filter(invitation=invitation).count() == 1


@pytest.mark.django_db
def test_closed_wave_says_the_survey_has_closed_and_takes_no_answers(client, network_a):
    survey = make_survey(network_a, sizes=(3,))
    invitation, token = first(survey)
    services.wave_close(wave=survey.wave)
    for url in (f"/s/{token}/", f"/s/{token}/1/", f"/s/{token}/done/"):
        response = client.get(url)
        assert response.status_code == 410
        assert "This survey has closed" in response.content.decode()
    client.post(f"/s/{token}/1/", ANSWERS)
    assert not Response.objects.exists()
    with pytest.raises(WaveClosedError):
        services.response_save(invitation=invitation, target="x", works_with=True, scores={})


@pytest.mark.django_db
def test_wave_not_yet_open_says_when_it_opens(client, network_a):
    survey = make_survey(network_a, sizes=(3,))
    Wave.objects.filter(pk=survey.wave.pk).update(opens_at=timezone.now() + timedelta(days=1))
    _, token = first(survey)
    assert "not open yet" in client.get(f"/s/{token}/").content.decode()


@pytest.mark.django_db
def test_wrong_token_gets_a_plain_page_that_reveals_nothing(client, network_a):
    make_survey(network_a, sizes=(3,))
    for url in (
        "/s/not-a-token/",
        "/s/not-a-token/1/",
        "/s/not-a-token/done/",
        "/s/" + "x" * 300 + "/",
    ):
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "This link does not work" in html
        for secret in ("Discharge", "Wave 1", "Group 0", network_a.name):
            assert secret not in html
    assert client.post("/s/not-a-token/1/", ANSWERS).status_code == 404
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_token_reaches_only_its_own_invitation(network_a):
    survey = make_survey(network_a, sizes=(3,))
    (first_id, first_token), (second_id, second_token) = list(survey.tokens.items())[:2]
    Client().post(f"/s/{first_token}/1/", ANSWERS)
    page = Client().get(f"/s/{second_token}/1/").content.decode()
    assert "checked" not in page
    assert "You have answered" not in Client().get(f"/s/{second_token}/").content.decode()
    assert Response.objects.get().invitation_id == first_id
    assert not Response.objects.filter(invitation_id=second_id).exists()


@pytest.mark.django_db
def test_answers_outside_one_to_five_are_refused(client, network_a):
    survey = make_survey(network_a, sizes=(3,))
    _invitation, token = first(survey)
    response = client.post(f"/s/{token}/1/", {**ANSWERS, "timely": "9"})
    assert response.status_code == 200
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_respondent_pages_are_not_cached(client, network_a):
    survey = make_survey(network_a, sizes=(3,))
    _, token = first(survey)
    assert "no-store" in client.get(f"/s/{token}/").headers["Cache-Control"]

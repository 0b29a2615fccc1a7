"""A participant signs up from another agency, confirms by email (twice, harmlessly), gives
feedback on their match and pauses — in a real browser; every participant page, including the
one shown when too many sign-ups come from one address, passes axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bridgework.directory.models import Organisation, Person
from bridgework.mail.models import OutboxMessage
from bridgework.programmes import services
from bridgework.programmes.models import Enrolment, Feedback
from tests.browser.accessibility import axe_violations
from tests.browser.pages import follow
from tests.factories import make_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_feedback_and_pause(page, settings):
    network = make_network("alpha")
    probation = Organisation.objects.create(network=network, name="Probation")
    Person.objects.create(
        network=network, name="Bea Partner", email="bea@alpha.example", organisation=probation
    )
    programme = services.programme_create(network=network, name="Coffee across agencies")
    services.enrol_audience(programme=programme)
    failures = {}

    page.goto(f"/c/join/{programme.signup_code}/privacy/")
    failures["privacy"] = axe_violations(page)
    page.goto("/c/me/not-a-real-token/")
    failures["invalid link"] = axe_violations(page)
    page.goto(f"/c/join/{programme.signup_code}/")
    failures["join"] = axe_violations(page)
    page.get_by_role("button", name="Join").click()
    page.get_by_text("There is a problem").wait_for()
    failures["join with errors"] = axe_violations(page)
    page.get_by_label("Your name").fill("Ola Nowak")
    page.get_by_label("Work email address").fill("ola@charity.example")
    page.get_by_label("Your organisation").fill("A Charity")
    page.get_by_label("What I work on").fill("Tenancy support")
    page.get_by_label("How I can meet").select_option("video")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Join").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    failures["sent"] = axe_violations(page)

    confirm = OutboxMessage.objects.get(kind="programme-confirm", to="ola@charity.example")
    page.goto(re.search(r"/c/confirm/[\w-]+/", confirm.text_body).group(0))
    failures["confirm"] = axe_violations(page)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name=re.compile("Your place in")).wait_for()
    ola = Enrolment.objects.get(person__email="ola@charity.example")
    assert ola.person.organisation.name == "A Charity"
    page.go_back()  # confirming again, as from the email a second time, changes nothing
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name=re.compile("Your place in")).wait_for()
    assert Enrolment.objects.get(person__email="ola@charity.example") == ola

    follow(page, page.get_by_role("link", name="Change your preferences"))
    failures["preferences"] = axe_violations(page)
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("There is a problem").wait_for()
    failures["preferences with errors"] = axe_violations(page)

    round_ = services.round_create(programme=programme, seed=3)
    services.round_publish(round_=round_)
    intro = OutboxMessage.objects.get(kind="programme-intro", to="ola@charity.example")
    assert intro.attachments[0]["filename"] == "invite.ics"
    page.goto(re.search(r"/c/me/[\w-]+/", intro.text_body).group(0))
    failures["me"] = axe_violations(page)
    follow(page, page.get_by_role("link", name="Tell us how it went").first)
    failures["feedback"] = axe_violations(page)
    page.get_by_label("Did you meet?").select_option("yes")
    page.get_by_label(re.compile("How useful")).select_option("5")
    page.get_by_label("We will work together on something").check()
    page.get_by_label("One line of reflection").fill("Found a shared family.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Thank you for your feedback").wait_for()
    feedback = Feedback.objects.get(enrolment=ola)
    assert (feedback.met, feedback.usefulness, feedback.reflection) == (
        True,
        5,
        "Found a shared family.",
    )

    page.get_by_label("Pause until").fill("2020-01-01")
    page.get_by_role("button", name="Pause").click()
    page.get_by_text("Choose a date in the future.").wait_for()
    failures["pause with an error"] = axe_violations(page)
    until = timezone.localdate() + timedelta(days=21)
    page.get_by_label("Pause until").fill(until.isoformat())
    page.get_by_role("button", name="Pause").click()
    page.get_by_text(re.compile("Paused until")).first.wait_for()
    ola.refresh_from_db()
    assert (ola.status, ola.paused_until) == ("paused", until)

    # Two join posts above: with an allowance of two, the next one is refused.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": 2}
    page.goto(f"/c/join/{programme.signup_code}/")
    page.get_by_role("button", name="Join").click()
    page.get_by_role("heading", name="Too many sign-ups from your connection").wait_for()
    failures["too many sign-ups"] = axe_violations(page)
    assert not any(failures.values()), failures


def test_coordinator_pages_with_real_data_pass_axe(page, live_server):
    """The round preview (with sit-outs, hold-outs and a changed draft), the dashboard (with
    feedback and comments), the programme page and a form with errors — all axe-clean."""
    from django.test import Client

    from bridgework.accounts.models import User
    from bridgework.directory.models import Membership, Role
    from bridgework.programmes import mailing
    from tests.factories import PASSWORD, add_people

    network = make_network("alpha")
    add_people(network, 12)
    user = User.objects.create_user("coord@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.COORDINATOR)
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    programme = services.programme_create(
        network=network, name="Coffee", audience="network", holdout_share=0.2, odd_rule="sit_out"
    )
    services.enrol_audience(programme=programme)
    published = services.round_publish(round_=services.round_create(programme=programme, seed=4))
    mailing.round_send(round_=published)
    for i, place in enumerate(published.places.filter(outcome="matched")):
        services.feedback_save(
            enrolment=place.enrolment, match=place.match, met=i % 4 != 0, usefulness=4,
            will_work_together=i % 3 == 0, reflection=f"Reflection {i}",
        )  # fmt: skip
    draft = services.round_create(programme=programme, starts_on=published.ends_on, seed=5)
    services.enrolment_leave(enrolment=draft.places.filter(outcome="matched").first().enrolment)
    base = f"/n/{network.slug}/coffee"
    failures = {}
    for url in (
        f"{base}/{programme.pk}/",
        f"{base}/{programme.pk}/dashboard/",
        f"{base}/rounds/{published.pk}/",
        f"{base}/rounds/{draft.pk}/",
        f"{base}/guides/",
    ):
        assert page.goto(url).status == 200, url
        failures[url] = axe_violations(page)
    assert page.get_by_text("Reflection 1", exact=True).count() == 0  # on another page
    page.goto(f"{base}/{programme.pk}/dashboard/")
    page.get_by_text("Reflection 1", exact=True).wait_for()
    page.goto(f"{base}/rounds/{draft.pk}/")
    page.get_by_text("1 person in this draft has left").wait_for()
    page.goto(f"{base}/{programme.pk}/edit/")
    page.get_by_label("Time zone").fill("Europe")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("There is a problem").wait_for()
    failures["programme form with errors"] = axe_violations(page)
    assert not any(failures.values()), failures

"""A participant signs up from another agency, confirms by email, gives feedback on their
match and pauses — in a real browser; every participant page passes axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bridgework.directory.models import Organisation, Person
from bridgework.mail.models import OutboxMessage
from bridgework.programmes import services
from bridgework.programmes.models import Enrolment, Feedback
from tests.browser.conftest import axe_violations
from tests.web.conftest import make_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_feedback_and_pause(page):
    network = make_network("alpha")
    probation = Organisation.objects.create(network=network, name="Probation")
    Person.objects.create(
        network=network, name="Bea Partner", email="bea@alpha.example", organisation=probation
    )
    programme = services.programme_create(network=network, name="Coffee across agencies")
    services.enrol_audience(programme=programme)
    failures = {}

    page.goto(f"/c/join/{programme.signup_code}/")
    failures["join"] = axe_violations(page)
    page.get_by_label("Your name").fill("Ola Nowak")
    page.get_by_label("Work email address").fill("ola@charity.example")
    page.get_by_label("Your organisation").fill("A Charity")
    page.get_by_label("What I work on").fill("Tenancy support")
    page.get_by_label("How I can meet").select_option("video")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Join").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    confirm = OutboxMessage.objects.get(kind="programme-confirm", to="ola@charity.example")
    page.goto(re.search(r"/c/confirm/[\w-]+/", confirm.text_body).group(0))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name=re.compile("Your place in")).wait_for()
    ola = Enrolment.objects.get(person__email="ola@charity.example")
    assert ola.person.organisation.name == "A Charity"

    round_ = services.round_create(programme=programme, seed=3)
    services.round_publish(round_=round_)
    intro = OutboxMessage.objects.get(kind="programme-intro", to="ola@charity.example")
    assert intro.attachments[0]["filename"] == "invite.ics"
    page.goto(re.search(r"/c/me/[\w-]+/", intro.text_body).group(0))
    failures["me"] = axe_violations(page)
    page.get_by_role("link", name="Tell us how it went").first.click()
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

    until = timezone.localdate() + timedelta(days=21)
    page.get_by_label("Pause until").fill(until.isoformat())
    page.get_by_role("button", name="Pause").click()
    page.get_by_text(re.compile("Paused until")).first.wait_for()
    ola.refresh_from_db()
    assert (ola.status, ola.paused_until) == ("paused", until)
    assert not any(failures.values()), failures

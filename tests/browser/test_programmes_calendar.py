"""A coordinator cancels one match of a published round in a real browser: the round page
(with its cancel buttons, then its "Cancelled" tag) passes axe-core, and everyone in the match
gets a calendar cancellation."""

from __future__ import annotations

import pytest
import vobject
from playwright.sync_api import expect

from bridgework.mail.models import OutboxMessage
from bridgework.programmes import services
from tests.browser.accessibility import axe_violations
from tests.browser.pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cancel_a_match_from_the_round_page(page, two_networks):
    alpha, _ = two_networks
    programme = services.programme_create(network=alpha, name="Coffee", audience="network")
    services.enrol_audience(programme=programme)
    round_ = services.round_publish(round_=services.round_create(programme=programme, seed=2))
    (match,) = round_.matches.all()
    assert OutboxMessage.objects.filter(kind="programme-intro").count() == 2
    sign_in(page)
    page.goto(f"/n/alpha/coffee/rounds/{round_.pk}/")
    failures = {"published round": axe_violations(page)}
    page.get_by_role("button", name="Cancel this match").click()
    page.get_by_text("Cancelled the match").wait_for()
    failures["after cancelling"] = axe_violations(page)
    expect(page.get_by_text("Cancelled", exact=True)).to_be_visible()
    assert page.get_by_role("button", name="Cancel this match").count() == 0
    cancels = OutboxMessage.objects.filter(kind="programme-cancel")
    assert {m.to for m in cancels} == {"manager@alpha.example", "staff@alpha.example"}
    for message in cancels:
        event = vobject.readOne(message.attachments[0]["content"])
        assert event.method.value == "CANCEL"
        assert event.vevent.uid.value.startswith(f"match-{match.pk}@")
        assert int(event.vevent.sequence.value) == 1
    assert failures == {"published round": [], "after cancelling": []}

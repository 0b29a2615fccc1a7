"""A respondent answers through the link in the outbox (closing the browser half-way and
resuming), the coordinator reads the results; every respondent page passes axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bridgework.accounts.models import User
from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.directory.models import Membership, Person, Role, Workgroup
from bridgework.mail.models import OutboxMessage
from bridgework.surveys import services
from bridgework.surveys.models import Invitation
from tests.browser.accessibility import axe_violations
from tests.browser.pages import sign_in
from tests.factories import PASSWORD, make_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wave():
    network = make_network("alpha")
    user = User.objects.create_user("owner@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.OWNER)
    group = Workgroup.objects.get(network=network)
    for i in range(4):
        Person.objects.create(
            network=network, name=f"Nurse {i}", email=f"n{i}@alpha.example", workgroup=group
        )
    process = services.work_process_create(
        network=network,
        name="Hospital discharge",
        workgroups=[group],
        external_targets=["Families"],
    )
    now = timezone.now()
    wave = services.wave_create(
        process=process,
        name="Spring",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        respondent_workgroups=[group],
        live_results=True,
    )
    services.invitations_create(wave=wave)
    return wave


def check_axe(page, failures: dict, label: str) -> None:
    violations = axe_violations(page)
    if violations:
        failures[label] = [(v["id"], v["help"], len(v["nodes"])) for v in violations]


def answer_screen(page, score: int) -> None:
    for key in DIMENSIONS:
        page.locator(f"#{key}-{score}").check()
    page.get_by_role("button", name="Save and continue").click()


def test_respondent_answers_from_the_outbox_link_resumes_and_coordinator_sees_results(
    browser, live_server, wave
):
    failures: dict = {}
    coordinator = browser.new_context(base_url=live_server.url).new_page()
    sign_in(coordinator)
    coordinator.goto("/n/alpha/outbox/")
    message = OutboxMessage.objects.filter(kind="survey-invitation", to="n0@alpha.example").get()
    coordinator.goto(f"/n/alpha/outbox/{message.pk}/")
    href = coordinator.locator("a[href*='/s/']").first.get_attribute("href")
    link = href[href.index("/s/") :]

    # First visit: welcome, answer one screen, then the browser is closed.
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto(link)
    expect(page.get_by_text("about 10 minutes")).to_be_visible()
    check_axe(page, failures, "welcome")
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("heading", name="Working with alpha Nurses").wait_for()
    check_axe(page, failures, "screen")
    answer_screen(page, 4)
    page.get_by_role("heading", name="Working with Families").wait_for()
    context.close()

    # Later, another browser: the link resumes at screen 2.
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto(link)
    expect(page.get_by_text("You have answered 1 of 2 screens")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Working with Families").wait_for()
    page.get_by_role("button", name="Save and continue").click()  # nothing chosen: an error
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_axe(page, failures, "screen with error")
    page.get_by_label("I don’t work with Families").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Your answers have been sent").wait_for()
    check_axe(page, failures, "thank you")
    page.goto("/s/not-a-real-token/")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    check_axe(page, failures, "invalid link")
    context.close()

    invitation = Invitation.objects.get(person__email="n0@alpha.example")
    assert invitation.completed_at is not None
    assert invitation.responses.count() == 2
    # Five more colleagues answer, so the cell can be shown (minimum group size 5).
    for other in Invitation.objects.filter(wave=wave).exclude(pk=invitation.pk):
        services.response_save(
            invitation=other,
            target=invitation.responses.get(works_with=True).target,
            works_with=True,
            scores={key: 3 for key in DIMENSIONS},
        )
    coordinator.goto(f"/n/alpha/surveys/waves/{wave.pk}/results/")
    expect(coordinator.get_by_role("heading", name="Who rates whom")).to_be_visible()
    heatmap = coordinator.locator("#heatmap").inner_text()
    assert "3.17" in heatmap
    assert "weak" in heatmap
    assert "n 6" in heatmap
    check_axe(coordinator, failures, "results")

    services.wave_close(wave=wave)
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="This survey has closed")).to_be_visible()
    check_axe(page, failures, "closed")
    context.close()
    assert not failures, failures

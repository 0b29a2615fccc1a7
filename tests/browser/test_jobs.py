"""A coordinator sends a wave's invitations and lands on the job's progress page, which shows
the outcome; a running job's page updates itself in place until the job finishes; both pass
axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bridgework.accounts.models import User
from bridgework.directory.models import Membership, Role
from bridgework.jobs.models import Job
from bridgework.mail.models import OutboxMessage
from tests.browser.accessibility import axe_violations
from tests.browser.pages import sign_in
from tests.factories import PASSWORD, make_network, make_wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wave():
    network = make_network("alpha")
    user = User.objects.create_user("owner@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.OWNER)
    return make_wave(network, 4)


def test_send_invitations_shows_the_progress_page_and_its_outcome(page, wave):
    sign_in(page)
    page.goto(f"/n/alpha/surveys/waves/{wave.pk}/")
    page.get_by_role("link", name="Send invitations").click()
    page.get_by_role("button", name="Send invitations").click()
    page.wait_for_url("**/n/alpha/jobs/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sending invitations")
    expect(page.get_by_text("Sent 6 invitations.")).to_be_visible()
    expect(page.get_by_role("heading", name="Finished")).to_be_visible()
    assert OutboxMessage.objects.filter(kind="survey-invitation").count() == 6
    assert axe_violations(page) == []
    # The wave page links back to the job.
    page.get_by_role("link", name=f"Back to {wave.name}").first.click()
    page.get_by_role("link", name="Sent 6 invitations.", exact=False).click()
    page.wait_for_url("**/n/alpha/jobs/*/")


def test_a_running_jobs_page_updates_in_place_until_it_finishes(page, wave):
    job = Job.objects.create(
        network=wave.network,
        kind="rc-invitations",
        target_id=wave.pk,
        status=Job.Status.RUNNING,
        done=1500,
        total=20000,
    )
    sign_in(page)
    page.goto(f"/n/alpha/jobs/{job.pk}/")
    status = page.locator("#job-status")
    assert status.get_attribute("aria-live") == "polite"
    expect(status).to_contain_text("Sent 1,500 of 20,000 invitations")
    progress = page.get_by_label("Progress of this job")
    assert progress.evaluate("el => [el.tagName, el.value, el.max]") == ["PROGRESS", 1500, 20000]
    assert axe_violations(page) == []
    Job.objects.filter(pk=job.pk).update(done=9000)
    page.get_by_text("Sent 9,000 of 20,000 invitations").wait_for(timeout=10_000)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE, done=20000, outcome="Sent 20,000 invitations."
    )
    page.get_by_role("heading", name="Finished").wait_for(timeout=10_000)
    expect(page.get_by_text("Sent 20,000 invitations.")).to_be_visible()
    expect(status).to_have_attribute("data-job-active", "false")
    assert page.url.endswith(f"/n/alpha/jobs/{job.pk}/")  # updated in place, not reloaded

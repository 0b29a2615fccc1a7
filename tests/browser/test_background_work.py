"""Large downloads, large uploads and coffee rounds go through jobs in the browser: the
progress page offers the built file, leads to the checked file's preview, and back to the
drawn round; every page passes axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from bridgework.accounts.models import User
from bridgework.directory.models import Membership, Person, Role
from bridgework.programmes import services
from tests.browser.accessibility import axe_violations
from tests.browser.pages import sign_in
from tests.factories import PASSWORD, add_people, make_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network():
    network = make_network("alpha")
    user = User.objects.create_user("owner@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.OWNER)
    add_people(network, count=6)
    return network


def test_a_large_download_is_offered_on_its_jobs_page(page, network, settings):
    settings.EXPORT_INLINE_ROWS = 2
    sign_in(page)
    page.goto("/n/alpha/people/")
    page.get_by_role("link", name="CSV").click()
    page.wait_for_url("**/n/alpha/jobs/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Preparing a download")
    expect(page.get_by_text("Built alpha-people.csv: 8 rows.", exact=False)).to_be_visible()
    assert axe_violations(page) == []
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download alpha-people.csv").click()
    content = Path(caught.value.path()).read_text(encoding="utf-8")
    assert "Person 5" in content
    assert content.count("\n") == 9  # the header and eight people


def test_a_large_upload_is_checked_by_a_job_then_previewed_and_imported(
    page, network, settings, tmp_path
):
    settings.UPLOAD_INLINE_BYTES = 10
    path = tmp_path / "people.csv"
    path.write_text("name,email\nNew One,new1@alpha.example\nNew Two,new2@alpha.example\n")
    sign_in(page)
    page.goto("/n/alpha/people/import/")
    page.get_by_label("Upload a people file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/n/alpha/jobs/*/")
    expect(page.get_by_text("Checked 2 rows: 2 new", exact=False)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back to the import of people.csv").first.click()
    page.wait_for_url("**/people/import/*/")
    expect(page.get_by_role("cell", name="new2@alpha.example")).to_be_visible()
    page.get_by_role("button", name="Confirm and import").click()
    page.wait_for_url("**/n/alpha/jobs/*/")
    expect(page.get_by_text("Imported 2 new and 0 updated people")).to_be_visible()
    assert Person.objects.filter(email__startswith="new").count() == 2


def test_drawing_a_round_goes_through_its_job_and_back_to_the_round(page, network):
    programme = services.programme_create(network=network, name="Coffee", audience="network")
    services.enrol_audience(programme=programme)
    sign_in(page)
    page.goto(f"/n/alpha/coffee/{programme.pk}/rounds/new/")
    page.get_by_role("button", name="Draw the round").click()
    page.wait_for_url("**/n/alpha/jobs/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Drawing the round")
    expect(page.get_by_text("for 8 people", exact=False)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back to round 1 of Coffee").first.click()
    page.wait_for_url("**/coffee/rounds/*/")
    expect(page.get_by_role("link", name="Drew ", exact=False)).to_be_visible()

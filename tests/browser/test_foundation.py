"""Sign in, switch network, import people, and an axe-core scan of every page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from bridgework.directory.models import Person
from tests.browser.accessibility import axe_violations
from tests.browser.pages import follow, sign_in
from tests.factories import record_ids
from tests.url_patterns import ALL_PATTERNS, PUBLIC, fill

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_switch_network(page, two_networks):
    sign_in(page)
    page.get_by_role("link", name="Alpha").click()
    page.wait_for_url("**/n/alpha/")
    page.get_by_label("Network").select_option(label="Beta")
    page.get_by_role("button", name="Switch network").click()
    page.wait_for_url("**/n/beta/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beta")
    page.get_by_role("link", name="People").first.click()
    expect(page.get_by_role("link", name="beta Staff")).to_be_visible()
    assert page.get_by_text("alpha Staff").count() == 0


def test_import_a_file_with_errors_then_a_good_one(page, two_networks):
    sign_in(page)
    page.goto("/n/alpha/people/import/")
    page.get_by_label("Upload a people file").set_input_files(str(FIXTURES / "people-bad.csv"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("The file has 3 problems")).to_be_visible()
    expect(page.get_by_role("cell", name="Pacific/Honolula", exact=False)).to_be_visible()
    assert Person.objects.filter(network__slug="alpha").count() == 2

    page.get_by_label("Upload a people file").set_input_files(str(FIXTURES / "people-good.csv"))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/people/import/*/")
    expect(page.get_by_text("Riverbend Legal Aid").first).to_be_visible()
    page.get_by_role("button", name="Confirm and import").click()
    # The import runs as a job; its page shows the outcome and leads back to people.
    page.wait_for_url("**/n/alpha/jobs/*/")
    expect(page.get_by_text("Imported 10 new and 0 updated people")).to_be_visible()
    page.get_by_role("link", name="Back to people").first.click()
    page.wait_for_url("**/n/alpha/people/")
    assert Person.objects.filter(network__slug="alpha").count() == 12


def test_every_page_passes_axe(page, two_networks):
    alpha, _ = two_networks
    ids = record_ids(alpha)
    pages = ["/accounts/login/", "/accounts/invitation/unknown-token/", "/no-such-page/"]
    sign_in(page)
    pages.append("/")
    for name, route, _ in ALL_PATTERNS:
        if name in PUBLIC or name.endswith(
            ("_confirm", "_revoke", "_set_active", "_retry", "_download")
        ):
            continue
        if route.endswith((".csv", ".xlsx", ".pdf")):  # downloads, not pages
            continue
        pages.append(fill(route, alpha.slug, name, ids))
    # Pages showing form errors have their own markup: scan one of each.
    failures = {}
    expected_missing = {"/accounts/invitation/unknown-token/", "/no-such-page/"}
    for url in pages:
        status = page.goto(url).status
        assert status == (404 if url in expected_missing else 200), f"{url} answered {status}"
        violations = axe_violations(page)
        if violations:
            failures[url] = [(v["id"], v["help"], len(v["nodes"])) for v in violations]
    page.goto("/n/alpha/people/new/")
    follow(page, page.get_by_role("button", name="Save"))
    violations = axe_violations(page)
    if violations:
        failures["people/new with errors"] = [(v["id"], v["help"]) for v in violations]
    assert len(pages) > 15
    assert not failures, failures


def test_the_axe_scan_does_find_violations(page, two_networks):
    """Guards the scan above against passing vacuously (axe not loaded, or not run)."""
    page.goto("/accounts/login/")
    page.evaluate(
        "document.querySelector('main').append(Object.assign("
        "document.createElement('img'), {src: 'x.png'}))"
    )
    assert "image-alt" in {v["id"] for v in axe_violations(page)}

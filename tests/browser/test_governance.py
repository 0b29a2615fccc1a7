"""Erasing a person in a real browser, then finding the erasure in the audit log."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bridgework.audit.models import Action, AuditEvent
from bridgework.directory.models import Person
from tests.browser.pages import follow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_erase_a_person_then_read_it_in_the_audit_log(page, two_networks):
    alpha, _ = two_networks
    staff = Person.objects.get(network=alpha, name="alpha Staff")
    sign_in(page)
    page.goto("/n/alpha/people/")
    page.get_by_role("link", name="alpha Staff").click()
    page.get_by_role("link", name="Erase this person").click()
    page.get_by_role("heading", name="Erase alpha Staff").wait_for()
    expect(page.get_by_role("rowheader", name="Directory records")).to_be_visible()
    # Without the confirmation ticked, nothing is erased and the page says why.
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_text("Tick the box to confirm the erasure").first).to_be_visible()
    assert Person.objects.filter(pk=staff.pk).exists()

    page.get_by_label("I understand", exact=False).check()
    page.get_by_role("button", name="Erase this person").click()
    page.wait_for_url("**/n/alpha/people/")
    expect(page.get_by_text(f"Erased person #{staff.pk}")).to_be_visible()
    assert page.get_by_role("link", name="alpha Staff").count() == 0
    assert not Person.objects.filter(pk=staff.pk).exists()

    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Action").select_option(label="Erased a person")
    follow(page, page.get_by_role("button", name="Filter"))
    row = page.get_by_role("row", name="Erased a person")
    expect(row).to_be_visible()
    expect(row).not_to_contain_text("alpha Staff")
    assert AuditEvent.objects.filter(network=alpha, action=Action.PERSON_ERASED).count() == 1

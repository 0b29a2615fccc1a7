"""In a real browser: the owner makes an API token from the network's settings (shown once,
passes axe-core), the token reads the API, and the interactive API docs render under the
site's own Content-Security-Policy with every asset from this server."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from bridgework.api.models import ApiToken
from tests.browser.accessibility import axe_violations
from tests.browser.pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_makes_a_token_shown_once_that_reads_the_api(page, two_networks):
    alpha, _ = two_networks
    sign_in(page)
    page.goto("/n/alpha/settings/")
    page.get_by_role("link", name="API tokens page").click()
    page.get_by_label("What the token is for").fill("County dashboard")
    page.get_by_label("Survey results: RC waves and network survey summaries").check()
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert len(token) >= 43
    assert axe_violations(page) == []
    assert ApiToken.objects.get(network=alpha).scopes == ["read:results"]
    answer = page.request.get("/api/v1/network", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200
    assert answer.json()["slug"] == "alpha"
    refused = page.request.get("/api/v1/people", headers={"Authorization": f"Bearer {token}"})
    assert refused.status == 403
    page.goto("/n/alpha/settings/api/")  # a fresh look (a reload would post the form again)
    assert token not in page.content()
    assert "County dashboard" in page.content()
    page.get_by_role("button", name="Revoke County dashboard").click()
    page.get_by_text("was revoked").wait_for()
    again = page.request.get("/api/v1/network", headers={"Authorization": f"Bearer {token}"})
    assert again.status == 401


def test_the_api_docs_render_with_assets_from_this_server_only(browser, live_server):
    context = browser.new_context(base_url=live_server.url)  # the site's CSP applies
    page = context.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto("/api/v1/docs")
    page.get_by_text("/api/v1/rc/waves/{wave_id}/results").first.wait_for(timeout=15_000)
    assert hosts == {urlsplit(live_server.url).netloc}
    assert not [e for e in errors if "Content Security Policy" in e and "script" in e]
    context.close()

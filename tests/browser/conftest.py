"""Real-browser tests: Playwright driving Debian's Chromium, headless.

Without Chromium on the machine these tests skip with the reason, except in CI (``CI`` set),
where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest

from tests.browser.pages import two_networks_with_owner

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _finish_live_server_requests(timeout: float = 5.0) -> None:
    """Let the live server's request threads end before the server stops: a thread still
    closing its (shared, in-memory) database connection after the stop would raise."""
    for thread in threading.enumerate():
        target = getattr(thread, "_target", None)
        if getattr(target, "__name__", "") == "process_request_thread":
            thread.join(timeout)


@pytest.fixture(scope="session")
def browser(live_server) -> Iterator[object]:
    """One Chromium per test process; it closes before the live server it talks to stops."""
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required for browser tests in CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed: apt-get install chromium to run browser tests")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # as long as the pages' own default below
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    _finish_live_server_requests()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def two_networks():
    """Two networks and their owner's login (see :mod:`tests.browser.pages`)."""
    return two_networks_with_owner()

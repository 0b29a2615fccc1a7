"""Every page fits the screen, on a phone (390 px) and on a laptop (1280 px), and passes axe.

The demo network is crawled as its coordinator (every page their links reach) and as a
respondent of each instrument through their personal links. Wide tables scroll inside their
own focusable region, with the first column kept in view, instead of widening the page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bridgework.datasets.demo import DEMO_NETWORK_SLUG
from bridgework.demo import DEMO_COORDINATOR_EMAIL, DEMO_COORDINATOR_PASSWORD, demo_load
from bridgework.directory.models import Network
from bridgework.ona.models import NetworkInvitation, NetworkInvitationToken, RolesInvitation
from bridgework.ona.services import network_wave_create
from bridgework.programmes.models import Enrolment, EnrolmentToken
from bridgework.surveys.models import Invitation, InvitationToken, Wave
from bridgework.tokens import issue_token
from tests.browser.accessibility import axe_violations
from tests.browser.crawl import crawl
from tests.browser.pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280)
HEIGHT = 900
VIEWPORT = {"width": WIDTHS[0], "height": HEIGHT}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


class Findings:
    """What the crawl found wrong, by page, so one run lists every page to fix."""

    def __init__(self, page) -> None:
        self.page = page
        self.problems: dict[str, list] = {}

    def check(self, path: str) -> None:
        """Measure the page at each width, loaded afresh at that width (a script sizing a map
        or chart on load would hide an overflow from a mere resize), and run axe."""
        for number, width in enumerate(WIDTHS):
            if number:
                self.page.set_viewport_size({"width": width, "height": HEIGHT})
                self.page.reload()
            self.check_width(path, width)
            violations = axe_violations(self.page)
            for v in violations:
                self.problems.setdefault(path, []).append(
                    f"axe at {width}px: {v['id']} {[n['target'] for n in v['nodes']][:3]}"
                )
        # The next page loads at the first width again.
        self.page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})

    def check_width(self, path: str, width: int) -> None:
        overflow = self.page.evaluate(OVERFLOW)
        if overflow > 0:
            wide = self.page.evaluate(WIDEST)
            self.problems.setdefault(path, []).append(f"{overflow}px too wide at {width}px: {wide}")

    def report(self) -> str:
        return "\n".join(
            f"{path}: {'; '.join(map(str, found))}" for path, found in self.problems.items()
        )


#: The element furthest past the right edge, to name in a failure.
WIDEST = """() => {
  let worst = null, right = window.innerWidth;
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.bw-table-wrapper') && !el.matches('.bw-table-wrapper')) continue;
    const r = el.getBoundingClientRect();
    if (r.right > right + 0.5 && r.width > 0) { right = r.right; worst = el; }
  }
  if (!worst) return '';
  return worst.tagName.toLowerCase() + (worst.id ? '#' + worst.id : '')
    + (typeof worst.className === 'string' && worst.className
       ? '.' + worst.className.split(' ').join('.') : '')
    + ' to ' + Math.round(right) + 'px';
}"""


@pytest.fixture
def demo():
    demo_load()
    return Network.objects.get(slug=DEMO_NETWORK_SLUG)


def _under(prefix: str):
    """Only the pages of one personal link."""
    return lambda path: path.startswith(prefix)


def personal_links(network: Network) -> dict[str, str]:
    """One new working link per kind of personal page (links are stored hashed, so the crawl
    adds its own to existing invitations, as a reminder would)."""
    links = {}
    now = timezone.now()
    invitation = Invitation.objects.filter(
        network=network, completed_at=None, wave__opens_at__lt=now, wave__closes_at__gt=now
    )
    token = issue_token()
    InvitationToken.objects.create(invitation=invitation.first(), digest=token.digest)
    links["RC survey"] = f"/s/{token.plain}/"
    # The demo's network survey has closed: open another, as a coordinator would.
    wave = network_wave_create(
        network=network, name="Autumn map", opens_at=now, closes_at=now + timedelta(days=14)
    )
    person = network.people.filter(active=True).first()
    token = issue_token()
    NetworkInvitationToken.objects.create(
        invitation=NetworkInvitation.objects.create(network=network, wave=wave, person=person),
        digest=token.digest,
    )
    links["network survey"] = f"/m/{token.plain}/"
    token = issue_token()
    roles = RolesInvitation.objects.filter(network=network).first()
    RolesInvitation.objects.filter(pk=roles.pk).update(digest=token.digest)
    links["roles self-assessment"] = f"/r/{token.plain}/"
    token = issue_token()
    EnrolmentToken.objects.create(
        enrolment=Enrolment.objects.filter(programme__network=network).first(),
        digest=token.digest,
    )
    links["coffee participant"] = f"/c/me/{token.plain}/"
    return links


def test_every_page_a_coordinator_reaches_fits_both_widths_and_passes_axe(
    browser, live_server, demo
):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, DEMO_COORDINATOR_EMAIL, DEMO_COORDINATOR_PASSWORD)
    findings = Findings(page)
    visits = list(crawl(page, ["/"], check=findings.check))
    context.close()
    paths = {v.path for v in visits}
    # The crawl reached the instruments' pages, the wide tables among them.
    assert any("/results/" in p for p in paths), sorted(paths)
    assert any("/dashboard/" in p for p in paths), sorted(paths)
    assert len(visits) > 40, sorted(paths)
    errors = [v for v in visits if v.status >= 500]
    assert not errors, errors
    assert not findings.problems, findings.report()


def test_every_respondent_page_fits_both_widths_and_passes_axe(browser, live_server, demo):
    findings_by_kind = {}
    for kind, link in personal_links(demo).items():
        context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
        page = context.new_page()
        findings = Findings(page)
        visits = list(crawl(page, [link], check=findings.check, within=_under(link)))
        context.close()
        assert visits[0].status == 200, (kind, visits[0])
        # Beyond the first page: its language links at least, and the pages it leads to.
        assert len(visits) >= 3, (kind, visits)
        if findings.problems:
            findings_by_kind[kind] = findings.problems
    assert not findings_by_kind, "\n\n".join(f"{k}:\n{v}" for k, v in findings_by_kind.items())


def test_the_width_check_finds_a_page_wider_than_the_screen(browser, live_server):
    """Guards the crawl's check against passing vacuously."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    page = context.new_page()
    page.goto("/accounts/login/")
    findings = Findings(page)
    findings.check("/accounts/login/")
    assert findings.problems == {}
    page.evaluate(
        "document.querySelector('main').append(Object.assign("
        "document.createElement('div'), {id: 'too-wide', style: 'width: 1400px; height: 1px'}))"
    )
    findings.check_width("/accounts/login/", WIDTHS[-1])
    assert "div#too-wide" in findings.report()
    context.close()


def test_wide_heatmap_scrolls_by_keyboard_inside_its_region_with_rater_column_fixed(
    browser, live_server, demo
):
    wave = Wave.objects.filter(network=demo, closes_at__lt=timezone.now()).order_by("-pk").first()
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    page = context.new_page()
    sign_in(page, DEMO_COORDINATOR_EMAIL, DEMO_COORDINATOR_PASSWORD)
    page.goto(f"/n/{demo.slug}/surveys/waves/{wave.pk}/results/")
    region = page.get_by_role("region", name="Who rates whom", exact=False)
    assert region.locator("#heatmap").count() == 1
    assert page.evaluate(OVERFLOW) <= 0
    # Wider than the screen, so it scrolls inside its region.
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    rater = region.locator("tbody tr").first.locator("th")
    last = region.locator("tbody tr").first.locator("td").last
    rater_x, last_x = rater.bounding_box()["x"], last.bounding_box()["x"]
    # A keyboard user reaches the region with Tab and scrolls it with the arrow keys.
    page.locator("#heatmap").scroll_into_view_if_needed()
    for _ in range(200):
        page.keyboard.press("Tab")
        if region.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("the heatmap's region is not reachable with Tab")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")
    assert last.bounding_box()["x"] < last_x
    assert rater.bounding_box()["x"] == pytest.approx(rater_x, abs=1)
    context.close()

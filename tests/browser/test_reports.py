"""A coordinator downloads the PDF report from the results page, and it holds the figures the
page's heatmap shows."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from bridgework.accounts.models import User
from bridgework.directory.models import Membership, Role
from tests.browser.pages import sign_in
from tests.factories import PASSWORD, answer_survey, close_wave, make_network, make_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_pdf_from_the_results_page(page):
    network = make_network("alpha")
    user = User.objects.create_user("owner@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network, role=Role.OWNER)
    survey = make_survey(network, sizes=(6, 2, 7))
    answer_survey(survey)
    close_wave(survey.wave)
    sign_in(page, "owner@alpha.example")
    page.goto(f"/n/alpha/surveys/waves/{survey.wave.pk}/results/")
    shown = re.findall(r"\d\.\d\d", page.locator("#heatmap").inner_text())
    assert shown
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Download PDF")).click()
    download = info.value
    assert re.fullmatch(r"rc-results-wave-1-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Relational coordination: Wave 1" in text
    for value in shown:
        assert value in text
    assert "suppressed" in text

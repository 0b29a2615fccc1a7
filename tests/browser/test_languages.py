"""A respondent switches their survey to Spanish with the header's language link, and the
choice sticks for the next pages and the next visit."""

from __future__ import annotations

import pytest

from bridgework.surveys.models import Invitation
from tests.browser.accessibility import axe_violations
from tests.factories import make_network, make_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_switching_language_on_a_survey_page_shows_spanish(page):
    survey = make_survey(make_network("alpha"), sizes=(3,))
    invitation_id, token = next(iter(survey.tokens.items()))
    page.goto(f"/s/{token}/")
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("button", name="Start now").is_visible()
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()
    page.wait_for_url(f"**/s/{token}/")
    assert page.get_attribute("html", "lang") == "es"
    assert page.get_by_role("heading", name="Sus respuestas son confidenciales").is_visible()
    page.get_by_role("button", name="Empezar ahora").click()
    assert page.get_by_role("button", name="Guardar y continuar").is_visible()
    assert axe_violations(page) == []
    assert Invitation.objects.get(pk=invitation_id).person.language == "es"
    english = page.get_by_role("navigation", name="Idioma").get_by_role("link", name="English")
    assert english.get_attribute("hreflang") == "en"

"""A respondent switches their survey to Spanish with the header's language link, and the
choice sticks for the next pages and the next visit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bridgework.surveys.models import Invitation
from tests.browser.accessibility import axe_violations
from tests.browser.pages import follow
from tests.factories import make_network, make_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_switching_language_on_a_survey_page_shows_spanish(page):
    survey = make_survey(make_network("alpha"), sizes=(3,))
    invitation_id, token = next(iter(survey.tokens.items()))
    page.goto(f"/s/{token}/")
    assert page.get_attribute("html", "lang") == "en"
    expect(page.get_by_role("button", name="Start now")).to_be_visible()
    languages = page.get_by_role("navigation", name="Language")
    follow(page, languages.get_by_role("link", name="Español"))
    assert page.url.endswith(f"/s/{token}/")  # the same page, now in Spanish
    assert page.get_attribute("html", "lang") == "es"
    expect(page.get_by_role("heading", name="Sus respuestas son confidenciales")).to_be_visible()
    page.get_by_role("button", name="Empezar ahora").click()
    expect(page.get_by_role("button", name="Guardar y continuar")).to_be_visible()
    assert axe_violations(page) == []
    assert Invitation.objects.get(pk=invitation_id).person.language == "es"
    english = page.get_by_role("navigation", name="Idioma").get_by_role("link", name="English")
    assert english.get_attribute("hreflang") == "en"


def test_a_coordinator_whose_browser_is_in_spanish_signs_in_in_spanish(browser, live_server):
    """Coordinators' pages follow the browser's language: what has a Spanish entry is in
    Spanish (sign-in, header, menu), the rest stays English."""
    from tests.browser.pages import OWNER_EMAIL, PASSWORD, two_networks_with_owner

    alpha, _ = two_networks_with_owner()
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/accounts/login/")
        assert page.get_attribute("html", "lang") == "es"
        expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
        page.get_by_label("Dirección de correo electrónico").fill(OWNER_EMAIL)
        page.get_by_label("Contraseña").fill(PASSWORD)
        page.get_by_role("button", name="Iniciar sesión").click()
        page.get_by_role("button", name="Cerrar sesión").wait_for()
        page.goto(f"/n/{alpha.slug}/people/")
        menu = page.get_by_role("navigation", name=alpha.name)
        expect(menu.get_by_role("link", name="Registro de auditoría")).to_be_visible()
        expect(page.get_by_role("link", name="Add a person")).to_be_visible()
        assert axe_violations(page) == []
    finally:
        context.close()

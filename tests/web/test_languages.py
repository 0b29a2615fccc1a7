"""Pages and emails in the person's language: the language on the person and the network,
the switcher on personal-link pages, Spanish pages and emails with no English left over, the
RC wording per language, and the language column of people files."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from bridgework.analysis.rc_instrument import BUILTIN_INSTRUMENT, DIMENSIONS
from bridgework.datasets.people import LANGUAGE_CODES, parse_people, write_people
from bridgework.datasets.tabular import Table
from bridgework.directory.models import Person
from bridgework.mail.models import OutboxMessage
from bridgework.ona import services as network_services
from bridgework.ona.models import NetworkInvitation, NetworkInvitationToken, RolesInvitation
from bridgework.problems import DatasetError
from bridgework.surveys import services as survey_services
from bridgework.surveys.models import Invitation
from bridgework.tokens import issue_token
from tests.factories import make_survey, published_round

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES" / "django.po"
TAG = re.compile(r"<[^>]+>")


@cache
def english_sentences() -> tuple[str, ...]:
    """The English of every catalogue entry long enough to be a sentence and free of
    placeholders: none may appear on a page or in an email rendered in Spanish."""
    found = []
    for entry in polib.pofile(str(CATALOGUE)):
        for text in (entry.msgid, entry.msgid_plural):
            sentence = text and len(text) >= 14 and "%(" not in text and "{" not in text
            if sentence and text != entry.msgstr:
                found.append(TAG.sub("", text))
    return tuple(found)


def leftover_english(text: str) -> list[str]:
    plain = TAG.sub("", text).replace("&#x27;", "'").replace("&quot;", '"')
    return [sentence for sentence in english_sentences() if sentence in plain]


def spanish(person: Person) -> Person:
    Person.objects.filter(pk=person.pk).update(language="es")
    person.refresh_from_db()
    return person


def first_invitation(survey) -> tuple[Invitation, str]:
    invitation_id, token = next(iter(survey.tokens.items()))
    return Invitation.objects.get(pk=invitation_id), token


@pytest.mark.django_db
def test_rc_survey_pages_are_in_the_persons_language(network_a):
    survey = make_survey(network_a, sizes=(3,), external=("Families",))
    invitation, token = first_invitation(survey)
    spanish(invitation.person)
    client = Client()
    pages = {
        "start": client.get(f"/s/{token}/").content.decode(),
        "step": client.get(f"/s/{token}/1/").content.decode(),
        "error": client.post(f"/s/{token}/1/", {}).content.decode(),
        "done": client.get(f"/s/{token}/done/").content.decode(),
    }
    assert '<html lang="es"' in pages["start"]
    assert "Sus respuestas son confidenciales" in pages["start"]
    assert "Empezar ahora" in pages["start"]
    assert "¿Hasta qué punto comparten las personas de Group 0" in pages["step"]
    assert "Totalmente" in pages["step"]
    assert "Hay un problema" in pages["error"]
    assert "Saltar al contenido principal" in pages["start"]
    for name, html in pages.items():
        assert leftover_english(html) == [], name


@pytest.mark.django_db
def test_the_network_default_language_applies_to_people_without_one(network_a):
    network_a.default_language = "es"
    network_a.save()
    survey = make_survey(network_a, sizes=(3,))
    _, token = first_invitation(survey)
    html = Client().get(f"/s/{token}/").content.decode()
    assert '<html lang="es"' in html
    assert "Empezar ahora" in html


@pytest.mark.django_db
def test_the_switcher_saves_the_choice_on_the_person_and_works_without_javascript(network_a):
    survey = make_survey(network_a, sizes=(3,))
    invitation, token = first_invitation(survey)
    client = Client()
    english = client.get(f"/s/{token}/1/").content.decode()
    assert '<html lang="en"' in english
    assert "Save and continue" in english
    assert leftover_english(english)
    assert f'href="/s/{token}/1/?language=es" hreflang="es" lang="es"' in english
    assert '<span aria-current="true" lang="en">English</span>' in english
    response = client.get(f"/s/{token}/1/?language=es")
    assert response.status_code == 302
    assert response["Location"] == f"/s/{token}/1/"
    invitation.person.refresh_from_db()
    assert invitation.person.language == "es"
    page = client.get(f"/s/{token}/1/").content.decode()
    assert '<html lang="es"' in page
    assert "Guardar y continuar" in page
    assert 'hreflang="en" lang="en"' in page
    # An unknown code changes nothing; another browser with the same link sees Spanish too.
    client.get(f"/s/{token}/?language=xx")
    invitation.person.refresh_from_db()
    assert invitation.person.language == "es"
    assert "Empezar ahora" in Client().get(f"/s/{token}/").content.decode()


@pytest.mark.django_db
def test_closed_survey_page_is_in_the_persons_language(network_a):
    survey = make_survey(network_a, sizes=(3,), opened_days_ago=10, closes_in_days=-1)
    invitation, token = first_invitation(survey)
    spanish(invitation.person)
    response = Client().get(f"/s/{token}/")
    assert response.status_code == 410
    assert "Esta encuesta ha cerrado" in response.content.decode()


@pytest.mark.django_db
def test_invitation_emails_are_written_in_each_recipients_language(network_a):
    survey = make_survey(network_a, sizes=(3,))
    group = survey.groups[0]
    ana = Person.objects.create(
        network=network_a, name="Ana", email="ana@alpha.example", workgroup=group, language="es"
    )
    Person.objects.create(network=network_a, name="Ben", email="ben@alpha.example", workgroup=group)
    assert survey_services.invitations_create(wave=survey.wave) == 2
    to_ana = OutboxMessage.objects.get(to=ana.email)
    to_ben = OutboxMessage.objects.get(to="ben@alpha.example")
    assert to_ana.subject == "¿Cómo funciona Discharge? Una encuesta de 10 minutos"
    assert to_ana.text_body.startswith("Hola, Ana:")
    assert "Abrir su enlace personal a la encuesta" in to_ana.html_body
    for body in (to_ana.text_body, to_ana.html_body):
        assert leftover_english(body) == []
    assert to_ben.subject == "How is Discharge working? A 10-minute survey"
    assert to_ben.text_body.startswith("Hello Ben,")


@pytest.mark.django_db
def test_network_survey_and_roles_pages_and_emails_in_spanish(network_a):
    org = network_a.organisations.first()
    people = [
        Person.objects.create(
            network=network_a, name=f"Sam Example {i}", email=f"s{i}@a.example", organisation=org
        )
        for i in range(4)
    ]
    me = spanish(people[0])
    now = timezone.now()
    wave = network_services.network_wave_create(
        network=network_a,
        name="Map",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=3),
    )
    invitation = NetworkInvitation.objects.create(network=network_a, wave=wave, person=me)
    token = issue_token()
    NetworkInvitationToken.objects.create(invitation=invitation, digest=token.digest)
    client = Client()
    start = client.get(f"/m/{token.plain}/?q=Sam").content.decode()
    assert "¿Con quién trabaja?" in start
    assert 'data-text-count-many="{count} resultados"' in start
    ref = re.search(rf'/m/{token.plain}/colleague/([^/]+)/">Sam Example 1', start).group(1)
    colleague = client.get(f"/m/{token.plain}/colleague/{ref}/").content.decode()
    assert "¿Cuánto confía en Sam Example" in colleague
    done = client.get(f"/m/{token.plain}/done/").content.decode()
    outside = client.get(f"/m/{token.plain}/outside/").content.decode()
    assert "Organizaciones fuera de este directorio" in outside
    roles_token = issue_token()
    RolesInvitation.objects.create(network=network_a, person=me, digest=roles_token.digest)
    roles = client.get(f"/r/{roles_token.plain}/").content.decode()
    assert "Totalmente de acuerdo" in roles
    assert "Cuestiono la forma en que las cosas se han hecho siempre." in roles
    for name, html in {
        "start": start,
        "colleague": colleague,
        "done": done,
        "roles": roles,
    }.items():
        assert leftover_english(html) == [], name
    spanish(people[1])
    assert network_services.roles_invitations_create(network=network_a) > 0
    email = OutboxMessage.objects.get(to=spanish(people[1]).email, kind="roles-invitation")
    assert email.subject == "¿Qué papel desempeña en la red? Una reflexión de 3 minutos"
    assert leftover_english(email.html_body) == []


@pytest.mark.django_db
def test_coffee_emails_and_participant_pages_in_the_networks_default_language(network_a):
    network_a.default_language = "es"
    network_a.save()
    round_ = published_round(network_a)
    intro = OutboxMessage.objects.filter(kind="programme-intro").first()
    assert intro.subject.startswith("Coffee: conozca a ")
    assert "En esta ronda de Coffee se reunirá con:" in intro.text_body
    unmatched = OutboxMessage.objects.filter(kind="programme-unmatched").first()
    assert "no tiene pareja" in unmatched.text_body
    for message in OutboxMessage.objects.filter(kind__startswith="programme-"):
        for body in (message.text_body, message.html_body):
            assert leftover_english(body) == [], message.kind
    path = re.search(r"/c/me/[\w-]+/", intro.text_body).group(0)
    client = Client()
    me = client.get(path).content.decode()
    assert "Cambiar sus preferencias" in me
    assert "Dejar el programa" in me
    preferences = client.get(f"{path}preferences/").content.decode()
    assert "Dónde trabajo" in preferences
    match = round_.matches.first()
    for name, html in {"me": me, "preferences": preferences}.items():
        assert leftover_english(html) == [], name
    assert match is not None


@pytest.mark.django_db
def test_public_signup_page_switches_language_with_a_cookie(network_a):
    round_ = published_round(network_a)
    code = round_.programme.signup_code
    client = Client()
    assert "Join Coffee" in client.get(f"/c/join/{code}/").content.decode()
    response = client.get(f"/c/join/{code}/?language=es")
    assert response.status_code == 302
    page = client.get(f"/c/join/{code}/").content.decode()
    assert "Únase a Coffee" in page
    assert "Su nombre" in page
    assert leftover_english(page) == []


@pytest.mark.django_db
def test_wave_wording_per_language_keeps_the_flat_form_as_the_default_language(network_a):
    survey = make_survey(network_a, sizes=(3,))
    wave = survey.wave
    wave.question_texts = {"timely": "Old {target}?"}  # as stored before per-language wording
    wave.save()
    assert wave.instrument().item("timely").question == "Old {target}?"
    assert wave.instrument("es").item("timely").question.startswith("Cuando necesita algo de")
    base = BUILTIN_INSTRUMENT.with_language("es")
    survey_services.wave_set_wording(
        wave=wave,
        frequency_scale="frequency",
        questions={"timely": "Mine: {target}?"},
        answer_labels={},
        translations={
            "es": {
                "questions": {"timely": "¿{target} a tiempo?"},
                "answer_labels": {"timely": list(base.item("timely").answer_labels)},
            }
        },
    )
    wave.refresh_from_db()
    assert wave.question_texts == {
        "timely": "Mine: {target}?",
        "es": {"timely": "¿{target} a tiempo?"},
    }
    assert wave.answer_labels == {}
    assert wave.instrument("es").item("timely").render(work_process="x", target="Farmacia") == (
        "¿Farmacia a tiempo?"
    )
    with pytest.raises(Exception, match="Español"):
        survey_services.wave_set_wording(
            wave=wave,
            frequency_scale="frequency",
            questions={},
            answer_labels={},
            translations={"es": {"questions": {"timely": "Sin grupo"}, "answer_labels": {}}},
        )


@pytest.mark.django_db
def test_wording_page_has_one_block_per_language_and_saves_each(network_a, coordinator):
    survey = make_survey(network_a, sizes=(3,))
    url = f"/n/{network_a.slug}/surveys/waves/{survey.wave.pk}/questions/"
    page = coordinator.get(url).content.decode()
    assert "Español – Timely communication" in page or "Español – Comunicación oportuna" in page
    assert 'name="question_es_timely"' in page
    data = {"frequency_scale": "frequency"}
    for code, words in (("", BUILTIN_INSTRUMENT), ("es_", BUILTIN_INSTRUMENT.with_language("es"))):
        for key in DIMENSIONS:
            data[f"question_{code}{key}"] = words.item(key).question
            data[f"answers_{code}{key}"] = "\n".join(words.item(key).answer_labels)
    data["question_es_timely"] = "¿Llega a tiempo lo de {target}?"
    response = coordinator.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    survey.wave.refresh_from_db()
    assert survey.wave.question_texts == {"es": {"timely": "¿Llega a tiempo lo de {target}?"}}
    data["answers_es_timely"] = "uno\ndos"
    page = coordinator.post(url, data).content.decode()
    assert "Give exactly five answers" in page


def test_people_files_read_and_write_the_language_column():
    table = Table(
        header=("Name", "Email", "Language"),
        rows=(("Ana", "ana@x.example", "ES"), ("Ben", "ben@x.example", "")),
    )
    ana, ben = parse_people(table)
    assert (ana.language, ben.language) == ("es", "")
    written = write_people([ana, ben], format="csv")
    text = written.decode() if isinstance(written, bytes) else written
    assert "language" in text.splitlines()[0]
    assert ",es," in text
    bad = Table(header=("name", "email", "lang"), rows=(("Cai", "cai@x.example", "klingon"),))
    with pytest.raises(DatasetError) as caught:
        parse_people(bad)
    (problem,) = caught.value.problems
    assert problem.row == 2
    assert problem.column == "lang"
    assert "klingon" in problem.reason
    assert "es" in problem.reason


def test_people_file_languages_are_the_servers_languages():
    assert set(LANGUAGE_CODES) == {code for code, _ in settings.LANGUAGES}


@pytest.mark.django_db
def test_person_form_edits_the_language(network_a, coordinator):
    person = Person.objects.create(network=network_a, name="Dee", email="dee@alpha.example")
    url = f"/n/{network_a.slug}/people/{person.pk}/edit/"
    page = coordinator.get(url).content.decode()
    assert (
        "The network&#x27;s default (English)" in page or "The network's default (English)" in page
    )
    response = coordinator.post(
        url, {"name": "Dee", "email": "dee@alpha.example", "language": "es"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "es"


@pytest.mark.django_db
def test_owner_sets_the_networks_default_language(network_a, owner):
    url = f"/n/{network_a.slug}/settings/"
    assert 'name="default_language"' in owner.get(url).content.decode()
    data = {"min_group_size": network_a.min_group_size, "default_language": "es"}
    assert owner.post(url, data).status_code == 302
    network_a.refresh_from_db()
    assert network_a.default_language == "es"
    assert owner.post(url, {"min_group_size": network_a.min_group_size}).status_code == 302
    network_a.refresh_from_db()
    assert network_a.default_language == "es"


def test_too_many_requests_page_follows_the_browsers_language(rf):
    from django.utils import translation

    from bridgework.web.ratelimit import too_many_requests

    with translation.override("es"):
        html = too_many_requests(rf.get("/")).content.decode()
    assert "Lo sentimos, ha habido demasiadas solicitudes" in html
    assert leftover_english(html) == []


@pytest.mark.django_db
def test_someone_who_signs_up_in_spanish_gets_spanish_emails_and_keeps_it(network_a):
    from bridgework.programmes.services import programme_create

    code = programme_create(network=network_a, name="Open coffee").signup_code
    client = Client()
    client.get(f"/c/join/{code}/?language=es")
    data = {
        "name": "Lola Paz",
        "email": "lola@elsewhere.example",
        "organisation_name": "Otra",
        "meeting_mode": "either",
        "consent": "on",
    }
    assert client.post(f"/c/join/{code}/", data).status_code == 302
    email = OutboxMessage.objects.get(to="lola@elsewhere.example")
    assert email.subject == "Confirme que quiere unirse a Open coffee"
    assert leftover_english(email.text_body) == []
    path = re.search(r"/c/confirm/[\w-]+/", email.text_body).group(0)
    assert client.post(path).status_code == 302
    assert Person.objects.get(email="lola@elsewhere.example").language == "es"


@pytest.mark.django_db
def test_coordinator_pages_follow_the_browsers_language_and_fall_back_to_english(network_a, owner):
    """Strings with a Spanish entry (sign-in, header, menu) are in Spanish for a browser that
    asks for it; coordinator strings still waiting for a translator stay English."""
    login = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es"' in login
    assert '<h1 class="govuk-heading-l">Iniciar sesión</h1>' in login
    assert "Dirección de correo electrónico" in login
    assert "Sign in" not in login

    people = f"/n/{network_a.slug}/people/"
    spanish_page = owner.get(people, HTTP_ACCEPT_LANGUAGE="es")
    assert spanish_page.status_code == 200
    html = spanish_page.content.decode()
    assert '<html lang="es"' in html
    assert "Cerrar sesión" in html
    assert "Registro de auditoría" in html
    assert "Inicio de sesión y sincronización" in html
    assert "Add a person" in html  # no Spanish entry yet: English, not an error

    english = owner.get(people, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en"' in english
    for text in ("Sign out", "Audit log", "Sign-in and sync", "Add a person"):
        assert text in english
    assert "Cerrar sesión" not in english


@pytest.mark.django_db
def test_a_participants_changed_coffee_email_is_in_spanish(network_a):
    from django.template.loader import render_to_string
    from django.utils import translation

    context = {
        "person": {"name": "Ana"},
        "others": [{"name": "Luis", "email": "luis@example.org"}],
        "programme": {"name": "Café"},
        "suggested": timezone.now(),
        "zone": "Europe/Madrid",
        "round": {"ends_on": timezone.now().date()},
        "site_url": "https://bridgework.example",
        "path": "/c/x/",
    }
    with translation.override("es"):
        texts = [
            render_to_string(f"programmes/emails/{kind}.{ext}", context)
            for kind in ("update", "cancel")
            for ext in ("txt", "html")
        ]
    assert "Ahora se reúne con" in texts[0]
    assert "Su café con Luis" in texts[2]
    assert all(leftover_english(text) == [] for text in texts)


@pytest.mark.django_db
def test_a_model_choice_label_is_translated_where_the_catalogue_has_it(network_a, owner):
    """Choice labels are looked up in the page's language: the audit log's action with a
    Spanish entry reads in Spanish, in the row and in the filter, and in English otherwise;
    an action still waiting for a translator stays English."""
    from django.utils import translation

    from bridgework.audit.models import Action
    from bridgework.audit.services import audit_record

    event = audit_record(network=network_a, action=Action.ROUND_PUBLISHED, details={})
    audit_record(network=network_a, action=Action.EXPORT_DOWNLOADED, details={})
    with translation.override("es"):
        assert event.get_action_display() == "Publicó una ronda de café"
    assert event.get_action_display() == "Published a coffee round"

    spanish_page = owner.get(f"/n/{network_a.slug}/audit/", HTTP_ACCEPT_LANGUAGE="es")
    html = spanish_page.content.decode()
    assert '<th scope="row" class="govuk-table__header">Publicó una ronda de café</th>' in html
    assert '<option value="round_published">Publicó una ronda de café</option>' in html
    assert "Published a coffee round" not in html
    assert "Downloaded an export" in html  # no Spanish entry yet: English, not an error

    english = owner.get(f"/n/{network_a.slug}/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<th scope="row" class="govuk-table__header">Published a coffee round</th>' in english
    assert "Publicó una ronda de café" not in english

"""No login reaches a respondent's personal link through the outbox where mail is delivered;
in the outbox-only mode every outbox page says links are visible. Logs carry no links."""

from __future__ import annotations

import logging
import os
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.accounts.services import invitation_create
from bridgework.directory.models import Person
from bridgework.mail.models import OutboxMessage
from bridgework.mail.redaction import REDACTED_LINK, RedactingFilter, redact, tokens_in
from bridgework.mail.services import email_deliver, email_queue, outbox_redact
from bridgework.ona import services as network_services
from bridgework.programmes import services as programme_services
from bridgework.surveys import services as survey_services
from bridgework.surveys.models import Invitation
from tests.factories import make_survey, make_wave, published_round

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
#: An RC survey's personal link: its route and a token.
PERSONAL = re.compile(r"/s/[A-Za-z0-9_-]{20,}/")
URL = re.compile(r"""https?://[^\s"'<>]+|(?:href|src|action)="(/[^"]*)\"""")


def _urls(html: str) -> set[str]:
    found = set()
    for match in URL.finditer(html):
        url = match.group(1) or match.group(0)
        found.add(urlsplit(url.replace("&amp;", "&")).path)
    return found


def _personal(path: str) -> bool:
    """True for an address served by a view that takes a personal token."""
    try:
        return "token" in resolve(path).kwargs
    except Resolver404:
        return False


def _opens_a_personal_page(client: Client, path: str) -> bool:
    response = client.get(path, follow=True)
    final = response.redirect_chain[-1][0] if response.redirect_chain else path
    return response.status_code == 200 and _personal(urlsplit(final).path)


def _queue_every_kind_of_email(network, owner_user) -> None:
    """RC invitations and reminders, network invitations, roles, coffee and coordinator
    invitations, all through the real services."""
    survey = make_survey(network)
    Invitation.objects.filter(wave=survey.wave).delete()
    survey_services.invitations_create(wave=survey.wave)
    survey_services.reminders_send(wave=survey.wave)
    now = timezone.now()
    wave = network_services.network_wave_create(
        network=network, name="Map", opens_at=now - timedelta(days=1), closes_at=now + timedelta(5)
    )
    network_services.network_invitations_create(wave=wave)
    network_services.roles_invitations_create(network=network)
    published_round(network)
    programme_services.signup_request(
        programme=programme_services.programme_create(network=network, name="Open coffee"),
        name="Ola Nowak",
        email="ola@charity.example",
        organisation_name="A Charity",
    )
    invitation_create(
        network=network, email="new@agency.example", role="coordinator", invited_by=owner_user
    )


@pytest.mark.django_db
def test_a_coordinator_reading_the_outbox_opens_no_personal_page(
    network_a, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = LOCMEM  # real delivery
    owner_user = User.objects.create_user("owner@alpha.example", "a-long-test-password")
    with django_capture_on_commit_callbacks(execute=True):
        _queue_every_kind_of_email(network_a, owner_user)
    kinds = set(OutboxMessage.objects.values_list("kind", flat=True))
    assert {
        "survey-invitation",
        "survey-reminder",
        "network-invitation",
        "roles-invitation",
    } <= kinds
    assert {"programme-intro", "programme-confirm", "coordinator-invitation"} <= kinds
    assert OutboxMessage.objects.exclude(status="sent").count() == 0

    # Every outbox page, every message page, and searches, as the coordinator sees them.
    slug = network_a.slug
    pages = []
    index = coordinator.get(f"/n/{slug}/outbox/")
    assert index.status_code == 200
    number = 1
    while True:
        listing = coordinator.get(f"/n/{slug}/outbox/?page={number}").content.decode()
        pages.append(listing)
        if f"page={number + 1}" not in listing:
            break
        number += 1
    for query in ("survey", "coffee", "example"):
        pages.append(coordinator.get(f"/n/{slug}/outbox/?q={query}").content.decode())
    for pk in OutboxMessage.objects.values_list("pk", flat=True):
        response = coordinator.get(f"/n/{slug}/outbox/{pk}/")
        assert response.status_code == 200
        pages.append(response.content.decode())
    assert len(pages) > OutboxMessage.objects.count()

    urls = set().union(*(_urls(page) for page in pages))
    assert urls  # the pages do link to things: the check below has something to check
    opened = [u for u in urls if _opens_a_personal_page(Client(), u)]
    opened += [u for u in urls if _personal(u) and _opens_a_personal_page(coordinator, u)]
    assert opened == []
    assert REDACTED_LINK in "".join(pages)

    # The delivered emails do carry working links, and no token of theirs is stored.
    assert len(mail.outbox) == OutboxMessage.objects.count()
    delivered_links = set()
    for email in mail.outbox:
        links = [u for u in _urls(email.body) if _personal(u)]
        assert links, email.subject
        delivered_links.update(links)
    tokens = {resolve(link).kwargs["token"] for link in delivered_links}
    for message in OutboxMessage.objects.all():
        stored = message.subject + message.text_body + message.html_body + str(message.attachments)
        assert not any(token in stored for token in tokens)
        assert (message.pending_text_body, message.pending_html_body) == ("", "")
        assert message.pending_attachments == []
    assert not any(token in page for token in tokens for page in pages)
    working = [link for link in delivered_links if _opens_a_personal_page(Client(), link)]
    assert len(working) >= len(mail.outbox) // 2  # e.g. confirm pages open, RC starts redirect


@pytest.mark.django_db
def test_a_queued_message_is_redacted_before_delivery_and_sent_whole(network_a, settings):
    settings.EMAIL_BACKEND = LOCMEM
    person = Person.objects.filter(network=network_a).first()
    path = "/s/" + "T" * 43 + "/"
    message = email_queue(
        network=network_a,
        to=person.email,
        subject="Survey",
        template="mail/emails/plain",
        context={"body": f"Your link: {settings.SITE_URL}{path} (code {'T' * 43})", "path": path},
    )  # not committed: still queued
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert "T" * 43 not in message.text_body + message.html_body
    assert message.links_redacted
    assert email_deliver(message_id=message.pk) == OutboxMessage.Status.SENT
    (sent,) = mail.outbox
    assert f"{settings.SITE_URL}{path}" in sent.body
    message.refresh_from_db()
    assert message.pending_text_body == message.pending_html_body == ""
    assert "T" * 43 not in message.text_body


@pytest.mark.django_db
def test_emails_queued_in_a_batch_are_redacted_before_delivery_and_sent_whole(network_a, settings):
    """Invitations are written in batches (the bulk path, not ``email_queue``): a coordinator
    reading the outbox before the worker delivers sees no link either."""
    settings.EMAIL_BACKEND = LOCMEM
    wave = make_wave(network_a, 3)
    invited = survey_services.invitations_create(wave=wave)  # not committed: none delivered
    queued = list(OutboxMessage.objects.filter(kind="survey-invitation"))
    assert invited >= 3
    assert len(queued) == invited
    for message in queued:
        assert message.status == OutboxMessage.Status.QUEUED
        assert message.links_redacted
        assert not PERSONAL.search(message.text_body + message.html_body + message.subject)
        assert email_deliver(message_id=message.pk) == OutboxMessage.Status.SENT
    assert len(mail.outbox) == invited
    assert all(PERSONAL.search(sent.body) for sent in mail.outbox)


def test_redaction_finds_every_personal_route_and_known_tokens(settings):
    token = "abcDEF123_-" * 4
    text = "\n".join(
        f"{settings.SITE_URL}{prefix}{token}/{rest}"
        for prefix, rest in (
            ("/s/", "2/"),
            ("/m/", "colleague/7.xyz/"),
            ("/r/", ""),
            ("/c/me/", "feedback/3/"),
            ("/c/confirm/", ""),
            ("/accounts/invitation/", ""),
        )
    )
    cleaned = redact(text + f"\nreference {token}", [token])
    assert token not in cleaned
    assert cleaned.count(REDACTED_LINK) == 6
    # The public sign-up link and the app's own pages stay.
    assert (
        redact("/c/join/CODE123/ and /n/alpha/outbox/") == "/c/join/CODE123/ and /n/alpha/outbox/"
    )
    assert tokens_in({"path": f"/c/me/{token}/feedback/3/", "name": "Ola"}) == {token}


@pytest.mark.django_db
def test_switching_to_delivery_redacts_copies_already_stored(network_a, settings):
    link = "/r/" + "Q" * 43 + "/"
    sent = OutboxMessage.objects.create(
        network=network_a, to="a@x.example", subject="s", text_body=link, status="sent"
    )
    queued = OutboxMessage.objects.create(
        network=network_a, to="b@x.example", subject="s", text_body=link
    )
    settings.EMAIL_BACKEND = LOCMEM
    assert outbox_redact(OutboxMessage.objects.all()) == 2
    sent.refresh_from_db()
    queued.refresh_from_db()
    assert link not in sent.text_body + queued.text_body
    assert sent.pending_text_body == ""
    assert queued.pending_text_body == link  # still to be delivered whole
    email_deliver(message_id=queued.pk)
    assert link in mail.outbox[0].body


@pytest.mark.django_db
def test_outbox_only_mode_says_links_are_visible_on_every_outbox_page(
    network_a, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        network_services.roles_invitations_create(network=network_a)
    message = OutboxMessage.objects.first()
    assert "/r/" in message.text_body  # the outbox is the delivery: the link must work
    for path in (
        f"/n/{network_a.slug}/outbox/",
        f"/n/{network_a.slug}/outbox/?q=role",
        f"/n/{network_a.slug}/outbox/{message.pk}/",
    ):
        html = coordinator.get(path).content.decode()
        assert "For trying the app only" in html
        assert "visible to every coordinator" in html


@pytest.mark.django_db
def test_delivered_mode_says_copies_have_no_links(network_a, coordinator, settings):
    settings.EMAIL_BACKEND = LOCMEM
    html = coordinator.get(f"/n/{network_a.slug}/outbox/").content.decode()
    assert "For trying the app only" not in html
    assert "personal links removed" in html


def test_log_lines_lose_personal_links():
    token = "Z" * 43
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"GET %s HTTP/1.1" 200',
        (f"/s/{token}/1/",),
        None,
    )
    assert RedactingFilter().filter(record)
    assert token not in record.getMessage()
    assert REDACTED_LINK in record.getMessage()


def test_gunicorn_access_log_loses_personal_links():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from bridgework.server.gunicorn_logging import RedactingLogger

    token = "Y" * 43
    logger = RedactingLogger(Config())
    request = SimpleNamespace(
        method="GET", path=f"/c/me/{token}/", query="", version=(1, 1), headers=[]
    )
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/c/me/{token}/",
        "PATH_INFO": f"/c/me/{token}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://x.example/c/me/{token}/",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    atoms = logger.atoms(response, request, environ, timedelta(seconds=0.1))
    assert token not in repr(atoms)
    assert atoms["h"] == "203.0.113.9"


@pytest.mark.django_db
def test_redact_outbox_command_removes_links_from_stored_copies(network_a, settings):
    from django.core.management import call_command

    link = "/c/me/" + "W" * 43 + "/"
    message = OutboxMessage.objects.create(
        network=network_a, to="a@x.example", subject="s", text_body=link, status="sent"
    )
    settings.EMAIL_BACKEND = LOCMEM
    call_command("redact_outbox", stdout=open(os.devnull, "w"))  # noqa: SIM115
    message.refresh_from_db()
    assert link not in message.text_body
    assert message.links_redacted

"""The outbox and email delivery through the database-backed worker."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from bridgework.mail.models import OutboxMessage
from bridgework.mail.services import email_deliver, email_queue


def _queue(network, key=None):
    return email_queue(
        network=network,
        to="a@example.org",
        subject="Hello",
        template="mail/emails/plain",
        context={"body": "Hello there"},
        idempotency_key=key,
    )


@pytest.mark.django_db(transaction=True)
def test_queued_email_is_delivered_once_even_if_run_twice(network_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = _queue(network_a)
    assert len(mail.outbox) == 1  # delivered by the immediate task backend
    assert email_deliver(message_id=message.pk) == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_idempotency_key_prevents_a_second_message(network_a):
    first = _queue(network_a, key="invite:1")
    second = _queue(network_a, key="invite:1")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_from_the_database_queue(network_a, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }
    message = _queue(network_a)
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.QUEUED
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay")
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.SENT


@pytest.mark.django_db
def test_outbox_lists_only_this_networks_mail(coordinator, network_a, network_b):
    OutboxMessage.objects.create(
        network=network_a, to="a@x.example", subject="Ours", text_body="body a"
    )
    OutboxMessage.objects.create(
        network=network_b, to="b@x.example", subject="Theirs", text_body="body b"
    )
    html = coordinator.get(f"/n/{network_a.slug}/outbox/").content.decode()
    assert "Ours" in html
    assert "Theirs" not in html

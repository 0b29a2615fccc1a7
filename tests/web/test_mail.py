"""The outbox and email delivery through the database-backed worker."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from bridgework.mail.models import OutboxMessage
from bridgework.mail.services import email_deliver, email_queue, emails_requeue_stale


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


@pytest.mark.django_db(transaction=True)
def test_a_batch_is_delivered_over_one_connection_once_and_a_failure_spares_the_others(
    network_a, settings, monkeypatch
):
    from django.core.mail import EmailMultiAlternatives

    from bridgework.mail.services import BatchEmail, email_deliver_batch, email_queue_batch

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    real_send = EmailMultiAlternatives.send

    def bounces_b(self, *args, **kwargs):
        if self.to == ["b@example.org"]:
            raise OSError("mailbox unavailable")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", bounces_b)
    ids = email_queue_batch(
        network=network_a,
        kind="test",
        subject="Hello",
        template="mail/emails/plain",
        context={"body": "Hello there"},
        emails=[BatchEmail(to=f"{n}@example.org", context={}) for n in "abc"],
    )  # committed at once here, so delivered by the immediate task backend
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "c@example.org"]
    statuses = dict(OutboxMessage.objects.values_list("to", "status"))
    assert statuses == {"a@example.org": "sent", "b@example.org": "queued", "c@example.org": "sent"}
    monkeypatch.undo()
    assert email_deliver_batch(message_ids=ids) == {"sent": 3}
    assert len(mail.outbox) == 3  # the two already sent were not sent again


@pytest.mark.django_db(transaction=True)
def test_a_message_whose_delivery_was_lost_is_queued_again_and_sent_once(network_a, settings):
    """A worker killed while delivering takes the queue entry with it: the scheduler's sweep
    queues every message still waiting after JOBS_STALE_AFTER, and delivery skips sent ones."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lost, sent, fresh = (_queue(network_a, key=f"k{i}") for i in range(3))
    DBTaskResult.objects.all().delete()  # the queue entries died with their worker
    email_deliver(message_id=sent.pk)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    OutboxMessage.objects.filter(pk__in=[lost.pk, sent.pk]).update(created_at=an_hour_ago)
    assert emails_requeue_stale() == 1  # not the sent one, not the one just written
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay")
    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert statuses == {lost.pk: "sent", sent.pk: "sent", fresh.pk: "queued"}
    assert len(mail.outbox) == 2  # the lost one now, the sent one before: once each
    OutboxMessage.objects.filter(pk=fresh.pk).update(created_at=an_hour_ago, attempts=5)
    assert emails_requeue_stale() == 0  # out of attempts: left for a person to look at


@pytest.mark.django_db
def test_a_batch_carries_each_emails_own_subject_kind_and_attachment_with_links_kept_out(
    network_a, settings, django_capture_on_commit_callbacks
):
    from bridgework.mail.services import Attachment, BatchEmail, email_queue_batch

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    token = "T0ken-of-forty-three-characters-abcdefghijk"
    link = f"{settings.SITE_URL}/c/me/{token}/"
    calendar = Attachment(
        filename="invite.ics",
        mimetype="text/calendar; method=REQUEST",
        content=f"BEGIN:VCALENDAR\r\nURL:{link}\r\nEND:VCALENDAR\r\n",
        alternative=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        email_queue_batch(
            network=network_a,
            template="mail/emails/plain",
            emails=[
                BatchEmail(
                    to="a@example.org",
                    context={"body": f"Your page: {link}", "path": f"/c/me/{token}/"},
                    subject="Meet B",
                    kind="programme-intro",
                    attachments=[calendar],
                    idempotency_key="k:a",
                ),
                BatchEmail(
                    to="b@example.org",
                    context={"body": "No match"},
                    subject="No match",
                    kind="programme-unmatched",
                    idempotency_key="k:b",
                ),
            ],
        )
    a, b = (OutboxMessage.objects.get(to=f"{n}@example.org") for n in "ab")
    assert (a.subject, a.kind, b.subject, b.kind) == (
        "Meet B",
        "programme-intro",
        "No match",
        "programme-unmatched",
    )
    assert b.attachments == []
    (stored,) = a.attachments
    assert stored["mimetype"] == "text/calendar; method=REQUEST"
    assert token not in stored["content"]
    assert token not in a.text_body
    assert a.status == "sent"  # delivered from the full copy, then settled redacted
    (sent,) = [m for m in mail.outbox if m.to == ["a@example.org"]]
    assert token in sent.body
    assert any(token in content for _, content, _ in sent.attachments)


@pytest.mark.django_db
def test_a_batch_email_without_a_subject_is_refused_before_anything_is_written(network_a):
    from bridgework.mail.services import BatchEmail, email_queue_batch

    with pytest.raises(ValueError, match="no subject"):
        email_queue_batch(
            network=network_a,
            template="mail/emails/plain",
            emails=[
                BatchEmail(to="a@example.org", context={"body": "x"}, subject="Hi"),
                BatchEmail(to="b@example.org", context={"body": "y"}),
            ],
        )
    assert not OutboxMessage.objects.exists()

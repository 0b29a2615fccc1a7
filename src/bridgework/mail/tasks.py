"""Background jobs for email, run by ``bridgework worker``."""

from __future__ import annotations

from django_tasks import task

from bridgework.mail.services import email_deliver, email_deliver_batch, emails_requeue_stale


@task(queue_name="email")
def deliver_email(message_id: int) -> str:
    """Deliver one outbox message (idempotent: a message already sent is not sent again)."""
    return str(email_deliver(message_id=message_id))


@task(queue_name="email")
def deliver_emails(message_ids: list[int]) -> dict[str, int]:
    """Deliver a batch of outbox messages over one connection (idempotent per message)."""
    return email_deliver_batch(message_ids=message_ids)


@task(queue_name="email")
def requeue_stale_emails() -> int:
    """Queue delivery again for messages left waiting (a lost queue entry, a failed attempt)."""
    return emails_requeue_stale()

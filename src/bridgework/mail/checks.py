"""Deployment checks for email (``manage.py check --deploy``)."""

from __future__ import annotations

from django.core.checks import Warning

from bridgework.mail.backends import outbox_is_delivery


def outbox_only_in_production(app_configs, **kwargs) -> list[Warning]:
    """The outbox-only mode is for trying the app: emails are never sent and coordinators
    can read every respondent's personal link in the outbox."""
    if not outbox_is_delivery():
        return []
    return [
        Warning(
            "Email is kept in the in-app outbox only: nothing is delivered, and every "
            "coordinator can read respondents' personal links there.",
            hint="Set EMAIL_URL (smtp://user:password@host:587) or EMAIL_HOST to deliver "
            "email; the outbox then keeps copies with personal links removed.",
            id="bridgework.W001",
        )
    ]

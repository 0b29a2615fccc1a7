from django.apps import AppConfig
from django.core import checks


class MailConfig(AppConfig):
    name = "bridgework.mail"
    label = "mail"

    def ready(self) -> None:
        from bridgework.mail.checks import outbox_only_in_production

        checks.register(outbox_only_in_production, checks.Tags.security, deploy=True)

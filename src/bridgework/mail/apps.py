from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "bridgework.mail"
    label = "mail"

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "bridgework.audit"
    label = "audit"

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "bridgework.governance"
    label = "governance"

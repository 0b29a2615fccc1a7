from django.apps import AppConfig


class OnaConfig(AppConfig):
    """Network surveys, the roles self-assessment and network maps (organisational network
    analysis). The package is named so it cannot be mistaken for the tenant ``Network``; the
    label stays ``networks`` so database tables and migrations keep their names."""

    name = "bridgework.ona"
    label = "networks"
    verbose_name = "Network mapping"

from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "bridgework.networks"
    label = "networks"
    verbose_name = "Network mapping"

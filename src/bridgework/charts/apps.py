from django.apps import AppConfig


class ChartsConfig(AppConfig):
    name = "bridgework.charts"
    label = "charts"
    verbose_name = "Charts"

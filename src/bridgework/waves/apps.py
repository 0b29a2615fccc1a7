from django.apps import AppConfig


class WavesConfig(AppConfig):
    name = "bridgework.waves"
    label = "waves"
    verbose_name = "Survey waves"

from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "bridgework.programmes"
    label = "programmes"
    verbose_name = "Coffee programmes"
    default_auto_field = "django.db.models.BigAutoField"

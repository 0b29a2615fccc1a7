from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "bridgework.scim"
    label = "scim"
    verbose_name = "Directory sync (SCIM 2.0)"

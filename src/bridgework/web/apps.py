from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "bridgework.web"
    label = "web"

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "bridgework.directory"
    label = "directory"

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "bridgework.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each app describes its bulk actions in its own ``jobs`` module (like admin.py).
        autodiscover_modules("jobs")
        from bridgework.jobs import exports  # noqa: F401  (registers the export job kind)

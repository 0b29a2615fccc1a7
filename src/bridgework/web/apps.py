from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(sender, using: str = "default", **kwargs) -> None:
    """The shared cache lives in a database table by default: every ``migrate`` (``bridgework
    serve``, ``make run``, the test database) makes sure it exists. A no-op for Redis."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class WebConfig(AppConfig):
    name = "bridgework.web"
    label = "web"

    def ready(self) -> None:
        from django.apps import apps

        # post_migrate is sent per app with models (this one has none): hang it on the mail app.
        post_migrate.connect(
            _create_cache_table,
            sender=apps.get_app_config("mail"),
            dispatch_uid="bridgework-cache",
        )

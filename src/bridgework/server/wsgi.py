"""WSGI entry point (gunicorn ``bridgework.server.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.server.settings")
application = get_wsgi_application()

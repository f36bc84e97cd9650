"""WSGI entry point (gunicorn callpulse.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callpulse.settings.prod")
application = get_wsgi_application()

"""ASGI entry point (uvicorn callpulse.asgi:application)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callpulse.settings.prod")
application = get_asgi_application()

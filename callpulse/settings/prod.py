"""Production: everything secret comes from the environment; `check --deploy` is clean."""

from django.core.exceptions import ImproperlyConfigured

from callpulse.envconf import env_bool, env_int, env_secret, env_str
from callpulse.settings.base import *  # noqa: F403
from callpulse.settings.base import MIDDLEWARE, STORAGES

# Static files straight from the app servers (collectstatic first), compressed and cache-busted.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEBUG = False
SECRET_KEY = env_secret("SECRET_KEY")  # no default, not empty, not short: fail closed
# No default either: the website form's abuse counters (the cache) and live events must be shared
# by every worker and survive a restart; per-process counts let N workers take N times the limit.
REDIS_URL = env_str("REDIS_URL")
if not REDIS_URL:
    raise ImproperlyConfigured("Set the environment variable REDIS_URL.")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("CALLPULSE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("CALLPULSE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

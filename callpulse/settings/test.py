"""The test suite: fast password hashing, in-memory mail, the same database choice as dev."""

from callpulse.envconf import env_str
from callpulse.settings.base import *  # noqa: F403
from callpulse.settings.base import DATABASES, VAR_DIR

SECRET_KEY = "test-only-insecure-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
VAR_DIR.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The suite uses an in-memory database; the file name only matters to the dev server.
    DATABASES["default"]["TEST"] = {"NAME": None}
# Always per process, even with REDIS_URL set: tests clear the cache between tests, and clear()
# on Redis would empty a database other test runs share.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CALLPULSE_TOKEN_CACHE_SECONDS = 0  # tests change users between requests
CALLPULSE_ROUTING_SNAPSHOT_SECONDS = 0.0  # every decision reads the database afresh
CALLPULSE_CTI_APPLY = env_str("CALLPULSE_CTI_APPLY", "inline")  # the registry answers at once

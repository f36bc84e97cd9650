"""The laptop: DEBUG on, a fixed development key, SQLite under var/ unless DATABASE_URL is set."""

import os

os.environ.setdefault("CALLPULSE_DEBUG", "1")

from callpulse.envconf import env_str
from callpulse.settings.base import *  # noqa: F403
from callpulse.settings.base import VAR_DIR

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
VAR_DIR.mkdir(parents=True, exist_ok=True)

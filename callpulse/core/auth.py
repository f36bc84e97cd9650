"""Staff token authentication with a short in-process cache.

Every API call of the desk and the phone-facing endpoints authenticates; a token rarely
changes, so its user is remembered for CALLPULSE_TOKEN_CACHE_SECONDS (a revoked token or a
deactivated user stops working within that time at most).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

_cache: dict[str, tuple[float, Any, Token]] = {}
_lock = threading.Lock()


class CachedTokenAuthentication(TokenAuthentication):
    """DRF's `Authorization: Token <key>`, remembered briefly per process."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        ttl = getattr(settings, "CALLPULSE_TOKEN_CACHE_SECONDS", 10)
        now = time.monotonic()
        with _lock:
            hit = _cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1], hit[2]
        user, token = super().authenticate_credentials(key)
        if ttl > 0:
            with _lock:
                if len(_cache) > 10_000:
                    _cache.clear()
                _cache[key] = (now + ttl, user, token)
        return user, token


def forget_tokens() -> None:
    """Drop every remembered token (tests, and after revoking tokens in bulk)."""
    with _lock:
        _cache.clear()

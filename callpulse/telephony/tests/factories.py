"""Factories and helpers for call tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from callpulse.core.models import ServiceToken
from callpulse.core.service_auth import service_token_create

ALMATY = ZoneInfo("Asia/Almaty")


def almaty(*args: int) -> datetime:
    """An aware moment on the center's clock: almaty(2026, 11, 24, 10, 0)."""
    return datetime(*args, tzinfo=ALMATY)


def cti_token(scopes: tuple[str, ...] = ("cti",)) -> ServiceToken:
    return service_token_create(name=f"pbx-{'-'.join(scopes)}", scopes=list(scopes))

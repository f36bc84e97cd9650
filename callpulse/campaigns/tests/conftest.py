"""Fixtures for outbound work: a fixed clock (calling hours depend on it), staff, a clean cache."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from callpulse.core.models import User

ALMATY = ZoneInfo("Asia/Almaty")
# Tuesday 24 Nov 2026, 11:00 in Almaty: inside everyone's calling hours in Kazakhstan.
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=ALMATY)
_extensions = count(501)


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    from callpulse.campaigns import services

    cache.clear()  # rate-limit counters live in the cache
    services._CAMPAIGN_ZONES.clear()  # ids are reused between tests on SQLite
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Set "now" for the code under test (timezone.now everywhere)."""

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    set_now(NOW)
    return set_now


@pytest.fixture
def operator(make_user: Callable[..., User]) -> User:
    return make_user("operator", extension=str(next(_extensions)))


@pytest.fixture
def make_operator(make_user: Callable[..., User]) -> Callable[[], User]:
    return lambda: make_user("operator", extension=str(next(_extensions)))


@pytest.fixture
def head(make_user: Callable[..., User]) -> User:
    return make_user("head_of_sales", extension=str(next(_extensions)))

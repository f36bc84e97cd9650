"""Fixtures for workforce tests: jobs run inline and small, a planner, operators, history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from callpulse.core.models import User
from callpulse.workforce.models import ShiftTemplate

ALMATY = ZoneInfo("Asia/Almaty")
# A Monday well in the past, so "today" never changes what the tests see.
MONDAY = date(2026, 3, 2)


def almaty(*args: int) -> datetime:
    return datetime(*args, tzinfo=ALMATY)


def pattern(moment: datetime) -> int:
    """A deterministic day: quiet morning, a noon peak; Saturdays lighter, Sundays closed."""
    base = {9: 3, 10: 5, 11: 7, 12: 8, 13: 6, 14: 6, 15: 5, 16: 4, 17: 3}[moment.hour]
    if moment.weekday() == 5:
        base = max(1, base // 2)
    return base + (moment.minute // 30)


def history_csv(first: date = MONDAY, days: int = 14, *, aht: bool = True) -> str:
    lines = ["start,calls,aht" if aht else "start,calls"]
    for d in range(days):
        day = first + timedelta(days=d)
        if day.weekday() == 6:
            continue
        for slot in range(18):
            moment = datetime.combine(day, time(9), tzinfo=ALMATY) + timedelta(minutes=30 * slot)
            calls = pattern(moment)
            lines.append(
                f"{moment.isoformat()},{calls},{170 + slot}"
                if aht
                else f"{moment.isoformat()},{calls}"
            )
    return "\n".join(lines) + "\n"


@pytest.fixture(autouse=True)
def small_jobs(settings: object) -> None:
    settings.CALLPULSE_WFM_JOBS_INLINE = True  # type: ignore[attr-defined]
    settings.CALLPULSE_WFM_ROSTER_SECONDS = 3  # type: ignore[attr-defined]
    settings.CALLPULSE_WFM_REPLICATIONS = 4  # type: ignore[attr-defined]


@pytest.fixture
def planner(make_user: Callable[..., User]) -> User:
    return make_user("workforce_planner", username="planner", full_name="Планировщик")


@pytest.fixture
def operators(make_user: Callable[..., User]) -> list[User]:
    return [
        make_user("operator", username=f"op{n}", full_name=f"Оператор {n}") for n in range(1, 6)
    ]


@pytest.fixture
def templates(db: None) -> list[ShiftTemplate]:
    return [
        ShiftTemplate.objects.create(
            name="Day", start_time=time(9), length_minutes=480, breaks=[[240, 30]]
        ),
        ShiftTemplate.objects.create(name="Late", start_time=time(10), length_minutes=480),
    ]

"""Builders for schedules and shifts in tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from callpulse.core.models import User
from callpulse.workforce.models import Schedule, ScheduleStatus, Shift


def make_schedule(
    first: date, *, days: int = 7, status: str = ScheduleStatus.DRAFT, name: str = "Week"
) -> Schedule:
    return Schedule.objects.create(name=name, starts_on=first, days=days, status=status)


def make_shift(
    schedule: Schedule,
    user: User,
    start: datetime,
    hours: int = 8,
    breaks: list[tuple[datetime, datetime]] = (),  # type: ignore[assignment]
) -> Shift:
    return Shift.objects.create(
        schedule=schedule,
        user=user,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        breaks=[[b.isoformat(), e.isoformat()] for b, e in breaks],
    )

"""Working days of a person: the calendar (weekends, holidays) minus their absences.

Weekends come from the setting CALLPULSE_SALES_DAYS_OFF (weekday numbers, Monday = 0; default
Saturday and Sunday), holidays from catalog's NonWorkingDay. A day counts as absent when an
absence covers the person's whole working day (09:00-18:00 local time by default, see
CALLPULSE_SALES_WORKDAY_HOURS); a short appointment does not take the day away.
Shift schedules are not published by the workforce app yet, so they are not read here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from callpulse.catalog.models import NonWorkingDay
from callpulse.core.models import Absence


def days_off() -> frozenset[int]:
    return frozenset(getattr(settings, "CALLPULSE_SALES_DAYS_OFF", (5, 6)))


def workday_hours() -> tuple[int, int]:
    start, end = getattr(settings, "CALLPULSE_SALES_WORKDAY_HOURS", (9, 18))
    return int(start), int(end)


def each_day(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    """Who works which day in a date range; built with two queries."""

    start: date
    end: date
    weekends: frozenset[int]
    holidays: frozenset[date]
    absent: dict[int, frozenset[date]] = field(default_factory=dict)

    def is_company_day(self, day: date) -> bool:
        return day.weekday() not in self.weekends and day not in self.holidays

    def works(self, user_id: int | None, day: date) -> bool:
        if not self.is_company_day(day):
            return False
        return user_id is None or day not in self.absent.get(user_id, frozenset())

    def working_days(self, user_id: int | None, start: date, end: date) -> list[date]:
        """The person's working days in [start, end] (None: the company's)."""
        return [
            d
            for d in each_day(max(start, self.start), min(end, self.end))
            if self.works(user_id, d)
        ]


def load_calendar(start: date, end: date, user_ids: Iterable[int] = ()) -> Calendar:
    """The calendar for [start, end] with the absences of the given people."""
    holidays = frozenset(
        NonWorkingDay.objects.filter(day__gte=start, day__lte=end).values_list("day", flat=True)
    )
    tz = timezone.get_current_timezone()
    first, last = workday_hours()
    ids = list(user_ids)
    absent: dict[int, set[date]] = defaultdict(set)
    if ids:
        window_start = datetime.combine(start, time.min, tzinfo=tz)
        window_end = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
        rows = Absence.objects.filter(
            user_id__in=ids, starts_at__lt=window_end, ends_at__gt=window_start
        ).values_list("user_id", "starts_at", "ends_at")
        for user_id, starts_at, ends_at in rows:
            for day in each_day(
                max(start, timezone.localdate(starts_at, tz)),
                min(end, timezone.localdate(ends_at, tz)),
            ):
                opens = datetime.combine(day, time(first), tzinfo=tz)
                closes = datetime.combine(day, time(last), tzinfo=tz)
                if starts_at <= opens and ends_at >= closes:
                    absent[user_id].add(day)
    return Calendar(
        start=start,
        end=end,
        weekends=days_off(),
        holidays=holidays,
        absent={k: frozenset(v) for k, v in absent.items()},
    )

"""The demo center's calendar: `now`, the working day and the days the center and warehouse work."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

OPENS = time(9, 0)
CLOSES = time(18, 0)


@dataclass(frozen=True)
class Clock:
    """Moments in the center's time zone; `now` bounds everything that already happened.

    The contact center takes calls and orders from 9:00 to 18:00 on the days the warehouse
    works (every day but its weekly days off, CALLPULSE_WAREHOUSE_DAYS_OFF).
    """

    now: datetime
    tz: tzinfo
    days_off: frozenset[int]
    # The warehouse's non-working days ahead, filled in when the catalog creates them.
    holidays: set[date] = field(default_factory=set)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now, self.tz)

    def moment(self, day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute, second), tzinfo=self.tz)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """An aware moment in the center's time zone, never later than `now`."""
        return min(self.moment(day, hour, minute), self.now)

    def is_open(self, day: date) -> bool:
        """Does the center take orders (and the warehouse ship) that day?"""
        return day.weekday() not in self.days_off

    def open_on_or_before(self, day: date) -> date:
        while not self.is_open(day):
            day -= timedelta(days=1)
        return day

    def open_on_or_after(self, day: date) -> date:
        while not self.is_open(day):
            day += timedelta(days=1)
        return day

    def open_near(self, rng: random.Random, day: date) -> date:
        """`day` if the center works then, else the working day before or after it (if past)."""
        if self.is_open(day):
            return day
        before = self.open_on_or_before(day)
        after = self.open_on_or_after(day)
        return after if after < self.today and rng.random() < 0.5 else before

    def next_shipping_day(self, after: date) -> date:
        """The first day after `after` the warehouse delivers: no day off, no holiday."""
        day = after + timedelta(days=1)
        while not self.is_open(day) or day in self.holidays:
            day += timedelta(days=1)
        return day

    def today_share(self) -> float:
        """How much of today's working day has passed (0 before 9:30 or on a day off)."""
        today = self.today
        if not self.is_open(today):
            return 0.0
        start = self.moment(today, 9, 30)
        length = (self.moment(today, CLOSES.hour) - start).total_seconds()
        return min(max((self.now - start).total_seconds() / length, 0.0), 1.0)

    def between(self, rng: random.Random, start: datetime, end: datetime) -> datetime:
        """A whole-second moment drawn evenly in [start, end] (start when the span is empty)."""
        span = int((end - start).total_seconds())
        return start.replace(microsecond=0) + timedelta(seconds=rng.randint(0, max(span, 0)))

    def working_moment(self, rng: random.Random, day: date) -> datetime:
        """When something was done during the working day `day` (before `now` if today)."""
        start = self.moment(day, 9, 10)
        end = self.moment(day, 17, 45)
        if day == self.today:
            end = min(end, self.now - timedelta(minutes=2))
        return self.between(rng, start, end)

"""Daily targets with carry-over (pure arithmetic, no database).

A person's target for a working day = (plan − fact before that day − targets fixed by hand on
later days) ÷ the working days left from that day on that have no fixed target. So a shortfall
spreads over the following days by itself, and selling more than the target lowers them.
A day corrected by the head of sales has exactly the corrected target; its amount is reserved
out of the remainder while the day is ahead, and once it has passed what was really sold
counts, like on every other day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def fact_before(facts: Mapping[date, Decimal], day: date) -> Decimal:
    return sum((amount for d, amount in facts.items() if d < day), ZERO)


def fact_until(facts: Mapping[date, Decimal], day: date) -> Decimal:
    return sum((amount for d, amount in facts.items() if d <= day), ZERO)


def free_day_share(
    *,
    amount: Decimal,
    facts: Mapping[date, Decimal],
    working_days: Sequence[date],
    corrections: Mapping[date, Decimal],
    day: date,
) -> Decimal:
    """What each uncorrected working day from `day` on is asked for, seen from `day`."""
    remaining = amount - fact_before(facts, day)
    ahead = [d for d in working_days if d >= day]
    reserved = sum((corrections[d] for d in ahead if d in corrections), ZERO)
    free = [d for d in ahead if d not in corrections]
    if not free:
        return ZERO
    left = max(remaining - reserved, ZERO)
    return (left / len(free)).quantize(CENT, rounding=ROUND_HALF_UP)


def daily_target(
    *,
    amount: Decimal,
    facts: Mapping[date, Decimal],
    working_days: Sequence[date],
    corrections: Mapping[date, Decimal],
    day: date,
) -> Decimal:
    """The target for `day`: zero on a day off, the corrected amount on a corrected day."""
    if day in corrections:
        return corrections[day]
    if day not in working_days:
        return ZERO
    return free_day_share(
        amount=amount, facts=facts, working_days=working_days, corrections=corrections, day=day
    )


def week_target(
    *,
    amount: Decimal,
    facts: Mapping[date, Decimal],
    working_days: Sequence[date],
    corrections: Mapping[date, Decimal],
    day: date,
) -> Decimal:
    """What is asked from `day` to Sunday (for plans reported weekly), seen from `day`."""
    sunday = day + timedelta(days=6 - day.weekday())
    share = free_day_share(
        amount=amount, facts=facts, working_days=working_days, corrections=corrections, day=day
    )
    days = [d for d in working_days if day <= d <= sunday]
    extra = [d for d in corrections if day <= d <= sunday and d not in days]
    return sum((corrections.get(d, share) for d in [*days, *extra]), ZERO)


def run_rate_forecast(
    *, facts: Mapping[date, Decimal], working_days: Sequence[date], today: date
) -> Decimal | None:
    """Where the period ends at the pace of the closed working days.

    Fact before today + today (its fact, but at least the average of the closed days, since the
    day is not over) + that average × the working days after today; facts of days off count as
    they are. None until one working day has closed.
    """
    closed = [d for d in working_days if d < today]
    if not closed:
        return None
    average = fact_before(facts, today) / len(closed)
    today_fact = facts.get(today, ZERO)
    today_part = max(today_fact, average) if today in working_days else today_fact
    after = len([d for d in working_days if d > today])
    forecast = fact_before(facts, today) + today_part + average * after
    return forecast.quantize(CENT, rounding=ROUND_HALF_UP)


def cumulative_plan(amount: Decimal, working_days: Sequence[date], day: date) -> Decimal:
    """What should have been sold by the end of `day` if the plan were spread evenly."""
    if not working_days:
        return amount
    done = len([d for d in working_days if d <= day])
    return (amount * done / len(working_days)).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

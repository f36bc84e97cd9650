"""Daily targets: remaining ÷ remaining working days; shortfalls carry over across weekends,
holidays and absences; corrections by the head of sales are logged and behave as documented."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from callpulse.catalog.models import NonWorkingDay
from callpulse.core.models import AuditEntry
from callpulse.core.tests.factories import AbsenceFactory
from callpulse.sales import selectors, services
from callpulse.sales.targets import daily_target, run_rate_forecast, week_target

D = date


def plan_for(org, amount: str = "2200.00", **kwargs):
    """June 2026: 22 weekdays; equal split → every person 275.00 of 2200.00."""
    return services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="month",
        day=D(2026, 6, 1),
        amount=Decimal(amount),
        **kwargs,
    )


def target(org, plan, user, day):
    progress = selectors.plan_progress(plan, today=day)
    return next(r for r in progress.people if r.user_id == user.pk)


def test_target_is_remaining_over_remaining_working_days() -> None:
    days = [D(2026, 6, d) for d in (1, 2, 3, 4)]
    assert daily_target(
        amount=Decimal(100), facts={}, working_days=days, corrections={}, day=days[0]
    ) == Decimal("25.00")
    # a shortfall on day 1 (sold 10 of 25) spreads over the three days left
    facts = {days[0]: Decimal(10)}
    assert daily_target(
        amount=Decimal(100), facts=facts, working_days=days, corrections={}, day=days[1]
    ) == Decimal("30.00")
    # overachievement lowers the following days
    facts = {days[0]: Decimal(55)}
    assert daily_target(
        amount=Decimal(100), facts=facts, working_days=days, corrections={}, day=days[1]
    ) == Decimal("15.00")
    # plan already done: nothing more asked
    facts = {days[0]: Decimal(150)}
    assert daily_target(
        amount=Decimal(100), facts=facts, working_days=days, corrections={}, day=days[1]
    ) == Decimal("0.00")


def test_shortfall_carries_over_a_weekend(org, sell) -> None:
    plan = plan_for(org)
    op = org.operators[0]
    row = target(org, plan, op, D(2026, 6, 1))
    assert row.today_target == Decimal("12.50")  # 275 / 22
    sell(op, D(2026, 6, 5), "0.50")  # Friday: sold 0.50 in the first week
    # Monday 8 June: 5 days passed, 17 left; the weekend is not a working day
    row = target(org, plan, op, D(2026, 6, 8))
    assert row.today_target == Decimal("16.15")  # (275 − 0.50) / 17 = 16.147…
    assert target(org, plan, op, D(2026, 6, 6)).today_target == Decimal("0.00")  # Saturday
    assert row.yesterday == D(2026, 6, 5)  # the stand-up's "yesterday" skips the weekend
    assert row.yesterday_fact == Decimal("0.50")


def test_holiday_is_not_a_working_day(org) -> None:
    NonWorkingDay.objects.create(day=D(2026, 6, 2), note="праздник")
    plan = plan_for(org)
    op = org.operators[0]
    assert target(org, plan, op, D(2026, 6, 1)).today_target == Decimal("13.10")  # 275 / 21
    assert target(org, plan, op, D(2026, 6, 2)).today_target == Decimal("0.00")
    # nothing sold on Monday; the holiday takes no share: Wednesday divides 275 by 20 days left
    assert target(org, plan, op, D(2026, 6, 3)).today_target == Decimal("13.75")


def test_absence_moves_the_target_to_the_days_the_person_works(org, sell) -> None:
    tz = timezone.get_current_timezone()
    op = org.operators[1]
    AbsenceFactory(
        user=op,
        starts_at=datetime.combine(D(2026, 6, 22), time(0), tzinfo=tz),
        ends_at=datetime.combine(D(2026, 7, 1), time(0), tzinfo=tz),  # the last 7 weekdays away
    )
    plan = plan_for(org)
    row = target(org, plan, op, D(2026, 6, 1))
    assert len(row.working_days) == 15
    assert row.today_target == Decimal("18.33")  # 275 / 15
    assert target(org, plan, op, D(2026, 6, 23)).today_target == Decimal("0.00")
    # a colleague without the absence divides by 22
    assert target(org, plan, org.operators[2], D(2026, 6, 1)).today_target == Decimal("12.50")


def test_short_absence_does_not_take_the_day(org) -> None:
    tz = timezone.get_current_timezone()
    op = org.operators[1]
    AbsenceFactory(
        user=op,
        starts_at=datetime.combine(D(2026, 6, 3), time(10), tzinfo=tz),
        ends_at=datetime.combine(D(2026, 6, 3), time(12), tzinfo=tz),
    )
    plan = plan_for(org)
    assert len(target(org, plan, op, D(2026, 6, 1)).working_days) == 22


def test_correction_sets_the_day_and_reserves_its_amount_while_ahead(org, sell) -> None:
    plan = plan_for(org)
    op = org.operators[0]
    node = plan.nodes.get(user=op)
    services.target_correct(
        actor=org.head_of_sales,
        node=node,
        day=D(2026, 6, 3),
        amount=Decimal("75.00"),
        reason="акция",
    )
    entry = AuditEntry.objects.get(action="sales.target_correct")
    assert entry.actor == org.head_of_sales
    assert entry.changes["reason"] == "акция"
    assert entry.changes["day"] == "2026-06-03"
    # Monday: 275 − 75 reserved for Wednesday = 200 over the 21 other days
    assert target(org, plan, op, D(2026, 6, 1)).today_target == Decimal("9.52")
    wednesday = target(org, plan, op, D(2026, 6, 3))
    assert wednesday.today_target == Decimal("75.00")
    assert wednesday.corrected_today
    # Wednesday passes with 5 sold of 75: the shortfall carries over to the 19 days left
    sell(op, D(2026, 6, 3), "5")
    assert target(org, plan, op, D(2026, 6, 4)).today_target == Decimal("14.21")  # 270 / 19


def test_correction_rules(org) -> None:
    plan = plan_for(org)
    node = plan.nodes.get(user=org.operators[0])
    team = plan.nodes.get(name="Команда A")
    with pytest.raises(ValidationError) as info:
        services.target_correct(
            actor=org.head_of_sales, node=node, day=D(2026, 6, 6), amount=Decimal(1), reason="x"
        )
    assert "day" in info.value.message_dict  # Saturday
    with pytest.raises(ValidationError) as info:
        services.target_correct(
            actor=org.head_of_sales, node=node, day=D(2026, 6, 5), amount=Decimal(1), reason=" "
        )
    assert "reason" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.target_correct(
            actor=org.head_of_sales, node=team, day=D(2026, 6, 5), amount=Decimal(1), reason="x"
        )
    assert "node" in info.value.message_dict
    for user in (org.supervisors[0], org.head, org.operators[0]):
        with pytest.raises(PermissionDenied):
            services.target_correct(
                actor=user, node=node, day=D(2026, 6, 5), amount=Decimal(1), reason="x"
            )
    assert not AuditEntry.objects.filter(action="sales.target_correct").exists()


def test_withdrawing_a_correction_is_logged_and_restores_the_rule(org) -> None:
    plan = plan_for(org)
    node = plan.nodes.get(user=org.operators[0])
    correction = services.target_correct(
        actor=org.head_of_sales,
        node=node,
        day=D(2026, 6, 3),
        amount=Decimal("0"),
        reason="обучение",
    )
    assert target(org, plan, org.operators[0], D(2026, 6, 1)).today_target == Decimal("13.10")
    services.target_correction_remove(
        actor=org.head_of_sales, correction=correction, reason="отменили"
    )
    assert target(org, plan, org.operators[0], D(2026, 6, 1)).today_target == Decimal("12.50")
    assert AuditEntry.objects.filter(action="sales.target_correction_remove").exists()


def test_run_rate_forecast() -> None:
    days = [D(2026, 6, d) for d in (1, 2, 3, 4, 5)]
    assert run_rate_forecast(facts={}, working_days=days, today=days[0]) is None
    facts = {days[0]: Decimal(10), days[1]: Decimal(20), days[2]: Decimal(4)}
    # two closed days average 15; today (4 so far) counts at least the average; two days after
    assert run_rate_forecast(facts=facts, working_days=days, today=days[2]) == Decimal("75.00")
    facts[days[2]] = Decimal(40)  # a strong day counts as it is
    assert run_rate_forecast(facts=facts, working_days=days, today=days[2]) == Decimal("100.00")


def test_week_target_for_weekly_reporting() -> None:
    days = [D(2026, 6, d) for d in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12)]
    # Wednesday of week one: 100 left over 8 days → 12.50 a day, 3 days left this week
    facts = {days[0]: Decimal(0)}
    assert week_target(
        amount=Decimal(100), facts=facts, working_days=days, corrections={}, day=days[2]
    ) == Decimal("37.50")
    # Friday fixed at 0 by hand: 100 over the 7 other days → 14.29 on Wed and Thu
    assert week_target(
        amount=Decimal(100),
        facts=facts,
        working_days=days,
        corrections={days[4]: Decimal(0)},
        day=days[2],
    ) == Decimal("28.58")

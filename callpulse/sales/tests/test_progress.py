"""Plan vs fact, live: facts per person, team and department, forecast, light, reports, money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.test import override_settings

from callpulse.catalog.models import Category, Product
from callpulse.crm.models import CreditEvent, CreditEventKind
from callpulse.orders.models import OrderLine, OrderStatus
from callpulse.sales import selectors, services

D = date


def make_plan(org, amount="8000.00", **kwargs):
    return services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="month",
        day=D(2026, 6, 1),
        amount=Decimal(amount),
        **kwargs,
    )


def rows_by_name(progress):
    return {r.name: r for r in progress.flat()}


def test_facts_credit_operators_managers_teams_and_the_department_once(org, sell) -> None:
    plan = make_plan(org)  # 1000 per person
    manager = org.managers[0]
    sell(org.operators[0], D(2026, 6, 2), "300", client=org.clients[manager.pk])
    sell(org.operators[3], D(2026, 6, 3), "200")
    sell(org.operators[0], D(2026, 6, 3), "999", status=OrderStatus.CANCELLED)  # not counted
    sell(org.operators[0], D(2026, 5, 31), "999")  # before the period
    progress = selectors.plan_progress(plan, today=D(2026, 6, 4))
    rows = rows_by_name(progress)
    assert rows["Оператор 1"].fact == Decimal("300")
    assert rows["Менеджер 1"].fact == Decimal("300")  # the client's manager is credited too
    assert rows["Команда A"].fact == Decimal("300")
    assert rows["Команда B"].fact == Decimal("200")
    assert progress.department.fact == Decimal("500")  # the shared order counts once


def test_payments_basis_counts_collected_money(org) -> None:
    plan = make_plan(org, basis="payments")
    manager = org.managers[1]
    CreditEvent.objects.create(
        client=org.clients[manager.pk],
        kind=CreditEventKind.PAYMENT,
        amount=Decimal("1234.50"),
        occurred_on=D(2026, 6, 2),
    )
    progress = selectors.plan_progress(plan, today=D(2026, 6, 3))
    assert rows_by_name(progress)["Менеджер 2"].fact == Decimal("1234.50")
    assert progress.department.fact == Decimal("1234.50")


def test_forecast_and_traffic_light(org, sell) -> None:
    plan = make_plan(org)  # 1000 each over 22 days
    good, late = org.operators[0], org.operators[1]
    for day in (1, 2, 3, 4, 5):
        sell(good, D(2026, 6, day), "50")  # 50/day × 22 = 1100 ≥ 100% → green
        sell(late, D(2026, 6, day), "42")  # 42/day × 22 = 924 → 92.4% → yellow
    rows = rows_by_name(selectors.plan_progress(plan, today=D(2026, 6, 8)))
    assert rows["Оператор 1"].forecast == Decimal("1100.00")
    assert rows["Оператор 1"].light == "green"
    assert rows["Оператор 2"].light == "yellow"
    assert rows["Оператор 3"].light == "red"
    first_day = rows_by_name(selectors.plan_progress(plan, today=D(2026, 6, 1)))
    assert first_day["Оператор 1"].light == "grey"


@override_settings(CALLPULSE_SALES_LIGHT_GREEN=90, CALLPULSE_SALES_LIGHT_YELLOW=50)
def test_light_thresholds_are_settings(org, sell) -> None:
    plan = make_plan(org)
    for day in (1, 2, 3, 4, 5):
        sell(org.operators[1], D(2026, 6, day), "42")
    rows = rows_by_name(selectors.plan_progress(plan, today=D(2026, 6, 8)))
    assert rows["Оператор 2"].light == "green"


def test_leaderboard_orders_by_percent_of_plan(org, sell) -> None:
    plan = make_plan(org)
    sell(org.operators[2], D(2026, 6, 2), "700")
    sell(org.operators[4], D(2026, 6, 2), "300")
    board = selectors.leaderboard(selectors.plan_progress(plan, today=D(2026, 6, 3)))
    assert [r.name for r in board[:2]] == ["Оператор 3", "Оператор 5"]
    assert len(board) == 8


def test_weekly_report_week_share_and_fact(org, sell) -> None:
    plan = make_plan(org, amount="2200.00")  # 275 each, 12.50 a day
    sell(org.operators[0], D(2026, 6, 9), "100")
    sell(org.operators[0], D(2026, 6, 16), "40")  # next week
    report = selectors.weekly_report(plan, week_day=D(2026, 6, 10), rows_for=org.head_of_sales)
    assert (report.monday, report.sunday) == (D(2026, 6, 8), D(2026, 6, 14))
    line = next(x for x in report.lines if x.row.name == "Оператор 1")
    assert line.week_plan == Decimal("62.50")
    assert line.week_fact == Decimal("100")
    assert report.department.week_fact == Decimal("100")


def test_volume_and_assortment_facts(org, sell) -> None:
    juice = Category.objects.create(name="Соки")
    new = Product.objects.create(sku="N1", name="Новинка", category=juice, new_since=D(2026, 5, 20))
    old = Product.objects.create(sku="O1", name="Старое", category=None)
    plan = make_plan(
        org,
        volume=Decimal("100"),
        assortment=[
            {"category": juice, "amount": Decimal("500.00")},
            {"new_products": True, "amount": Decimal("300.00"), "name": "Новинки"},
        ],
    )
    order = sell(org.operators[0], D(2026, 6, 2), "350")
    for product, qty, total in ((new, "3", "150"), (old, "4", "200")):
        OrderLine.objects.create(
            order=order,
            product=product,
            quantity=Decimal(qty),
            base_price=Decimal(1),
            unit_price=Decimal(1),
            line_total=Decimal(total),
        )
    progress = selectors.plan_progress(plan, today=D(2026, 6, 3))
    op = rows_by_name(progress)["Оператор 1"]
    assert op.volume_fact == Decimal("7")
    assert [(name, fact) for name, _plan, fact in op.assortment] == [
        ("Соки", Decimal("150")),
        ("Новинки", Decimal("150")),
    ]
    assert progress.department.volume_fact == Decimal("7")


def test_visibility_whole_team_or_own(org) -> None:
    plan = make_plan(org)
    progress = selectors.plan_progress(plan, today=D(2026, 6, 3))
    names = lambda user: [r.name for r in selectors.visible_rows(user, progress)]  # noqa: E731
    assert len(names(org.head_of_sales)) == 10
    assert len(names(org.head)) == 10  # heads their department
    assert names(org.supervisors[0]) == ["Команда A", "Оператор 1", "Оператор 2", "Оператор 3"]
    assert names(org.operators[4]) == ["Оператор 5"]
    assert names(org.managers[1]) == ["Менеджер 2"]
    assert set(selectors.plans_visible(org.operators[4])) == {plan}
    assert set(selectors.plans_visible(org.supervisors[1])) == {plan}


def test_money_control_per_manager(org) -> None:
    manager = org.managers[0]
    client = org.clients[manager.pk]
    client.debt = Decimal("5000")
    client.overdue_debt = Decimal("1200")
    client.overdue_since = D(2026, 5, 20)
    client.save()
    CreditEvent.objects.create(
        client=client,
        kind=CreditEventKind.PAYMENT,
        amount=Decimal("800"),
        occurred_on=D(2026, 6, 2),
    )
    CreditEvent.objects.create(
        client=client, kind=CreditEventKind.PAYMENT, amount=Decimal("99"), occurred_on=D(2026, 5, 2)
    )
    rows = selectors.money_control(
        managers=selectors.managers_visible(org.head_of_sales),
        start=D(2026, 6, 1),
        end=D(2026, 6, 30),
    )
    mine = next(r for r in rows if r.manager == manager)
    assert (mine.payments, mine.receivables, mine.overdue) == (
        Decimal("800"),
        Decimal("5000"),
        Decimal("1200"),
    )
    assert mine.overdue_clients == [client]
    # a manager sees only themselves; an operator no one
    assert list(selectors.managers_visible(manager)) == [manager]
    assert list(selectors.managers_visible(org.operators[0])) == []
    assert set(selectors.managers_visible(org.head)) == set(org.managers)

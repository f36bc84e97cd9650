"""Decomposition: every level sums exactly to its parent; the remainder placed by the rule."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callpulse.catalog.models import Category, NonWorkingDay
from callpulse.core.models import AuditEntry
from callpulse.core.tests.factories import AbsenceFactory
from callpulse.sales import services
from callpulse.sales.decomposition import Part, split_exact
from callpulse.sales.models import NodeKind, PlanNode, SalesPlan

JUNE = date(2026, 6, 10)

weights = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)
money = st.integers(min_value=1, max_value=10**12).map(lambda cents: Decimal(cents) / 100)


@given(total=money, ws=st.lists(weights, min_size=1, max_size=25))
def test_split_sums_exactly_and_stays_within_a_kopeck(total: Decimal, ws: list[Decimal]) -> None:
    parts = [Part(key=i, name=f"p{i:02d}", weight=w) for i, w in enumerate(ws)]
    shares = split_exact(total, parts)
    assert sum(shares.values()) == total
    whole = sum(ws) or Decimal(len(ws))
    for part in parts:
        weight = part.weight if sum(ws) else Decimal(1)
        exact = total * weight / whole
        assert abs(shares[part.key] - exact) < Decimal("0.01")
        assert shares[part.key] >= 0


def test_remainder_goes_to_largest_remainders_then_by_name() -> None:
    parts = [
        Part("b", "Борис", Decimal(1)),
        Part("a", "Алия", Decimal(1)),
        Part("c", "Вера", Decimal(1)),
    ]
    shares = split_exact(Decimal("100.00"), parts)
    # 33.333… each: one kopeck left, equal remainders → the first by name (Алия)
    assert shares == {"a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")}


def test_zero_weights_split_equally() -> None:
    parts = [Part(1, "x", Decimal(0)), Part(2, "y", Decimal(0))]
    assert split_exact(Decimal("0.03"), parts) == {1: Decimal("0.02"), 2: Decimal("0.01")}


def _assert_tree_exact(plan: SalesPlan) -> None:
    nodes = list(plan.nodes.all())
    top = [n for n in nodes if n.parent_id is None]
    assert sum(n.amount for n in top) == plan.amount
    if plan.volume is not None:
        assert sum(n.volume for n in top) == plan.volume
    for goal in plan.assortment_goals.all():
        assert sum(Decimal(n.assortment[str(goal.pk)]) for n in top) == goal.amount
    for team in (n for n in top if n.kind == NodeKind.TEAM):
        children = [n for n in nodes if n.parent_id == team.pk]
        assert children
        assert sum(c.amount for c in children) == team.amount
        if plan.volume is not None:
            assert sum(c.volume for c in children) == team.volume
        for goal in plan.assortment_goals.all():
            key = str(goal.pk)
            assert sum(Decimal(c.assortment[key]) for c in children) == Decimal(
                team.assortment[key]
            )


class Rollback(Exception):
    pass


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amount=st.integers(min_value=1, max_value=10**11).map(lambda c: Decimal(c) / 100),
    volume=st.none() | st.integers(min_value=1, max_value=10**7).map(lambda m: Decimal(m) / 1000),
    manual=st.lists(st.integers(min_value=0, max_value=1000), min_size=10, max_size=10),
    method=st.sampled_from(["equal", "manual", "capacity"]),
)
def test_plan_tree_sums_exactly_at_every_level(org, amount, volume, manual, method) -> None:
    keys = (
        [f"team:{t.pk}" for t in org.teams]
        + [f"user:{u.pk}" for u in org.operators]
        + [f"user:{m.pk}" for m in org.managers]
    )
    category, _ = Category.objects.get_or_create(name="Соки")
    try:
        with transaction.atomic():
            plan = services.plan_create(
                actor=org.head_of_sales,
                department=org.department,
                period_kind="month",
                day=JUNE,
                amount=amount,
                volume=volume,
                method=method,
                weights=dict(zip(keys, manual, strict=True)) if method == "manual" else None,
                assortment=[{"category": category, "amount": Decimal("1000.01")}],
            )
            _assert_tree_exact(plan)
            assert plan.nodes.filter(kind=NodeKind.OPERATOR).count() == 6
            assert plan.nodes.filter(kind=NodeKind.MANAGER).count() == 2
            raise Rollback
    except Rollback:
        pass


def test_plan_goes_to_teams_operators_and_managers(org) -> None:
    plan = services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="quarter",
        day=JUNE,
        amount=Decimal("1000000.00"),
    )
    assert (plan.starts_on, plan.ends_on) == (date(2026, 4, 1), date(2026, 6, 30))
    top = {n.name: n.amount for n in plan.nodes.filter(parent__isnull=True)}
    # equal per person: the team of three weighs 3, a manager 1 → 3/8, 3/8, 1/8, 1/8
    assert top == {
        "Команда A": Decimal("375000.00"),
        "Команда B": Decimal("375000.00"),
        "Менеджер 1": Decimal("125000.00"),
        "Менеджер 2": Decimal("125000.00"),
    }
    team_a = plan.nodes.get(name="Команда A")
    assert [c.amount for c in team_a.children.order_by("name")] == [Decimal("125000.00")] * 3
    assert AuditEntry.objects.filter(action="sales.plan_create", target_id=str(plan.pk)).exists()


def test_capacity_weights_follow_working_days_holidays_and_absences(org) -> None:
    NonWorkingDay.objects.create(day=date(2026, 6, 1), note="holiday")
    tz = timezone.get_current_timezone()
    AbsenceFactory(
        user=org.operators[0],
        starts_at=datetime.combine(date(2026, 6, 8), time(0), tzinfo=tz),
        ends_at=datetime.combine(date(2026, 6, 13), time(0), tzinfo=tz),  # Mon–Fri away
    )
    plan = services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="month",
        day=JUNE,
        amount=Decimal("100000.00"),
        method="capacity",
    )
    # June 2026: 22 weekdays, 1 holiday → 21; the absent operator works 16
    weights = {n.name: n.weight for n in plan.nodes.all()}
    assert weights["Оператор 1"] == Decimal(16)
    assert weights["Оператор 2"] == Decimal(21)
    assert weights["Команда A"] == Decimal(16 + 21 + 21)
    _assert_tree_exact(plan)


def test_past_sales_weights(org, sell) -> None:
    sell(org.operators[0], date(2026, 5, 5), "3000")
    sell(org.operators[1], date(2026, 5, 6), "1000")
    sell(org.managers[0], date(2026, 5, 6), "500", client=org.clients[org.managers[0].pk])
    plan = services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="month",
        day=JUNE,
        amount=Decimal("90000.00"),
        method="past_sales",
    )
    amounts = {n.name: n.amount for n in plan.nodes.all()}
    # weights: op1 3000, op2 1000, manager 1 500 (their client's order), the rest 0
    assert amounts["Оператор 1"] == Decimal("60000.00")
    assert amounts["Оператор 2"] == Decimal("20000.00")
    assert amounts["Менеджер 1"] == Decimal("10000.00")
    assert amounts["Оператор 3"] == Decimal("0.00")
    _assert_tree_exact(plan)


def test_payments_plan_goes_to_managers_only(org) -> None:
    plan = services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="month",
        day=JUNE,
        amount=Decimal("10.01"),
        basis="payments",
    )
    assert sorted(plan.nodes.values_list("kind", "amount")) == [
        ("manager", Decimal("5.00")),
        ("manager", Decimal("5.01")),
    ]


def test_manual_weights_must_cover_every_share(org) -> None:
    with pytest.raises(ValidationError) as info:
        services.plan_create(
            actor=org.head_of_sales,
            department=org.department,
            period_kind="month",
            day=JUNE,
            amount=Decimal("100.00"),
            method="manual",
            weights={f"team:{org.teams[0].pk}": 1},
        )
    assert "weights" in info.value.message_dict
    assert not SalesPlan.objects.exists()


def test_plan_rules_name_the_field(org) -> None:
    with pytest.raises(ValidationError) as info:
        services.plan_create(
            actor=org.head_of_sales,
            department=org.department,
            period_kind="month",
            day=JUNE,
            amount=Decimal("10.001"),
        )
    assert "amount" in info.value.message_dict
    services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="month",
        day=JUNE,
        amount=Decimal("10.00"),
    )
    with pytest.raises(ValidationError) as info:
        services.plan_create(
            actor=org.head_of_sales,
            department=org.department,
            period_kind="month",
            day=date(2026, 6, 30),
            amount=Decimal("10.00"),
        )
    assert "day" in info.value.message_dict


def test_only_editors_create_plans(org) -> None:
    for user in (org.operators[0], org.supervisors[0], org.head, org.managers[0]):
        with pytest.raises(PermissionDenied):
            services.plan_create(
                actor=user,
                department=org.department,
                period_kind="month",
                day=JUNE,
                amount=Decimal("10.00"),
            )


def test_redecompose_keeps_sums_and_corrections(org) -> None:
    plan = services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="month",
        day=JUNE,
        amount=Decimal("800.00"),
    )
    node = plan.nodes.get(user=org.operators[0])
    services.target_correct(
        actor=org.head_of_sales,
        node=node,
        day=date(2026, 6, 15),
        amount=Decimal("5.00"),
        reason="обучение",
    )
    keys = {f"team:{t.pk}": 1 for t in org.teams} | {f"user:{u.pk}": 1 for u in org.operators}
    keys |= {f"user:{org.managers[0].pk}": 2, f"user:{org.managers[1].pk}": 0}
    services.plan_redecompose(
        actor=org.head_of_sales, plan=plan, method="manual", amount=Decimal("1000.00"), weights=keys
    )
    plan.refresh_from_db()
    _assert_tree_exact(plan)
    amounts = {n.name: n.amount for n in plan.nodes.all()}
    assert amounts["Менеджер 1"] == Decimal("500.00")
    assert amounts["Менеджер 2"] == Decimal("0.00")
    assert amounts["Команда A"] == Decimal("250.00")
    assert PlanNode.objects.get(
        plan=plan, user=org.operators[0]
    ).corrections.get().amount == Decimal("5.00")

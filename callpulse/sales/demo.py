"""Demo sales data: this month's plans for the departments, decomposed, a scheme, incidents.

Runs after the main demo (staff, clients, catalog, orders, calls). Deterministic from `seed` and
`now`: each plan is last month's facts on its basis, rounded to 10 000, so the traffic lights
show a mix of green, yellow and red.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from callpulse.core.models import Department, User
from callpulse.core.roles import RoleCode
from callpulse.sales import services
from callpulse.sales.facts import collect_facts
from callpulse.sales.models import IncidentKind, MotivationScheme, PlanBasis, SalesPlan, SplitMethod
from callpulse.sales.selectors import period_bounds, previous_period
from callpulse.sales.workdays import load_calendar

# department code → (split method, basis); departments without people are skipped
DEPARTMENT_PLANS = {
    "contact_center": (SplitMethod.CAPACITY, PlanBasis.ORDERS),
    "wholesale": (SplitMethod.PAST_SALES, PlanBasis.ORDERS),
    "retail": (SplitMethod.EQUAL, PlanBasis.ORDERS),
    "regional": (SplitMethod.EQUAL, PlanBasis.PAYMENTS),
}
FALLBACK_AMOUNT = Decimal("3000000.00")
INCIDENT_NOTES = {
    IncidentKind.ORDER_ERROR: (
        "не та колонка прайса",
        "дата доставки не согласована",
        "пропущена позиция заказа",
    ),
    IncidentKind.COMPLAINT: ("грубый ответ подтверждён", "обещал перезвонить и не перезвонил"),
}


def _editor() -> User | None:
    return (
        User.objects.filter(roles__code=RoleCode.HEAD_OF_SALES, is_active=True)
        .order_by("pk")
        .first()
        or User.objects.filter(roles__code=RoleCode.DIRECTOR, is_active=True).order_by("pk").first()
    )


def _amount_for(department: Department, basis: str, start: date) -> Decimal:
    members = services.plan_members(department, basis=basis)
    leaves = [op for m in members for op in (m.operators or (m,))]
    past_start, past_end = previous_period("month", start)
    facts = collect_facts(
        basis=basis,
        start=past_start,
        end=past_end,
        operator_ids=[m.user.pk for m in leaves if m.user and m.kind == "operator"],
        manager_ids=[m.user.pk for m in leaves if m.user and m.kind == "manager"],
    )
    past = sum(facts.department.values(), Decimal("0.00"))
    if past <= 0:
        return FALLBACK_AMOUNT
    return max((past / 10000).quantize(Decimal(1)) * 10000, Decimal(10000))


@transaction.atomic
def build_demo(*, seed: int, now: datetime) -> dict[str, int]:
    """Create this month's plans, one motivation scheme, a few incidents and one correction."""
    rng = random.Random(seed)
    actor = _editor()
    counts = {"sales_plans": 0, "plan_shares": 0, "incidents": 0, "target_corrections": 0}
    if actor is None:
        return counts
    today = timezone.localdate(now)
    start, _end = period_bounds("month", today)
    for code, (method, basis) in DEPARTMENT_PLANS.items():
        department = Department.objects.filter(code=code).first()
        if (
            department is None
            or SalesPlan.objects.filter(department=department, starts_on=start).exists()
        ):
            continue
        if not services.plan_members(department, basis=basis):
            continue
        plan = services.plan_create(
            actor=actor,
            department=department,
            period_kind="month",
            day=today,
            amount=_amount_for(department, basis, start),
            basis=basis,
            method=method,
            note="демо",
        )
        counts["sales_plans"] += 1
        counts["plan_shares"] += plan.nodes.count()
    if not MotivationScheme.objects.filter(name="Стандартная").exists():
        services.scheme_save(
            actor=actor,
            name="Стандартная",
            target_bonus=Decimal("150000.00"),
            threshold_pct=Decimal(80),
            threshold_share_pct=Decimal(50),
            accelerator=Decimal(2),
            cap_pct=Decimal(150),
            record_day_bonus=Decimal("10000.00"),
            record_month_bonus=Decimal("30000.00"),
            penalty_per_point=Decimal("2000.00"),
            collective_min_pct=Decimal(90),
            collective_reduction_pct=Decimal(20),
            promotion_pct=Decimal(120),
        )
    sellers = list(
        User.objects.filter(sales_plan_nodes__plan__starts_on=start)
        .exclude(sales_plan_nodes__kind="team")
        .distinct()
        .order_by("pk")
    )
    days = [start + timedelta(days=n) for n in range(max((today - start).days, 0) + 1)]
    for user in rng.sample(sellers, k=min(4, len(sellers))):
        kind = rng.choice([IncidentKind.ORDER_ERROR, IncidentKind.COMPLAINT])
        services.incident_record(
            actor=actor,
            user=user,
            kind=kind,
            day=rng.choice(days),
            amount=Decimal(rng.choice([0, 5000, 10000])),
            points=rng.choice([1, 2, 3]),
            note=rng.choice(INCIDENT_NOTES[kind]),
        )
        counts["incidents"] += 1
    showcase = SalesPlan.objects.filter(department__code="contact_center", starts_on=start).first()
    if showcase is not None:
        node = showcase.nodes.exclude(kind="team").order_by("name").first()
        if node is not None and node.user_id is not None:
            calendar = load_calendar(today, showcase.ends_on, [node.user_id])
            ahead = calendar.working_days(node.user_id, today + timedelta(days=1), showcase.ends_on)
            if ahead:
                services.target_correct(
                    actor=actor,
                    node=node,
                    day=ahead[0],
                    amount=Decimal("0.00"),
                    reason="день обучения",
                )
                counts["target_corrections"] += 1
    return counts

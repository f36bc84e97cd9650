"""The sales demo: this month's plans decomposed, a scheme, incidents; deterministic and fast."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from callpulse.demo.generator import generate_center
from callpulse.sales import selectors
from callpulse.sales.demo import build_demo
from callpulse.sales.models import Incident, MotivationScheme, PlanNode, SalesPlan, TargetCorrection
from callpulse.sales.motivation import plan_payouts

NOW = datetime(2026, 6, 17, 11, 0, tzinfo=ZoneInfo("Asia/Almaty"))


@pytest.fixture
def center(db: None):
    return generate_center(seed=42, clients=40, now=NOW)


def snapshot():
    return (
        sorted(SalesPlan.objects.values_list("department__code", "amount", "method", "basis")),
        sorted(PlanNode.objects.values_list("name", "amount")),
        sorted(Incident.objects.values_list("user__username", "kind", "day", "amount", "points")),
        sorted(TargetCorrection.objects.values_list("node__name", "day", "amount")),
    )


def test_build_demo_plans_every_department_exactly(center) -> None:
    counts = build_demo(seed=42, now=NOW)
    assert counts["sales_plans"] == SalesPlan.objects.count() == 4
    assert counts["incidents"] == Incident.objects.count() == 4
    assert counts["target_corrections"] == 1
    assert MotivationScheme.objects.filter(is_active=True).count() == 1
    for plan in SalesPlan.objects.all():
        assert plan.starts_on.month == 6
        top = plan.nodes.filter(parent__isnull=True)
        assert sum(n.amount for n in top) == plan.amount
        for team in top.filter(kind="team"):
            assert sum(c.amount for c in team.children.all()) == team.amount
    contact_center = SalesPlan.objects.get(department__code="contact_center")
    progress = selectors.plan_progress(contact_center, today=NOW.date())
    assert progress.department.fact > 0  # the demo's orders count as facts
    scheme = MotivationScheme.objects.get()
    payouts = plan_payouts(contact_center, scheme=scheme, progress=progress)
    assert payouts and all(p.lines for p in payouts)
    assert build_demo(seed=42, now=NOW)["sales_plans"] == 0  # a second run adds no plans


def test_build_demo_is_deterministic(center) -> None:
    build_demo(seed=42, now=NOW)
    first = snapshot()
    Incident.objects.all().delete()
    TargetCorrection.objects.all().delete()
    PlanNode.objects.all().delete()
    SalesPlan.objects.all().delete()
    MotivationScheme.objects.all().delete()
    build_demo(seed=42, now=NOW)
    assert snapshot() == first
    assert all(amount > Decimal(0) for _c, amount, _m, _b in first[0])

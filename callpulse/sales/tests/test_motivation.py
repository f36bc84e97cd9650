"""Motivation: each rule alone, the rules combined, payouts reproducible, the XLSX for payroll."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from callpulse.core.models import AuditEntry
from callpulse.sales import services
from callpulse.sales.exports import payouts_xlsx
from callpulse.sales.models import IncidentKind, MotivationScheme
from callpulse.sales.motivation import (
    IncidentFact,
    PayoutInput,
    compute_payout,
    plan_payouts,
    tier_bonus,
)

D = date
OFF = {
    "target_bonus": Decimal(0),
    "record_day_bonus": Decimal(0),
    "record_month_bonus": Decimal(0),
    "penalty_per_point": Decimal(0),
    "collective_reduction_pct": Decimal(0),
    "promotion_pct": None,
}


def scheme(**fields) -> MotivationScheme:
    """An unsaved scheme with every rule off except those given."""
    values = {
        **OFF,
        "threshold_pct": Decimal(80),
        "threshold_share_pct": Decimal(50),
        "accelerator": Decimal(2),
        "collective_min_pct": Decimal(100),
        **fields,
    }
    return MotivationScheme(name="t", **values)


def data(fact: str, plan: str = "1000", **fields) -> PayoutInput:
    values = {
        "plan_amount": Decimal(plan),
        "fact": Decimal(fact),
        "department_pct": None,
        "best_day": Decimal(0),
        "best_day_before": None,
        "best_month": Decimal(0),
        "best_month_before": None,
        "quarter_pct": None,
        **fields,
    }
    return PayoutInput(**values)


def pay(s: MotivationScheme, d: PayoutInput):
    return compute_payout(s, d, user_id=1, name="Оператор", currency="KZT")


@pytest.mark.parametrize(
    ("pct", "bonus"),
    [
        ("79.99", "0.00"),  # below the threshold: nothing
        ("80", "50000.00"),  # the threshold pays half
        ("90", "75000.00"),  # linear band
        ("100", "100000.00"),
        ("110", "120000.00"),  # accelerated ×2: each % over pays 2% of the bonus
        ("200", "160000.00"),  # capped at 130%
    ],
)
def test_tiers_alone(pct: str, bonus: str) -> None:
    s = scheme(target_bonus=Decimal(100000), cap_pct=Decimal(130))
    assert tier_bonus(s, Decimal(pct)) == Decimal(bonus)
    payout = pay(s, data(fact=str(Decimal(pct) * 10)))
    assert payout.total == Decimal(bonus)
    assert [line.rule for line in payout.lines] == ["tier"]


def test_record_bonuses_alone() -> None:
    s = scheme(record_day_bonus=Decimal(5000), record_month_bonus=Decimal(20000))
    payout = pay(
        s,
        data(
            "500",
            best_day=Decimal(300),
            best_day_before=Decimal(250),
            best_month=Decimal(500),
            best_month_before=Decimal(800),
        ),
    )
    assert payout.total == Decimal(5000)
    assert [line.rule for line in payout.lines] == ["record_day"]
    # someone with no history sets no record
    assert pay(s, data("500", best_day=Decimal(300))).total == Decimal(0)


def test_penalties_alone_never_make_the_payout_negative() -> None:
    s = scheme(penalty_per_point=Decimal(1000))
    incident = IncidentFact("Order error", D(2026, 6, 3), Decimal(500), 2, "wrong price")
    payout = pay(s, data("1000", incidents=(incident,)))
    assert [line.rule for line in payout.lines] == ["penalty", "floor"]
    assert payout.penalties == Decimal("2500.00")
    assert payout.total == Decimal(0)


def test_collective_condition_alone() -> None:
    s = scheme(
        target_bonus=Decimal(1000),
        collective_min_pct=Decimal(100),
        collective_reduction_pct=Decimal(30),
    )
    under = pay(s, data("1000", department_pct=Decimal("95.0")))
    assert under.total == Decimal("700.00")
    assert [line.rule for line in under.lines] == ["tier", "collective"]
    assert pay(s, data("1000", department_pct=Decimal("100.0"))).total == Decimal("1000.00")


def test_quarterly_goal_alone_flags_promotion() -> None:
    s = scheme(promotion_pct=Decimal(120))
    assert pay(s, data("1000", quarter_pct=Decimal("121.0"))).promotion
    assert not pay(s, data("1000", quarter_pct=Decimal("119.9"))).promotion


def test_rules_combined_in_the_stated_order() -> None:
    s = scheme(
        target_bonus=Decimal(100000),
        record_day_bonus=Decimal(10000),
        penalty_per_point=Decimal(1000),
        collective_min_pct=Decimal(100),
        collective_reduction_pct=Decimal(10),
        promotion_pct=Decimal(120),
    )
    payout = pay(
        s,
        data(
            "1250",
            department_pct=Decimal("90"),
            best_day=Decimal(400),
            best_day_before=Decimal(390),
            quarter_pct=Decimal("125"),
            incidents=(IncidentFact("Justified complaint", D(2026, 6, 9), Decimal(0), 3, ""),),
        ),
    )
    # tier 125% → 100000 + 2 × 25% = 150000; + record 10000 = 160000; −10% = 144000; −3000
    assert [line.rule for line in payout.lines] == [
        "tier",
        "record_day",
        "collective",
        "penalty",
        "promotion",
    ]
    assert [line.amount for line in payout.lines] == [
        Decimal("150000.00"),
        Decimal(10000),
        Decimal("-16000.00"),
        Decimal("-3000.00"),
        Decimal(0),
    ]
    assert payout.total == Decimal("141000.00")
    assert payout.promotion


def standard(org) -> MotivationScheme:
    return services.scheme_save(
        actor=org.head_of_sales,
        name="Стандарт",
        target_bonus=Decimal(10000),
        threshold_pct=Decimal(50),
        record_day_bonus=Decimal(1000),
        penalty_per_point=Decimal(100),
        collective_min_pct=Decimal(100),
        collective_reduction_pct=Decimal(20),
        promotion_pct=Decimal(120),
    )


def month_plan(org):
    return services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="month",
        day=D(2026, 6, 1),
        amount=Decimal("8000.00"),
    )


def test_plan_payouts_from_the_data_and_reproducible(org, sell) -> None:
    s = standard(org)
    plan = month_plan(org)  # 1000 each
    star = org.operators[0]
    sell(star, D(2026, 5, 12), "100")  # history: best day 100
    sell(star, D(2026, 6, 2), "700")
    sell(star, D(2026, 6, 3), "600")
    services.incident_record(
        actor=org.head_of_sales,
        user=star,
        kind=IncidentKind.ORDER_ERROR,
        day=D(2026, 6, 4),
        points=2,
    )
    first = plan_payouts(plan, scheme=s, today=D(2026, 6, 30))
    again = plan_payouts(plan, scheme=s, today=D(2026, 6, 30))
    assert first == again
    mine = next(p for p in first if p.user_id == star.pk)
    # 130% → 10000 + 2×30% = 16000; record day 700 > 100 → +1000; department 1300/8000 → −20%
    assert [line.rule for line in mine.lines] == [
        "tier",
        "record_day",
        "collective",
        "penalty",
        "promotion",
    ]
    assert mine.total == Decimal("13600.00") - Decimal("200.00")
    assert mine.promotion  # the quarter's only plan: 130% ≥ 120%
    others = [p for p in first if p.user_id != star.pk]
    assert all(p.total == 0 for p in others)
    # a sale outside the plan's people changes nothing for them
    sell(org.head_of_sales, D(2026, 6, 5), "5000")
    assert plan_payouts(plan, scheme=s, today=D(2026, 6, 30)) == first


def test_xlsx_opens_and_sums(org, sell) -> None:
    s = standard(org)
    plan = month_plan(org)
    sell(org.operators[0], D(2026, 6, 2), "900")
    sell(org.operators[1], D(2026, 6, 2), "1000")
    payouts = plan_payouts(plan, scheme=s, today=D(2026, 6, 30))
    book = load_workbook(BytesIO(payouts_xlsx(plan, payouts)))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    people, total = rows[:-1], rows[-1]
    assert len(people) == 8
    assert total[6] == pytest.approx(float(sum(p.total for p in payouts)))
    assert sum(r[6] for r in people) == pytest.approx(total[6])
    assert total[6] > 0
    lines = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert len(lines) == sum(len(p.lines) for p in payouts)


def test_scheme_rules_and_audit(org) -> None:
    with pytest.raises(ValidationError) as info:
        services.scheme_save(actor=org.head_of_sales, name="x", threshold_pct=Decimal(120))
    assert "threshold_pct" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.scheme_save(actor=org.head_of_sales, name="x", cap_pct=Decimal(90))
    assert "cap_pct" in info.value.message_dict
    s = standard(org)
    services.scheme_save(actor=org.head_of_sales, scheme=s, target_bonus=Decimal(20000))
    entry = AuditEntry.objects.filter(action="sales.scheme_save").order_by("pk").last()
    assert entry.changes["target_bonus"] == ["10000.00", "20000.00"]
    with pytest.raises(PermissionDenied):
        services.scheme_save(actor=org.supervisors[0], scheme=s, target_bonus=Decimal(1))


def test_incident_needs_a_penalty(org) -> None:
    with pytest.raises(ValidationError) as info:
        services.incident_record(
            actor=org.head_of_sales, user=org.operators[0], kind="complaint", day=D(2026, 6, 1)
        )
    assert "amount" in info.value.message_dict
    with pytest.raises(PermissionDenied):
        services.incident_record(
            actor=org.operators[1],
            user=org.operators[0],
            kind="complaint",
            day=D(2026, 6, 1),
            points=1,
        )


def test_department_scheme_wins_over_the_general_one(org) -> None:
    from callpulse.sales.motivation import scheme_for

    general = services.scheme_save(actor=org.head_of_sales, name="Общая", target_bonus=Decimal(1))
    plan = month_plan(org)
    assert scheme_for(plan) == general
    own = services.scheme_save(
        actor=org.head_of_sales, name="Своя", department=org.department, target_bonus=Decimal(2)
    )
    assert scheme_for(plan) == own
    services.scheme_save(actor=org.head_of_sales, scheme=own, is_active=False)
    assert scheme_for(plan) == general


def test_quarter_goal_counts_every_month_plan_of_the_quarter(org, sell) -> None:
    s = services.scheme_save(actor=org.head_of_sales, name="Q", promotion_pct=Decimal(120))
    plans = [
        services.plan_create(
            actor=org.head_of_sales,
            department=org.department,
            period_kind="month",
            day=D(2026, month, 1),
            amount=Decimal("8000.00"),
        )
        for month in (4, 5, 6)
    ]
    star = org.operators[0]
    sell(star, D(2026, 4, 6), "2000")  # 200% of April
    sell(star, D(2026, 5, 6), "1000")  # 100% of May
    sell(star, D(2026, 6, 8), "600")  # 60% of June → quarter 3600/3000 = 120%
    june = plan_payouts(plans[2], scheme=s, today=D(2026, 6, 30))
    assert next(p for p in june if p.user_id == star.pk).promotion
    sell(org.operators[1], D(2026, 6, 8), "1100")  # 110% in June alone is not the quarter
    june = plan_payouts(plans[2], scheme=s, today=D(2026, 6, 30))
    assert not next(p for p in june if p.user_id == org.operators[1].pk).promotion


def test_explanations_read_as_people_write_numbers() -> None:
    s = scheme(
        target_bonus=Decimal(1000),
        threshold_pct=Decimal("80.00"),
        collective_min_pct=Decimal("90.00"),
        collective_reduction_pct=Decimal("20.00"),
        penalty_per_point=Decimal(1),
    )
    incident = IncidentFact("Order error", D(2026, 6, 3), Decimal(0), 1, "missed a line")
    payout = pay(s, data("850", department_pct=Decimal("72.2"), incidents=(incident,)))
    texts = [line.text for line in payout.lines]
    assert texts[0] == "Plan 85.0%, in the linear band from 80%: 625\u00a0₸."  # 50% + 50% × 5/20
    assert "(under 90%): bonuses reduced by 20%." in texts[1]
    assert texts[2] == "Order error on 03.06.2026 (1 point): missed a line"

"""Payouts: a motivation scheme applied to a person's plan and facts, one line per rule.

The order of the rules, each applied only when the scheme switches it on:
1. tiers by % of plan: below the threshold nothing; from the threshold to 100% a linear band
   from `threshold_share_pct` of the bonus to the whole bonus; above 100% every percent pays
   `accelerator` percent of the bonus more (up to `cap_pct`);
2. a fixed bonus for a best day ever, and for a best calendar month ever (compared with the
   person's history before the period; someone with no history sets no record);
3. the collective condition: when the department is under `collective_min_pct` of its plan,
   the bonuses above are reduced by `collective_reduction_pct`;
4. penalties: each incident of the period costs its amount plus its points × the price of a point;
5. the quarterly goal: at `promotion_pct` of the quarter's plans or more, the person is flagged
   for promotion (no money).
The payout is the bonuses less the penalties, never below zero. The same data always give the
same payout: everything is read live and the arithmetic is exact (Decimal, half up to a cent).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from callpulse.core.money import format_money
from callpulse.sales.facts import collect_facts
from callpulse.sales.models import Incident, MotivationScheme, NodeKind, SalesPlan
from callpulse.sales.selectors import PlanProgress, period_bounds, plan_progress
from callpulse.sales.targets import percent

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def _money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class IncidentFact:
    kind_label: str
    day: date
    amount: Decimal
    points: int
    note: str


@dataclass(frozen=True)
class PayoutInput:
    """Everything the rules look at for one person and one period."""

    plan_amount: Decimal
    fact: Decimal
    department_pct: Decimal | None
    best_day: Decimal
    best_day_before: Decimal | None
    best_month: Decimal
    best_month_before: Decimal | None
    quarter_pct: Decimal | None
    incidents: tuple[IncidentFact, ...] = ()


@dataclass(frozen=True)
class PayoutLine:
    rule: str
    text: str
    amount: Decimal


@dataclass
class Payout:
    user_id: int
    name: str
    plan_amount: Decimal
    fact: Decimal
    pct: Decimal | None
    lines: list[PayoutLine] = field(default_factory=list)
    bonus: Decimal = ZERO
    penalties: Decimal = ZERO
    total: Decimal = ZERO
    promotion: bool = False


def _pct_text(value: Decimal | None) -> str:
    return f"{value}%" if value is not None else "—"


def _num(value: Decimal) -> str:
    """80.00 → '80', 2.50 → '2.5' (never '8E+1')."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def tier_bonus(scheme: MotivationScheme, pct: Decimal) -> Decimal:
    """The bonus the tiers pay at `pct` percent of the plan."""
    target = scheme.target_bonus
    if target <= 0 or pct < scheme.threshold_pct:
        return ZERO
    if pct <= HUNDRED:
        if scheme.threshold_pct >= HUNDRED:
            return _money(target)
        band = (pct - scheme.threshold_pct) / (HUNDRED - scheme.threshold_pct)
        share = scheme.threshold_share_pct + (HUNDRED - scheme.threshold_share_pct) * band
        return _money(target * share / HUNDRED)
    over = pct if scheme.cap_pct is None else min(pct, scheme.cap_pct)
    return _money(target + target * scheme.accelerator * (max(over, HUNDRED) - HUNDRED) / HUNDRED)


def compute_payout(
    scheme: MotivationScheme, data: PayoutInput, *, user_id: int, name: str, currency: str
) -> Payout:
    """Apply the scheme's rules in order; each rule applied leaves one explanation line."""
    pct = percent(data.fact, data.plan_amount)
    exact_pct = data.fact * HUNDRED / data.plan_amount if data.plan_amount > 0 else ZERO
    payout = Payout(
        user_id=user_id, name=name, plan_amount=data.plan_amount, fact=data.fact, pct=pct
    )

    def money(amount: Decimal) -> str:
        return format_money(amount, currency)

    bonus = ZERO
    if scheme.target_bonus > 0:
        tier = tier_bonus(scheme, exact_pct)
        if exact_pct < scheme.threshold_pct:
            text = _("Plan %(pct)s, below %(threshold)s%%: no bonus.") % {
                "pct": _pct_text(pct),
                "threshold": _num(scheme.threshold_pct),
            }
        elif exact_pct <= HUNDRED:
            text = _("Plan %(pct)s, in the linear band from %(threshold)s%%: %(amount)s.") % {
                "pct": _pct_text(pct),
                "threshold": _num(scheme.threshold_pct),
                "amount": money(tier),
            }
        else:
            text = _(
                "Plan %(pct)s: bonus %(base)s, accelerated ×%(acc)s over 100%%: %(amount)s."
            ) % {
                "pct": _pct_text(pct),
                "base": money(scheme.target_bonus),
                "acc": _num(scheme.accelerator),
                "amount": money(tier),
            }
            if scheme.cap_pct is not None and exact_pct > scheme.cap_pct:
                text += " " + _("Capped at %(cap)s%%.") % {"cap": _num(scheme.cap_pct)}
        payout.lines.append(PayoutLine("tier", text, tier))
        bonus += tier
    if (
        scheme.record_day_bonus > 0
        and data.best_day_before is not None
        and data.best_day > data.best_day_before
    ):
        payout.lines.append(
            PayoutLine(
                "record_day",
                _("Best day ever: %(best)s (the record was %(before)s).")
                % {"best": money(data.best_day), "before": money(data.best_day_before)},
                scheme.record_day_bonus,
            )
        )
        bonus += scheme.record_day_bonus
    if (
        scheme.record_month_bonus > 0
        and data.best_month_before is not None
        and data.best_month > data.best_month_before
    ):
        payout.lines.append(
            PayoutLine(
                "record_month",
                _("Best month ever: %(best)s (the record was %(before)s).")
                % {"best": money(data.best_month), "before": money(data.best_month_before)},
                scheme.record_month_bonus,
            )
        )
        bonus += scheme.record_month_bonus
    if (
        scheme.collective_reduction_pct > 0
        and bonus > 0
        and data.department_pct is not None
        and data.department_pct < scheme.collective_min_pct
    ):
        cut = _money(bonus * scheme.collective_reduction_pct / HUNDRED)
        payout.lines.append(
            PayoutLine(
                "collective",
                _(
                    "The department made %(dept)s of its plan (under %(min)s%%): "
                    "bonuses reduced by %(cut)s%%."
                )
                % {
                    "dept": _pct_text(data.department_pct),
                    "min": _num(scheme.collective_min_pct),
                    "cut": _num(scheme.collective_reduction_pct),
                },
                -cut,
            )
        )
        bonus -= cut
    penalties = ZERO
    for incident in data.incidents:
        cost = _money(incident.amount + scheme.penalty_per_point * incident.points)
        if cost <= 0:
            continue
        payout.lines.append(
            PayoutLine(
                "penalty",
                ngettext(
                    "%(kind)s on %(day)s (%(points)d point): %(note)s",
                    "%(kind)s on %(day)s (%(points)d points): %(note)s",
                    incident.points,
                )
                % {
                    "kind": incident.kind_label,
                    "day": incident.day.strftime("%d.%m.%Y"),
                    "points": incident.points,
                    "note": incident.note or "—",
                },
                -cost,
            )
        )
        penalties += cost
    total = bonus - penalties
    if total < 0:
        payout.lines.append(
            PayoutLine(
                "floor",
                _("Penalties exceed the bonuses: the payout is zero, not negative."),
                -total,
            )
        )
        total = ZERO
    if (
        scheme.promotion_pct is not None
        and data.quarter_pct is not None
        and data.quarter_pct >= scheme.promotion_pct
    ):
        payout.promotion = True
        payout.lines.append(
            PayoutLine(
                "promotion",
                _("Quarter at %(pct)s of plan (goal %(goal)s%%): flagged for promotion.")
                % {"pct": _pct_text(data.quarter_pct), "goal": _num(scheme.promotion_pct)},
                ZERO,
            )
        )
    payout.bonus = bonus
    payout.penalties = penalties
    payout.total = _money(total)
    return payout


def scheme_for(plan: SalesPlan) -> MotivationScheme | None:
    """The active scheme of the plan's department, else the active scheme for every department."""
    schemes = MotivationScheme.objects.filter(is_active=True)
    return (
        schemes.filter(department=plan.department_id).order_by("pk").first()
        or schemes.filter(department__isnull=True).order_by("pk").first()
    )


def _months(daily: dict[date, Decimal]) -> dict[tuple[int, int], Decimal]:
    months: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for day, amount in daily.items():
        months[(day.year, day.month)] += amount
    return months


def _quarter_pcts(plan: SalesPlan, today: date) -> dict[tuple[str, int], Decimal | None]:
    """Each person's % of plan over all the department's plans inside the plan's quarter."""
    q_start, q_end = period_bounds("quarter", plan.starts_on)
    plans = SalesPlan.objects.filter(
        department=plan.department_id, starts_on__gte=q_start, ends_on__lte=q_end
    ).select_related("department")
    amounts: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
    facts: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
    for one in plans:
        for row in plan_progress(one, today=min(today, one.ends_on)).people:
            assert row.user_id is not None
            amounts[(row.kind, row.user_id)] += row.amount
            facts[(row.kind, row.user_id)] += row.fact
    return {key: percent(facts[key], amounts[key]) for key in amounts}


def plan_payouts(
    plan: SalesPlan,
    *,
    scheme: MotivationScheme,
    today: date | None = None,
    progress: PlanProgress | None = None,
) -> list[Payout]:
    """Every person's payout for the plan's period (as of `today`; the period end when over)."""
    progress = progress or plan_progress(plan, today=today)
    day = progress.today
    people = progress.people
    lookback = int(getattr(settings, "CALLPULSE_SALES_RECORD_LOOKBACK_DAYS", 730))
    history = collect_facts(
        basis=plan.basis,
        start=plan.starts_on - timedelta(days=lookback),
        end=plan.starts_on - timedelta(days=1),
        operator_ids=[r.user_id for r in people if r.kind == NodeKind.OPERATOR and r.user_id],
        manager_ids=[r.user_id for r in people if r.kind == NodeKind.MANAGER and r.user_id],
    )
    incidents: dict[int, list[IncidentFact]] = defaultdict(list)
    for incident in Incident.objects.filter(
        user_id__in=[r.user_id for r in people],
        day__gte=plan.starts_on,
        day__lte=min(day, plan.ends_on),
    ).order_by("day", "pk"):
        incidents[incident.user_id].append(
            IncidentFact(
                kind_label=str(incident.get_kind_display()),
                day=incident.day,
                amount=incident.amount,
                points=incident.points,
                note=incident.note,
            )
        )
    quarter = _quarter_pcts(plan, day) if scheme.promotion_pct is not None else {}
    department_pct = progress.department.pct
    payouts: list[Payout] = []
    for row in people:
        assert row.user_id is not None
        past = history.person(row.kind, row.user_id)
        current = {d: a for d, a in row.daily.items() if d <= day}
        past_months = _months(dict(past))
        data = PayoutInput(
            plan_amount=row.amount,
            fact=row.fact,
            department_pct=department_pct,
            best_day=max(current.values(), default=ZERO),
            best_day_before=max(past.values()) if past else None,
            best_month=max(_months(current).values(), default=ZERO),
            best_month_before=max(past_months.values()) if past_months else None,
            quarter_pct=quarter.get((row.kind, row.user_id)),
            incidents=tuple(incidents.get(row.user_id, [])),
        )
        payouts.append(
            compute_payout(scheme, data, user_id=row.user_id, name=row.name, currency=plan.currency)
        )
    return payouts

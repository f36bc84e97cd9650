"""Reads for sales plans: plan vs fact per person, team and department, targets, reports, money.

Everything is computed from the live data on each read (nothing stored goes stale): the plan
tree, the facts (`facts.collect_facts`), the calendar (`workdays.load_calendar`) and the
corrections, in a fixed number of queries per plan.

Traffic light: the run-rate forecast against the plan: green from CALLPULSE_SALES_LIGHT_GREEN
percent (default 100), yellow from CALLPULSE_SALES_LIGHT_YELLOW (default 90), red below; grey
until a working day of the period has closed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from callpulse.core.models import Department, User
from callpulse.core.roles import RoleCode, user_has_role
from callpulse.crm.models import Client, CreditEvent, CreditEventKind
from callpulse.sales.facts import AssortmentScope, Facts, collect_facts
from callpulse.sales.models import (
    Incident,
    NodeKind,
    PlanNode,
    SalesPlan,
    TargetCorrection,
)
from callpulse.sales.permissions import (
    MONEY_READERS_ALL,
    PLAN_EDITORS,
    PLAN_READERS_ALL,
)
from callpulse.sales.targets import (
    cumulative_plan,
    daily_target,
    fact_before,
    fact_until,
    percent,
    run_rate_forecast,
    week_target,
)
from callpulse.sales.workdays import Calendar, load_calendar

ZERO = Decimal("0.00")


# --- periods ------------------------------------------------------------------------------


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The month or quarter containing `day`: (first day, last day)."""
    first_month = day.month if kind == "month" else 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    months = 1 if kind == "month" else 3
    year, month = divmod(first_month - 1 + months, 12)
    end = date(day.year + year, month + 1, 1) - timedelta(days=1)
    return start, end


def previous_period(kind: str, start: date) -> tuple[date, date]:
    return period_bounds(kind, start - timedelta(days=1))


def light_thresholds() -> tuple[Decimal, Decimal]:
    """(green from, yellow from): percent of plan the forecast must reach."""
    return (
        Decimal(getattr(settings, "CALLPULSE_SALES_LIGHT_GREEN", 100)),
        Decimal(getattr(settings, "CALLPULSE_SALES_LIGHT_YELLOW", 90)),
    )


def light_for(forecast_pct: Decimal | None) -> str:
    if forecast_pct is None:
        return "grey"
    green, yellow = light_thresholds()
    if forecast_pct >= green:
        return "green"
    if forecast_pct >= yellow:
        return "yellow"
    return "red"


# --- plan vs fact -------------------------------------------------------------------------


@dataclass
class Row:
    """One line of plan vs fact: the department, a team, a manager or an operator."""

    kind: str
    name: str
    amount: Decimal
    daily: dict[date, Decimal]
    working_days: list[date]
    today: date
    node: PlanNode | None = None
    today_target: Decimal = ZERO
    yesterday: date | None = None
    yesterday_target: Decimal = ZERO
    corrected_today: bool = False
    forecast: Decimal | None = None
    volume_plan: Decimal | None = None
    volume_fact: Decimal | None = None
    assortment: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)
    children: list[Row] = field(default_factory=list)
    corrections: dict[date, Decimal] = field(default_factory=dict)

    @property
    def user_id(self) -> int | None:
        return self.node.user_id if self.node else None

    @property
    def node_id(self) -> int | None:
        return self.node.pk if self.node else None

    @property
    def fact(self) -> Decimal:
        return fact_until(self.daily, self.today)

    @property
    def fact_today(self) -> Decimal:
        return self.daily.get(self.today, ZERO)

    @property
    def yesterday_fact(self) -> Decimal:
        return self.daily.get(self.yesterday, ZERO) if self.yesterday else ZERO

    @property
    def remaining(self) -> Decimal:
        return max(self.amount - self.fact, ZERO)

    @property
    def expected(self) -> Decimal:
        """Plan to date: the even spread of the plan over working days through yesterday."""
        return cumulative_plan(self.amount, self.working_days, self.today - timedelta(days=1))

    @property
    def pct(self) -> Decimal | None:
        return percent(self.fact, self.amount)

    @property
    def forecast_pct(self) -> Decimal | None:
        return percent(self.forecast, self.amount) if self.forecast is not None else None

    @property
    def light(self) -> str:
        return light_for(self.forecast_pct)

    @property
    def week_target(self) -> Decimal:
        """What is asked from today to Sunday (teams: their people's sum)."""
        if self.kind == NodeKind.TEAM:
            return sum((c.week_target for c in self.children), ZERO)
        return week_target(
            amount=self.amount,
            facts=self.daily,
            working_days=self.working_days,
            corrections=self.corrections,
            day=self.today,
        )

    @property
    def works_today(self) -> bool:
        """Whether today is one of the share's working days (by the sales calendar)."""
        return self.today in self.working_days

    @property
    def days_left(self) -> int:
        return len([d for d in self.working_days if d >= self.today])


@dataclass
class PlanProgress:
    plan: SalesPlan
    today: date
    calendar: Calendar
    department: Row
    rows: list[Row]  # top level, in tree order; teams carry their operators as children
    facts: Facts

    @property
    def people(self) -> list[Row]:
        """Managers and operators (the people who sell), flattened."""
        out: list[Row] = []
        for row in self.rows:
            if row.kind == NodeKind.TEAM:
                out.extend(row.children)
            else:
                out.append(row)
        return out

    def flat(self) -> list[Row]:
        out: list[Row] = []
        for row in self.rows:
            out.append(row)
            out.extend(row.children)
        return out


def plan_nodes(plan: SalesPlan) -> list[PlanNode]:
    return list(
        PlanNode.objects.filter(plan=plan)
        .select_related("user", "team", "team__supervisor")
        .order_by("parent_id", "name", "pk")
    )


def _merge(days: list[dict[date, Decimal]]) -> dict[date, Decimal]:
    total: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for one in days:
        for day, amount in one.items():
            total[day] += amount
    return dict(total)


def _previous_working_day(working_days: list[date], today: date) -> date | None:
    earlier = [d for d in working_days if d < today]
    return earlier[-1] if earlier else None


def plan_progress(plan: SalesPlan, *, today: date | None = None) -> PlanProgress:
    """Plan vs fact for every share of the plan on `today` (default: the local today)."""
    today = today or timezone.localdate()
    nodes = plan_nodes(plan)
    leaves = [n for n in nodes if n.kind != NodeKind.TEAM]
    goals = list(plan.assortment_goals.all())
    facts = collect_facts(
        basis=plan.basis,
        start=plan.starts_on,
        end=plan.ends_on,
        operator_ids=[n.user_id for n in leaves if n.kind == NodeKind.OPERATOR and n.user_id],
        manager_ids=[n.user_id for n in leaves if n.kind == NodeKind.MANAGER and n.user_id],
        with_volume=plan.volume is not None,
        assortment=[AssortmentScope(str(g.pk), g.category_id, g.new_products) for g in goals],
    )
    calendar = load_calendar(plan.starts_on, plan.ends_on, [n.user_id for n in leaves if n.user_id])
    corrections: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for node_id, day, amount in TargetCorrection.objects.filter(node__plan=plan).values_list(
        "node_id", "day", "amount"
    ):
        corrections[node_id][day] = amount
    company_days = calendar.working_days(None, plan.starts_on, plan.ends_on)

    def leaf_row(node: PlanNode) -> Row:
        assert node.user_id is not None
        days = calendar.working_days(node.user_id, plan.starts_on, plan.ends_on)
        daily = dict(facts.person(node.kind, node.user_id))
        own = corrections.get(node.pk, {})
        row = Row(
            kind=node.kind,
            name=node.name,
            amount=node.amount,
            daily=daily,
            working_days=days,
            today=today,
            node=node,
            corrected_today=today in own,
            corrections=own,
        )
        _targets(row, own)
        if plan.volume is not None:
            row.volume_plan = node.volume
            row.volume_fact = facts.volume.get((node.kind, node.user_id), Decimal("0.000"))
        row.assortment = [
            (
                goal.name,
                Decimal(node.assortment.get(str(goal.pk), "0")),
                facts.assortment.get((str(goal.pk), node.kind, node.user_id), ZERO),
            )
            for goal in goals
        ]
        return row

    children: dict[int, list[PlanNode]] = defaultdict(list)
    for node in nodes:
        if node.parent_id is not None:
            children[node.parent_id].append(node)
    rows: list[Row] = []
    for node in nodes:
        if node.parent_id is not None:
            continue
        if node.kind != NodeKind.TEAM:
            rows.append(leaf_row(node))
            continue
        members = [leaf_row(child) for child in children[node.pk]]
        team = Row(
            kind=node.kind,
            name=node.name,
            amount=node.amount,
            daily=_merge([m.daily for m in members]),
            working_days=company_days,
            today=today,
            node=node,
            children=members,
            today_target=sum((m.today_target for m in members), ZERO),
            yesterday=_previous_working_day(company_days, today),
        )
        team.yesterday_target = sum(
            (m.yesterday_target for m in members if m.yesterday == team.yesterday), ZERO
        )
        team.forecast = run_rate_forecast(facts=team.daily, working_days=company_days, today=today)
        if plan.volume is not None:
            team.volume_plan = node.volume
            team.volume_fact = sum((m.volume_fact or ZERO for m in members), Decimal("0.000"))
        team.assortment = [
            (
                goal.name,
                Decimal(node.assortment.get(str(goal.pk), "0")),
                sum((m.assortment[i][2] for m in members), ZERO),
            )
            for i, goal in enumerate(goals)
        ]
        rows.append(team)
    department = Row(
        kind="department",
        name=plan.department.name,
        amount=plan.amount,
        daily=dict(facts.department),
        working_days=company_days,
        today=today,
    )
    _targets(department, {})
    if plan.volume is not None:
        department.volume_plan = plan.volume
        department.volume_fact = facts.department_volume
    department.assortment = [
        (goal.name, goal.amount, facts.department_assortment.get(str(goal.pk), ZERO))
        for goal in goals
    ]
    return PlanProgress(
        plan=plan, today=today, calendar=calendar, department=department, rows=rows, facts=facts
    )


def _targets(row: Row, corrections: dict[date, Decimal]) -> None:
    """Today's and the previous working day's targets and the forecast of a person (or all)."""
    row.today_target = daily_target(
        amount=row.amount,
        facts=row.daily,
        working_days=row.working_days,
        corrections=corrections,
        day=row.today,
    )
    row.yesterday = _previous_working_day(row.working_days, row.today)
    if row.yesterday is not None:
        row.yesterday_target = daily_target(
            amount=row.amount,
            facts=row.daily,
            working_days=row.working_days,
            corrections=corrections,
            day=row.yesterday,
        )
    row.forecast = run_rate_forecast(
        facts=row.daily, working_days=row.working_days, today=row.today
    )


def target_schedule(row: Row, corrections: dict[date, Decimal]) -> list[tuple[date, Decimal]]:
    """The target of each working day up to today as it stood that morning (for the screens)."""
    return [
        (
            day,
            daily_target(
                amount=row.amount,
                facts=row.daily,
                working_days=row.working_days,
                corrections=corrections,
                day=day,
            ),
        )
        for day in row.working_days
        if day <= row.today
    ]


def leaderboard(progress: PlanProgress) -> list[Row]:
    """People by % of plan done, then by fact; those without a plan amount last."""
    return sorted(
        progress.people,
        key=lambda r: (-(r.pct if r.pct is not None else Decimal(-1)), -r.fact, r.name),
    )


# --- who sees what ------------------------------------------------------------------------


def reads_all(user: User) -> bool:
    return user_has_role(user, PLAN_READERS_ALL)


def heads_department(user: User, department_id: int) -> bool:
    if not user_has_role(user, frozenset({RoleCode.DEPARTMENT_HEAD})):
        return False
    return bool(
        user.department_id == department_id
        or Department.objects.filter(pk=department_id, head=user).exists()
    )


def plans_visible(user: User) -> QuerySet[SalesPlan]:
    """Plans the user may open: all for the head of sales and the director; their scope else."""
    plans = SalesPlan.objects.select_related("department")
    if reads_all(user):
        return plans
    scope = Q(nodes__user=user) | Q(nodes__team__supervisor=user)
    if user_has_role(user, frozenset({RoleCode.DEPARTMENT_HEAD})):
        scope |= Q(department=user.department_id) | Q(department__head=user)
    return plans.filter(scope).distinct()


def sees_whole_plan(user: User, plan: SalesPlan) -> bool:
    return reads_all(user) or heads_department(user, plan.department_id)


def visible_rows(user: User, progress: PlanProgress) -> list[Row]:
    """The plan rows the user may see, in tree order: everything, their team, or their own."""
    if sees_whole_plan(user, progress.plan):
        return progress.flat()
    out: list[Row] = []
    for row in progress.rows:
        if row.kind == NodeKind.TEAM and row.node and row.node.team:
            if row.node.team.supervisor_id == user.pk:
                out.append(row)
                out.extend(row.children)
                continue
            out.extend(c for c in row.children if c.user_id == user.pk)
        elif row.user_id == user.pk:
            out.append(row)
    return out


def my_rows(user: User, *, today: date | None = None) -> list[tuple[PlanProgress, Row]]:
    """The user's own shares in the plans running today (for 'my plan' and the stand-up)."""
    day = today or timezone.localdate()
    plans = SalesPlan.objects.filter(
        nodes__user=user, starts_on__lte=day, ends_on__gte=day
    ).select_related("department")
    out: list[tuple[PlanProgress, Row]] = []
    for plan in plans.distinct():
        progress = plan_progress(plan, today=day)
        out.extend((progress, row) for row in progress.people if row.user_id == user.pk)
    return out


def current_plans(user: User, *, today: date | None = None) -> list[SalesPlan]:
    day = today or timezone.localdate()
    return list(plans_visible(user).filter(starts_on__lte=day, ends_on__gte=day))


def plans_led(user: User, *, today: date | None = None) -> list[tuple[SalesPlan, Row]]:
    """The running plans the user leads: the whole plan (editors, the department's head) or
    the teams they supervise. Readers for payroll only (finance) lead none."""
    day = today or timezone.localdate()
    edits = user_has_role(user, PLAN_EDITORS)
    out: list[tuple[SalesPlan, Row]] = []
    for plan in sorted(current_plans(user, today=day), key=lambda p: p.department.name):
        progress = plan_progress(plan, today=day)
        if edits or heads_department(user, plan.department_id):
            out.append((plan, progress.department))
            continue
        out.extend(
            (plan, row)
            for row in progress.rows
            if row.kind == NodeKind.TEAM
            and row.node is not None
            and row.node.team is not None
            and row.node.team.supervisor_id == user.pk
        )
    return out


# --- the weekly meeting -------------------------------------------------------------------


@dataclass(frozen=True)
class WeekLine:
    row: Row
    week_plan: Decimal
    week_fact: Decimal

    @property
    def week_pct(self) -> Decimal | None:
        return percent(self.week_fact, self.week_plan)


@dataclass(frozen=True)
class WeeklyReport:
    progress: PlanProgress
    monday: date
    sunday: date
    department: WeekLine
    lines: list[WeekLine]
    incidents: list[Incident]


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def weekly_report(plan: SalesPlan, *, week_day: date, rows_for: User) -> WeeklyReport:
    """The week's plan share and fact per visible row, the period so far, and the incidents."""
    monday, sunday = week_of(week_day)
    # as of the week's end, or today while the week runs (a forecast never counts future days)
    as_of = min(sunday, timezone.localdate())
    progress = plan_progress(plan, today=min(max(as_of, plan.starts_on), plan.ends_on))

    def line(row: Row) -> WeekLine:
        week_plan = cumulative_plan(row.amount, row.working_days, sunday) - cumulative_plan(
            row.amount, row.working_days, monday - timedelta(days=1)
        )
        week_fact = fact_until(row.daily, sunday) - fact_before(row.daily, monday)
        return WeekLine(row=row, week_plan=week_plan, week_fact=week_fact)

    rows = visible_rows(rows_for, progress)
    people = [r.user_id for r in rows if r.user_id]
    incidents = list(
        Incident.objects.filter(user_id__in=people, day__gte=monday, day__lte=sunday)
        .select_related("user")
        .order_by("day", "pk")
    )
    return WeeklyReport(
        progress=progress,
        monday=monday,
        sunday=sunday,
        department=line(progress.department),
        lines=[line(r) for r in rows],
        incidents=incidents,
    )


# --- control of money ---------------------------------------------------------------------


@dataclass(frozen=True)
class ManagerMoney:
    manager: User
    payments: Decimal
    receivables: Decimal
    overdue: Decimal
    overdue_clients: list[Client]


def managers_visible(user: User) -> QuerySet[User]:
    """Account managers whose money the user may see: all, their department's, or themselves."""
    managers = User.objects.filter(roles__code=RoleCode.ACCOUNT_MANAGER, is_active=True)
    if user_has_role(user, MONEY_READERS_ALL):
        return managers.distinct()
    if user_has_role(user, frozenset({RoleCode.DEPARTMENT_HEAD})):
        return managers.filter(
            Q(department=user.department_id) | Q(department__head=user) | Q(pk=user.pk)
        ).distinct()
    return managers.filter(pk=user.pk).distinct()


def money_control(*, managers: QuerySet[User], start: date, end: date) -> list[ManagerMoney]:
    """Payments received in [start, end], receivables and overdue debt per manager.

    Debt figures are the ones crm keeps on the client (as of `receivables_as_of`).
    """
    people = list(managers.order_by("full_name", "username"))
    ids = [m.pk for m in people]
    paid = dict(
        CreditEvent.objects.filter(
            kind=CreditEventKind.PAYMENT,
            occurred_on__gte=start,
            occurred_on__lte=end,
            client__manager_id__in=ids,
        )
        .values_list("client__manager_id")
        .annotate(total=Sum("amount"))
        .values_list("client__manager_id", "total")
    )
    debts = {
        row["manager_id"]: row
        for row in Client.objects.filter(manager_id__in=ids, debt__gt=0)
        .values("manager_id")
        .annotate(debt=Sum("debt"), overdue=Sum("overdue_debt"))
    }
    overdue: dict[int, list[Client]] = defaultdict(list)
    for client in Client.objects.filter(manager_id__in=ids, overdue_debt__gt=0).order_by(
        "-overdue_debt", "name"
    ):
        assert client.manager_id is not None
        overdue[client.manager_id].append(client)
    return [
        ManagerMoney(
            manager=m,
            payments=paid.get(m.pk) or ZERO,
            receivables=(debts.get(m.pk) or {}).get("debt") or ZERO,
            overdue=(debts.get(m.pk) or {}).get("overdue") or ZERO,
            overdue_clients=overdue.get(m.pk, []),
        )
        for m in people
    ]

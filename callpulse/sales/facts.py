"""Facts of a plan, read live: accepted orders (by acceptance date) or payments collected.

Operators are credited the orders they took; account managers the orders (or the payments) of
the clients they manage. An order taken by an operator for a client of a manager counts for both
people, but once for the department.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from callpulse.crm.models import CreditEvent, CreditEventKind
from callpulse.orders.models import Order, OrderLine, OrderStatus

ZERO = Decimal("0.00")
# An order counts from acceptance on, as long as it is not cancelled.
COUNTED_STATUSES = (
    OrderStatus.ACCEPTED,
    OrderStatus.PICKED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)
NEW_PRODUCT_DAYS = 90


@dataclass(frozen=True)
class AssortmentScope:
    key: str
    category_id: int | None
    new_products: bool


@dataclass
class Facts:
    """Daily money facts per person and for the whole department, plus volume and assortment."""

    operators: dict[int, dict[date, Decimal]] = field(default_factory=dict)
    managers: dict[int, dict[date, Decimal]] = field(default_factory=dict)
    department: dict[date, Decimal] = field(default_factory=dict)
    volume: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    assortment: dict[tuple[str, str, int], Decimal] = field(default_factory=dict)
    department_volume: Decimal = Decimal("0.000")
    department_assortment: dict[str, Decimal] = field(default_factory=dict)

    def person(self, kind: str, user_id: int) -> dict[date, Decimal]:
        """Daily facts of a person in the role they hold in the plan ('operator' / 'manager')."""
        source = self.operators if kind == "operator" else self.managers
        return source.get(user_id, {})


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _add(bucket: dict[int, dict[date, Decimal]], user_id: int, day: date, amount: Decimal) -> None:
    days = bucket.setdefault(user_id, defaultdict(lambda: ZERO))
    days[day] = days.get(day, ZERO) + amount


def collect_facts(
    *,
    basis: str,
    start: date,
    end: date,
    operator_ids: Iterable[int],
    manager_ids: Iterable[int],
    with_volume: bool = False,
    assortment: Iterable[AssortmentScope] = (),
) -> Facts:
    """The facts of these people in [start, end] (local dates), in two or three queries."""
    operators = set(operator_ids)
    managers = set(manager_ids)
    scopes = list(assortment)
    facts = Facts()
    department: dict[date, Decimal] = defaultdict(lambda: ZERO)
    if basis == "payments":
        rows = CreditEvent.objects.filter(
            kind=CreditEventKind.PAYMENT,
            occurred_on__gte=start,
            occurred_on__lte=end,
            client__manager_id__in=managers,
        ).values_list("client__manager_id", "occurred_on", "amount")
        for manager_id, day, amount in rows:
            _add(facts.managers, manager_id, day, amount)
            department[day] += amount
        facts.department = dict(department)
        return facts
    since, until = _window(start, end)
    orders = Order.objects.filter(
        status__in=COUNTED_STATUSES, accepted_at__gte=since, accepted_at__lt=until
    ).values_list("pk", "taken_by_id", "client__manager_id", "accepted_at", "total")
    credited: dict[int, tuple[int | None, int | None, date]] = {}
    tz = timezone.get_current_timezone()
    for pk, taken_by, manager_id, accepted_at, total in orders.iterator(chunk_size=5000):
        day = timezone.localdate(accepted_at, tz)
        operator = taken_by if taken_by in operators else None
        manager = manager_id if manager_id in managers else None
        if operator is None and manager is None:
            continue
        if operator is not None:
            _add(facts.operators, operator, day, total)
        if manager is not None:
            _add(facts.managers, manager, day, total)
        department[day] += total
        credited[pk] = (operator, manager, day)
    facts.department = dict(department)
    if credited and (with_volume or scopes):
        _lines(facts, credited, scopes)
    return facts


def _lines(
    facts: Facts,
    credited: dict[int, tuple[int | None, int | None, date]],
    scopes: list[AssortmentScope],
) -> None:
    lines = OrderLine.objects.filter(order_id__in=list(credited)).values_list(
        "order_id", "quantity", "line_total", "product__category_id", "product__new_since"
    )
    volume: dict[tuple[str, int], Decimal] = defaultdict(lambda: Decimal("0.000"))
    assortment: dict[tuple[str, str, int], Decimal] = defaultdict(lambda: ZERO)
    department_assortment: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for order_id, quantity, line_total, category_id, new_since in lines.iterator(chunk_size=5000):
        operator, manager, day = credited[order_id]
        people = [("operator", operator), ("manager", manager)]
        facts.department_volume += quantity
        for kind, user_id in people:
            if user_id is not None:
                volume[(kind, user_id)] += quantity
        for scope in scopes:
            if scope.category_id is not None and category_id != scope.category_id:
                continue
            if scope.new_products and not (
                new_since is not None
                and new_since <= day <= new_since + timedelta(days=NEW_PRODUCT_DAYS)
            ):
                continue
            department_assortment[scope.key] += line_total
            for kind, user_id in people:
                if user_id is not None:
                    assortment[(scope.key, kind, user_id)] += line_total
    facts.volume = dict(volume)
    facts.assortment = dict(assortment)
    facts.department_assortment = dict(department_assortment)


def history_by_day(
    *, basis: str, kind: str, user_id: int, since: date, until: date
) -> dict[date, Decimal]:
    """One person's daily facts over a long span (for records)."""
    facts = collect_facts(
        basis=basis,
        start=since,
        end=until,
        operator_ids=[user_id] if kind == "operator" else [],
        manager_ids=[user_id] if kind == "manager" else [],
    )
    return dict(facts.person(kind, user_id))

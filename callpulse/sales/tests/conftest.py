"""A small sales department: two teams of three operators, two managers, clients, orders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from callpulse.core.models import Department, Team, User
from callpulse.core.tests.factories import UserFactory
from callpulse.crm.models import Client
from callpulse.crm.tests.factories import ClientFactory
from callpulse.orders.models import Order, OrderStatus


@dataclass
class Org:
    department: Department
    teams: list[Team]
    operators: list[User]  # team A: 0-2, team B: 3-5
    managers: list[User]
    supervisors: list[User]
    head_of_sales: User
    head: User
    clients: dict[int, Client]  # manager pk → a client of theirs


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def org(db: None) -> Org:
    department = Department.objects.create(code="sales-test", name="Отдел продаж")
    supervisors = [
        UserFactory(roles=["supervisor"], full_name=f"Супервайзер {c}", department=department)
        for c in "AB"
    ]
    teams = [
        Team.objects.create(name=f"Команда {c}", department=department, supervisor=s)
        for c, s in zip("AB", supervisors, strict=True)
    ]
    operators = []
    for index in range(6):
        operators.append(
            UserFactory(
                roles=["operator"],
                full_name=f"Оператор {index + 1}",
                department=department,
                team=teams[index // 3],
            )
        )
    managers = [
        UserFactory(roles=["account_manager"], full_name=f"Менеджер {n}", department=department)
        for n in (1, 2)
    ]
    head = UserFactory(roles=["department_head"], full_name="Начальник", department=department)
    department.head = head
    department.save()
    return Org(
        department=department,
        teams=teams,
        operators=operators,
        managers=managers,
        supervisors=supervisors,
        head_of_sales=UserFactory(roles=["head_of_sales"], full_name="РОП"),
        head=head,
        clients={m.pk: ClientFactory(manager=m) for m in managers},
    )


@pytest.fixture
def sell(db: None) -> Callable[..., Order]:
    """An accepted order of `total` taken by `by` on `day` (for `client`, or a fresh client)."""

    def make(
        by: User,
        day: date,
        total: str | Decimal,
        *,
        client: Client | None = None,
        status: str = OrderStatus.ACCEPTED,
    ) -> Order:
        return Order.objects.create(
            client=client or ClientFactory(),
            taken_by=by,
            status=status,
            total=Decimal(total),
            accepted_at=at(day),
        )

    return make

"""A day's worth of real work for each role, for the tests of the "Today" page (server and
browser): a published shift, a plan, a promised callback, calls, hand-offs, overdue debt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from callpulse.core.models import Absence, AbsenceKind, Department, Team, User
from callpulse.core.tests.factories import UserFactory
from callpulse.crm.models import Client
from callpulse.crm.tests.factories import ClientFactory
from callpulse.orders.models import HandOff, HandOffTo, Order, OrderStatus
from callpulse.sales import services as sales_services
from callpulse.telephony.models import (
    Call,
    Callback,
    CallbackReason,
    CallStatus,
    Direction,
    Outcome,
)
from callpulse.workforce.models import Schedule, ScheduleStatus, Shift

_calls = count(1)


@dataclass
class TodayWorld:
    operator: User
    colleague: User  # the operator's teammate, away today
    supervisor: User
    manager: User
    finance: User
    analyst: User
    qa: User
    key_client: Client  # the manager's, called today
    overdue_client: Client  # the manager's, overdue
    shift: Shift
    promised: Callback
    last_call: Call
    unlogged: Call
    hand_off_to_manager: HandOff
    hand_off_to_finance: HandOff


def _local(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _call(**fields: object) -> Call:
    ringing = max(timezone.now() - timedelta(minutes=30), _local(0))  # today, even at 00:10
    defaults: dict[str, object] = {
        "call_id": f"today-{next(_calls)}",
        "direction": Direction.INBOUND,
        "status": CallStatus.ENDED,
        "ringing_at": ringing,
        "answered_at": ringing + timedelta(seconds=5),
        "ended_at": ringing + timedelta(minutes=3),
    }
    return Call.objects.create(**{**defaults, **fields})


def _handed_off(client: Client, taken_by: User, to: str, assignee: User, reason: str) -> HandOff:
    order = Order.objects.create(
        client=client, taken_by=taken_by, status=OrderStatus.HANDED_OFF, total=Decimal("125000")
    )
    return HandOff.objects.create(
        order=order, to=to, assignee=assignee, reason=reason, created_by=taken_by
    )


def build_today_world() -> TodayWorld:
    """Every role's day, with usernames the browser tests sign in with."""
    department = Department.objects.create(code="today-sales", name="Продажи сегодня")
    supervisor = UserFactory(
        username="sup", full_name="Супервайзер Ерлан", roles=["supervisor"], department=department
    )
    team = Team.objects.create(name="Команда Сегодня", department=department, supervisor=supervisor)
    operator = UserFactory(
        username="op",
        full_name="Оператор Айгерим",
        roles=["operator"],
        department=department,
        team=team,
        extension="501",
    )
    colleague = UserFactory(
        username="op2",
        full_name="Оператор Дамир",
        roles=["operator"],
        department=department,
        team=team,
    )
    UserFactory(full_name="Оператор Третий", roles=["operator"], department=department, team=team)
    manager = UserFactory(
        username="mgr", full_name="Менеджер Асель", roles=["account_manager"], department=department
    )
    finance = UserFactory(username="fin", full_name="Финансист Болат", roles=["finance"])
    analyst = UserFactory(username="analyst", full_name="Аналитик Жанна", roles=["analyst"])
    qa = UserFactory(username="qa", full_name="Контроль Качества", roles=["qa_specialist"])
    head_of_sales = UserFactory(full_name="РОП", roles=["head_of_sales"])
    Absence.objects.create(
        user=colleague,
        kind=AbsenceKind.choices[0][0],
        starts_at=timezone.now() - timedelta(hours=2),
        ends_at=timezone.now() + timedelta(days=2),
    )

    schedule = Schedule.objects.create(
        name="Эта неделя",
        starts_on=timezone.localdate(),
        days=7,
        status=ScheduleStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    shift = Shift.objects.create(
        schedule=schedule,
        user=operator,
        starts_at=_local(8, 15),
        ends_at=_local(23, 45),
        breaks=[[_local(13).isoformat(), _local(13, 30).isoformat()]],
    )
    sales_services.plan_create(
        actor=head_of_sales,
        department=department,
        period_kind="month",
        day=timezone.localdate(),
        amount=Decimal("9000000.00"),
    )

    key_client = ClientFactory(name="ТОО Ключевой Клиент", manager=manager)
    overdue_client = ClientFactory(
        name="ТОО Должник",
        manager=manager,
        debt=Decimal("800000"),
        overdue_debt=Decimal("450000"),
        overdue_since=timezone.localdate() - timedelta(days=12),
        receivables_as_of=timezone.localdate(),
    )
    promised = Callback.objects.create(
        phone="+77015550077",
        client=key_client,
        reason=CallbackReason.PROMISED,
        assigned_to=operator,
        due_at=_local(10, 30, days=1),
    )
    last_call = _call(
        client=key_client,
        from_number="+77015550077",
        operator=operator,
        outcome=Outcome.INFORMATION_GIVEN,
    )
    unlogged = _call(
        from_number="+77015550088",
        operator=operator,
        outcome="",
        ringing_at=max(timezone.now() - timedelta(minutes=20), _local(0)),
    )
    hand_off_to_manager = _handed_off(
        key_client, operator, HandOffTo.MANAGER, manager, "Превышен кредитный лимит"
    )
    hand_off_to_finance = _handed_off(
        overdue_client, operator, HandOffTo.FINANCE, finance, "Просроченная задолженность"
    )
    return TodayWorld(
        operator=operator,
        colleague=colleague,
        supervisor=supervisor,
        manager=manager,
        finance=finance,
        analyst=analyst,
        qa=qa,
        key_client=key_client,
        overdue_client=overdue_client,
        shift=shift,
        promised=promised,
        last_call=last_call,
        unlogged=unlogged,
        hand_off_to_manager=hand_off_to_manager,
        hand_off_to_finance=hand_off_to_finance,
    )

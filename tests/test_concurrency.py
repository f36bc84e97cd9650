"""Concurrent writes on the real server: row locks keep absences and debts consistent.

SQLite serialises every write anyway, so these run on PostgreSQL (CI's second pass).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from callpulse.core import services as core_services
from callpulse.core.models import Absence
from callpulse.crm import services as crm_services
from callpulse.crm.models import Client
from callpulse.crm.tests.factories import ClientFactory

pytestmark = [
    # serialized_rollback: keep the roles and client types the migrations created
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-lock races need PostgreSQL (DATABASE_URL)"
    ),
]


def run_at_once(jobs: list[Callable[[], object]]) -> list[object]:
    """Start every job at the same instant in its own thread; return results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def worker(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # the test inspects what each job raised
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_supervisors_cannot_book_overlapping_absences_at_once(make_user):
    operator = make_user("operator")
    supervisors = [make_user("supervisor") for _ in range(4)]
    now = timezone.now()

    def book(supervisor):
        return lambda: core_services.absence_create(
            actor=supervisor,
            user=operator,
            kind="vacation",
            starts_at=now,
            ends_at=now + timedelta(days=3),
        )

    results = run_at_once([book(s) for s in supervisors])
    assert sum(isinstance(r, Absence) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 3
    assert Absence.objects.filter(user=operator).count() == 1


def test_parallel_invoices_and_payments_leave_the_debt_exact(make_user):
    finance = make_user("finance")
    client = ClientFactory(credit_limit=Decimal("1000000"))
    today = timezone.localdate()

    def invoice():
        return crm_services.credit_event_record(
            actor=finance,
            client=Client.objects.get(pk=client.pk),
            kind="invoice",
            amount=Decimal("1000.10"),
            occurred_on=today,
            due_on=today,
        )

    def payment():
        return crm_services.credit_event_record(
            actor=finance,
            client=Client.objects.get(pk=client.pk),
            kind="payment",
            amount=Decimal("250.05"),
            occurred_on=today,
        )

    results = run_at_once([invoice] * 8 + [payment] * 4)
    assert not [r for r in results if isinstance(r, Exception)]
    client.refresh_from_db()
    assert client.debt == Decimal("1000.10") * 8 - Decimal("250.05") * 4


def test_parallel_orders_never_push_a_client_past_the_credit_limit(make_user):
    """Eight operators accept 30 000 ₸ orders for one client with a 100 000 ₸ limit at once."""
    from datetime import timedelta as td

    from callpulse.catalog.tests.factories import make_catalog
    from callpulse.crm.tests.factories import client_type
    from callpulse.orders import services as order_services
    from callpulse.orders.models import Order, OrderStatus

    products = make_catalog(retail_price=Decimal("1000.00"))
    client = ClientFactory(client_type=client_type("retail"), credit_limit=Decimal("100000"))
    operators = [make_user("operator") for _ in range(8)]
    day = timezone.localdate() + td(days=1)
    while day.weekday() == 6:
        day += td(days=1)
    drafts = []
    for operator in operators:
        order = order_services.order_start(actor=operator, client=client)
        order_services.order_set_lines(
            actor=operator,
            order=order,
            lines=[order_services.LineInput(product=products[0], quantity=Decimal("30"))],
        )
        for product in products[1:4]:
            order_services.order_offer_record(
                actor=operator, order=order, product=product, source="new", accepted=False
            )
        order_services.order_set_terms(
            actor=operator, order=order, delivery_date=day, receiver="склад", payment_form="cash"
        )
        drafts.append((operator, order))

    results = run_at_once(
        [lambda o=o, d=d: order_services.order_accept(actor=o, order=d) for o, d in drafts]
    )
    accepted = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(accepted) == 3 and len(refused) == 5  # 3 × 30 000 ≤ 100 000 < 4 × 30 000
    client.refresh_from_db()
    assert client.open_orders_total == Decimal("90000.00") <= client.credit_limit
    assert Order.objects.filter(status=OrderStatus.ACCEPTED).count() == 3


def test_receivers_and_appliers_at_once_apply_every_cti_event_exactly_once(make_user, settings):
    """Four threads receive whole calls while two others apply: nothing lost or applied twice."""
    from callpulse.telephony import cti
    from callpulse.telephony.models import AgentStateSpan, AgentStatus, Call, CTIEvent

    settings.CALLPULSE_CTI_APPLY = "worker"  # the two appliers below are the only ones
    operators = [make_user("operator", extension=str(300 + i)) for i in range(4)]
    start = timezone.now() - timedelta(hours=1)

    def receive(i: int) -> int:
        for n in range(15):
            at = start + timedelta(minutes=n, seconds=i)
            for kind, seconds in (("ringing", 0), ("answered", 5), ("ended", 40)):
                cti.cti_event_receive(
                    event=cti.CTIEventInput(
                        event_id=f"{i}-{n}-{kind}",
                        call_id=f"{i}-{n}",
                        type=kind,
                        direction="inbound",
                        at=at + timedelta(seconds=seconds),
                        from_number="+77011234567",
                        extension=operators[i].extension or "",
                    )
                )
        return 45

    def apply() -> int:
        applied = 0
        for _ in range(40):
            applied += cti.cti_events_apply(limit=25)
        return applied

    try:
        results = run_at_once([*(lambda i=i: receive(i) for i in range(4)), apply, apply])
    finally:
        cti.JOURNAL.stop()  # the receivers' group commit thread, and its connection
    assert not [r for r in results if isinstance(r, Exception)], results
    cti.cti_events_apply(limit=1000)  # what arrived after the appliers finished
    assert CTIEvent.objects.count() == 180
    assert not CTIEvent.objects.filter(applied_at__isnull=True).exists()
    assert not CTIEvent.objects.exclude(apply_error="").exists()
    assert Call.objects.filter(status="ended", talk_seconds=35, wait_seconds=5).count() == 60
    for operator in operators:
        assert AgentStatus.objects.get(user=operator).state == "wrap_up"
        spans = AgentStateSpan.objects.filter(user=operator)
        assert spans.count() == 45 and spans.filter(ended_at__isnull=True).count() == 1

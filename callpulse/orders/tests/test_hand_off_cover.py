"""A hand-off reaches a person (issue #14, item 4): whoever covers an absent manager, the same
colleague the client card names; with nobody covering, the manager's department head."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from callpulse.core.models import Department, Notification, NotificationKind
from callpulse.core.tests.factories import AbsenceFactory
from callpulse.crm.selectors import client_card
from callpulse.crm.tests.factories import ClientFactory, client_type
from callpulse.orders import services
from callpulse.orders.permissions import may_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    wholesale = Department.objects.get(code="wholesale")
    wholesale.head = make_user("department_head", full_name="Сидоров")
    wholesale.save()
    manager = make_user("account_manager", full_name="Иванова", department=wholesale)
    client = ClientFactory(
        name="ТОО «Алтын Дала»",
        client_type=client_type("key"),
        manager=manager,
        credit_limit=Decimal("100000"),
    )
    return {
        "operator": make_user("operator"),
        "client": client,
        "manager": manager,
        "head": wholesale.head,
    }


def _hand_off(world):
    order = services.order_start(actor=world["operator"], client=world["client"])
    return order, services.order_hand_off(actor=world["operator"], order=order, to="manager")


def test_a_manager_who_is_in_gets_the_hand_off(world):
    _order, hand_off = _hand_off(world)
    assert hand_off.assignee == world["manager"]
    note = Notification.objects.get(recipient=world["manager"])
    assert note.kind == NotificationKind.HAND_OFF


def test_an_absent_managers_hand_off_goes_to_the_colleague_the_card_names(world, make_user):
    petrov = make_user("account_manager", full_name="Петров")
    AbsenceFactory(user=world["manager"], covered_by=petrov)
    card = client_card(client_id=world["client"].pk, at=timezone.now())
    assert card.presence.absence.covered_by == petrov  # what the operator sees

    order, hand_off = _hand_off(world)

    assert hand_off.assignee == petrov
    note = Notification.objects.get(kind=NotificationKind.HAND_OFF)
    assert note.recipient == petrov
    assert note.body.startswith("Иванова is away (Vacation); you cover.")
    assert may_change(petrov, order)  # and may work the order


def test_with_nobody_covering_the_department_head_gets_it(world):
    AbsenceFactory(user=world["manager"], covered_by=None)
    _order, hand_off = _hand_off(world)
    assert hand_off.assignee == world["head"]
    note = Notification.objects.get(kind=NotificationKind.HAND_OFF)
    assert note.recipient == world["head"] and "nobody covers" in note.body

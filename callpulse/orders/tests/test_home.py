"""Issue #14: orders have a home (the list, the life after acceptance) and the screen guides."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as PageClient
from django.urls import reverse
from django.utils import timezone

from callpulse.catalog.models import TraditionalProduct
from callpulse.catalog.tests.factories import make_catalog
from callpulse.core.models import Department
from callpulse.crm.models import CreditEvent
from callpulse.crm.services import client_receivables_refresh
from callpulse.crm.tests.factories import ClientFactory, client_type
from callpulse.orders import services
from callpulse.orders.models import HandOff, Order, OrderStatus
from callpulse.orders.selectors import OrderScope, offer_candidates, orders_list
from callpulse.orders.tests.test_orders import lines, ready_order

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def products():
    return make_catalog(skus=12)


@pytest.fixture
def operator(make_user):
    return make_user("operator", full_name="Оператор Дана")


@pytest.fixture
def wholesale(make_user):
    department = Department.objects.get(code="wholesale")
    department.head = make_user("department_head", full_name="Сидоров")
    department.save()
    return department


@pytest.fixture
def key_client(make_user, wholesale):
    manager = make_user("account_manager", full_name="Иванова", department=wholesale)
    return ClientFactory(
        name="ТОО «Алтын Дала»",
        client_type=client_type("key"),
        manager=manager,
        credit_limit=D("100000"),
    )


def accepted(operator, client, products, **kwargs) -> Order:
    return services.order_accept(
        actor=operator, order=ready_order(operator, client, products, **kwargs)
    )


def pages(user) -> PageClient:
    http = PageClient()
    http.force_login(user)
    return http


def make_overdue(client) -> None:
    today = timezone.localdate()
    CreditEvent.objects.create(
        client=client,
        kind="invoice",
        amount=D("84500"),
        occurred_on=today - timedelta(days=60),
        due_on=today - timedelta(days=42),
    )
    client_receivables_refresh(client=client)
    client.refresh_from_db()


# --- the life after acceptance ------------------------------------------------------------


def test_picked_shipped_delivered_with_the_details_in_the_history(
    operator, key_client, products, make_user
):
    order = accepted(operator, key_client, products)
    head = make_user("head_of_sales")
    services.order_pick(actor=wholesale_head(key_client), order=order, note="ряд 4")
    services.order_ship(actor=head, order=order, carrier="КТЖ Экспресс", note="ТТН 0042")
    services.order_deliver(actor=operator, order=order, note="принял Нурлан")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.carrier == "КТЖ Экспресс"
    steps = list(order.history.values_list("to_status", "note"))
    assert steps[-3:] == [
        (OrderStatus.PICKED, "ряд 4"),
        (OrderStatus.SHIPPED, "ТТН 0042"),
        (OrderStatus.DELIVERED, "принял Нурлан"),
    ]
    key_client.refresh_from_db()
    assert key_client.open_orders_total == 0 and key_client.debt == order.total


def wholesale_head(client):
    return client.manager.department.head


@pytest.mark.parametrize(
    ("role", "may"),
    [
        ("department_head", True),
        ("head_of_sales", True),
        ("director", True),
        ("operator", False),
        ("finance", False),
        ("account_manager", False),
    ],
)
def test_picking_is_for_the_heads_both_ways(operator, key_client, products, make_user, role, may):
    order = accepted(operator, key_client, products)
    actor = make_user(role)
    if may:
        services.order_pick(actor=actor, order=order)
        assert Order.objects.get(pk=order.pk).status == OrderStatus.PICKED
    else:
        with pytest.raises(PermissionDenied):
            services.order_pick(actor=actor, order=order)
        assert Order.objects.get(pk=order.pk).status == OrderStatus.ACCEPTED


def test_the_steps_keep_their_order(operator, key_client, products, make_user):
    head = make_user("head_of_sales")
    order = accepted(operator, key_client, products)
    with pytest.raises(ValidationError) as error:
        services.order_deliver(actor=head, order=order)
    assert "status" in error.value.message_dict
    services.order_ship(actor=head, order=order)  # picking may be skipped
    with pytest.raises(ValidationError):
        services.order_pick(actor=head, order=order)
    draft = services.order_start(actor=operator, client=key_client)
    with pytest.raises(ValidationError):
        services.order_pick(actor=head, order=draft)


def test_a_too_long_note_is_refused_and_nothing_changes(operator, key_client, products, make_user):
    order = accepted(operator, key_client, products)
    with pytest.raises(ValidationError) as error:
        services.order_ship(actor=make_user("finance"), order=order, note="x" * 256)
    assert "note" in error.value.message_dict
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and not CreditEvent.objects.exists()


def test_a_picked_order_may_be_cancelled_and_gives_the_credit_back(
    operator, key_client, products, make_user
):
    order = accepted(operator, key_client, products)
    services.order_pick(actor=make_user("head_of_sales"), order=order)
    services.order_cancel(actor=operator, order=order, reason="клиент отказался")
    key_client.refresh_from_db()
    assert key_client.open_orders_total == 0


def test_the_record_shows_the_steps_and_only_the_buttons_the_role_may_press(
    operator, key_client, products, make_user
):
    order = accepted(operator, key_client, products)
    url = reverse("orders:screen", kwargs={"order_id": order.pk})
    head = pages(wholesale_head(key_client)).get(url)
    assert head.context["can_pick"] and not head.context["can_ship"]
    assert reverse("orders:pick", kwargs={"order_id": order.pk}) in head.content.decode()
    taker = pages(operator).get(url)
    assert not taker.context["can_pick"] and not taker.context["can_ship"]
    assert reverse("orders:pick", kwargs={"order_id": order.pk}) not in taker.content.decode()
    refused = pages(operator).post(reverse("orders:pick", kwargs={"order_id": order.pk}))
    assert refused.status_code == 400
    assert "does not mark orders picked" in refused.content.decode()


def test_the_api_moves_an_order_along(operator, key_client, products, make_user, api_as):
    order = accepted(operator, key_client, products)
    head = api_as(make_user("head_of_sales"))
    assert head.post(f"/api/v1/orders/{order.pk}/pick/", {}, format="json").status_code == 200
    shipped = head.post(
        f"/api/v1/orders/{order.pk}/ship/", {"carrier": "Сам", "note": "ТТН 7"}, format="json"
    )
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    wrong = head.post(f"/api/v1/orders/{order.pk}/ship/", {}, format="json")
    assert wrong.status_code == 400 and "status" in wrong.json()
    delivered = api_as(operator).post(f"/api/v1/orders/{order.pk}/deliver/", {}, format="json")
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"


# --- the list -----------------------------------------------------------------------------


def test_the_list_never_shows_someone_elses_order(operator, key_client, products, make_user):
    mine = services.order_start(actor=operator, client=key_client)
    other = make_user("operator")
    theirs = services.order_start(
        actor=other, client=ClientFactory(client_type=client_type("retail"))
    )
    listed = pages(operator).get(reverse("orders:list"))
    assert listed.status_code == 200
    assert [o.pk for o in listed.context["page"]] == [mine.pk]
    assert f"order-row-{theirs.pk}" not in listed.content.decode()
    everyone = pages(make_user("head_of_sales")).get(reverse("orders:list"))
    assert {o.pk for o in everyone.context["page"]} == {mine.pk, theirs.pk}


def test_tabs_handed_to_me_and_waiting_for_finance(
    operator, key_client, products, make_user, wholesale
):
    finance = make_user("finance")
    make_overdue(key_client)
    to_manager = ready_order(operator, key_client, products)
    services.order_hand_off(actor=operator, order=to_manager, to="manager")
    to_finance = ready_order(operator, key_client, products, quantities=((1, "1"),))
    services.order_hand_off(actor=operator, order=to_finance, to="finance")
    draft = services.order_start(actor=operator, client=key_client)

    def listed(user, scope):
        return {o.pk for o in orders_list(user=user, scope=scope)}

    assert listed(key_client.manager, OrderScope.HANDED_TO_ME) == {to_manager.pk}
    assert listed(finance, OrderScope.HANDED_TO_ME) == {to_finance.pk}
    assert listed(finance, OrderScope.FINANCE) == {to_finance.pk}
    assert listed(operator, OrderScope.MINE) == {to_manager.pk, to_finance.pk, draft.pk}
    assert listed(wholesale.head, OrderScope.DEPARTMENT) == {to_manager.pk, to_finance.pk, draft.pk}
    other_department = make_user(
        "department_head", department=Department.objects.get(code="retail")
    )
    assert listed(other_department, OrderScope.DEPARTMENT) == set()
    HandOff.objects.update(resolved_at=timezone.now())
    assert listed(finance, OrderScope.FINANCE) == set()


def test_filters_and_search(operator, key_client, products, make_user):
    first = accepted(operator, key_client, products)
    other_client = ClientFactory(name="ИП Береке", client_type=client_type("retail"))
    second = services.order_start(actor=operator, client=other_client)
    Order.objects.filter(pk=second.pk).update(created_at=timezone.now() - timedelta(days=10))
    http = pages(operator)

    def listed(**params):
        response = http.get(reverse("orders:list"), params)
        assert response.status_code == 200, response.content[:300]
        return [o.pk for o in response.context["page"]]

    assert listed(status="accepted") == [first.pk]
    assert listed(q="берек") == [second.pk]
    assert listed(q=first.number) == [first.pk]
    assert listed(client=other_client.pk) == [second.pk]
    today = timezone.localdate()
    assert listed(since=(today - timedelta(days=1)).isoformat()) == [first.pk]
    assert listed(until=(today - timedelta(days=5)).isoformat()) == [second.pk]


def test_a_period_that_ends_before_it_starts_is_a_400_naming_the_field(operator):
    response = pages(operator).get(
        reverse("orders:list"), {"since": "2026-03-10", "until": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "before its start" in " ".join(response.context["form"].errors["until"])
    bad = pages(operator).get(reverse("orders:list"), {"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.context["form"].errors


def test_the_list_is_paginated(operator, key_client):
    for _ in range(30):
        services.order_start(actor=operator, client=key_client)
    http = pages(operator)
    first = http.get(reverse("orders:list"))
    assert len(first.context["page"]) == 25 and first.context["page"].has_next()
    second = http.get(reverse("orders:list"), {"page": "2"})
    assert len(second.context["page"]) == 5


def test_the_menu_has_orders_for_those_who_take_or_read_them(make_user):
    for role, shown in [("operator", True), ("finance", True), ("qa_specialist", False)]:
        html = pages(make_user(role)).get(reverse("home")).content.decode()
        assert (f'href="{reverse("orders:list")}"' in html) == shown, role


# --- the order screen guides (item 8) ---------------------------------------------------------


def test_a_stopped_order_is_refused_for_credit_alone_not_for_offers_or_terms(
    operator, key_client, products
):
    make_overdue(key_client)
    order = services.order_start(actor=operator, client=key_client)
    services.order_set_lines(actor=operator, order=order, lines=lines(products, (0, "1")))
    with pytest.raises(ValidationError) as error:
        services.order_accept(actor=operator, order=order)
    assert set(error.value.message_dict) == {"credit"}
    hand_off = services.order_hand_off(actor=operator, order=order, to="manager")
    assert hand_off.assignee == key_client.manager


def test_a_stopped_draft_leads_with_the_hand_off(operator, key_client, products):
    make_overdue(key_client)
    order = services.order_start(actor=operator, client=key_client)
    response = pages(operator).get(reverse("orders:screen", kwargs={"order_id": order.pk}))
    html = response.content.decode()
    assert response.context["stopped"]
    assert 'value="manager" class="primary big"' in html
    assert "Accept the order" not in html  # an operator cannot accept it: nothing to click
    assert "not needed to hand the order over" in html


def test_candidates_take_turns_across_the_four_sources(operator, key_client, products):
    today = timezone.localdate()
    for product in products[1:7]:  # six new products would fill the list alone
        product.new_since = today - timedelta(days=2)
        product.save()
    products[7].promoted_from, products[7].promoted_to = today, today + timedelta(days=5)
    products[7].save()
    TraditionalProduct.objects.create(client_type=key_client.client_type, product=products[8])
    past = ready_order(operator, key_client, products, quantities=((0, "1"), (9, "1")))
    services.order_accept(actor=operator, order=past)
    order = services.order_start(actor=operator, client=key_client)
    services.order_set_lines(actor=operator, order=order, lines=lines(products, (0, "1")))
    candidates = offer_candidates(order, limit=4)
    assert {c.source for c in candidates} == {"new", "promoted", "traditional", "bought_together"}
    assert {c.product.sku for c in candidates} == {"P2", "P8", "P9", "P10"}


def test_candidates_show_the_clients_price_before_the_first_line(operator, key_client, products):
    products[1].new_since = timezone.localdate()
    products[1].save()
    order = services.order_start(actor=operator, client=key_client)
    assert order.price_column is None
    (candidate,) = offer_candidates(order)
    assert candidate.product.sku == "P2" and candidate.unit_price == D("850.00")  # "key" column


def test_the_search_placeholder_names_a_real_sku(operator, key_client, products):
    order = services.order_start(actor=operator, client=key_client)
    html = pages(operator).get(reverse("orders:screen", kwargs={"order_id": order.pk}))
    assert 'placeholder="P1 or a name"' in html.content.decode()


def test_an_order_taken_during_the_call_presets_the_wrap_up(operator, key_client, products):
    from callpulse.telephony.models import Call

    call = Call.objects.create(
        call_id="wrap-1",
        client=key_client,
        operator=operator,
        status="ended",
        ringing_at=timezone.now() - timedelta(minutes=5),
        answered_at=timezone.now() - timedelta(minutes=4),
        ended_at=timezone.now(),
    )
    order = ready_order(operator, key_client, products)
    Order.objects.filter(pk=order.pk).update(call=call)
    panel = pages(operator).get(reverse("telephony:panel"))
    assert '<option value="order_taken" selected>' not in panel.content.decode()
    services.order_accept(actor=operator, order=order)
    panel = pages(operator).get(reverse("telephony:panel"))
    assert '<option value="order_taken" selected>' in panel.content.decode()


def test_accepting_during_a_call_tells_the_operators_desk(
    operator, key_client, products, django_capture_on_commit_callbacks
):
    from callpulse.core.events import get_bus, user_channel
    from callpulse.telephony.models import Call

    call = Call.objects.create(call_id="wrap-2", client=key_client, operator=operator)
    order = ready_order(operator, key_client, products)
    Order.objects.filter(pk=order.pk).update(call=call)
    desk = get_bus().subscribe([user_channel(operator.pk)])
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.order_accept(actor=operator, order=order)
        event = desk.get(timeout=1)
    finally:
        desk.close()
    assert event == {"type": "order_accepted", "call": call.pk, "order": order.pk}

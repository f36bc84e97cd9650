"""Order taking: pricing and its order, the credit check, offers, terms, acceptance, hand-off."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from callpulse.catalog.models import (
    ClientPriceAgreement,
    DiscountRule,
    NonWorkingDay,
    PriceColumn,
    TraditionalProduct,
)
from callpulse.catalog.pricing import price_order
from callpulse.catalog.tests.factories import make_catalog
from callpulse.core.models import AuditEntry, Department, Notification
from callpulse.crm.models import CreditEvent
from callpulse.crm.services import client_receivables_refresh
from callpulse.crm.tests.factories import ClientFactory, client_type
from callpulse.orders import services
from callpulse.orders.models import HandOff, Order, OrderStatus
from callpulse.orders.selectors import credit_verdict, offer_candidates, offer_stats

pytestmark = pytest.mark.django_db
D = Decimal


def next_working_day() -> date:
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return day


@pytest.fixture
def products():
    return make_catalog()


@pytest.fixture
def operator(make_user):
    return make_user("operator", email="op@example.kz")


@pytest.fixture
def key_client(make_user):
    wholesale = Department.objects.get(code="wholesale")
    wholesale.head = make_user("department_head", full_name="Сидоров", email="head@example.kz")
    wholesale.save()
    manager = make_user(
        "account_manager", full_name="Иванова", department=wholesale, email="iv@example.kz"
    )
    return ClientFactory(
        name="ТОО «Алтын Дала»",
        client_type=client_type("key"),
        manager=manager,
        credit_limit=D("100000"),
    )


def lines(products, *pairs):
    return [services.LineInput(product=products[i], quantity=D(q)) for i, q in pairs]


def ready_order(operator, client, products, *, quantities=((0, "10"),), offers=3):
    order = services.order_start(actor=operator, client=client)
    services.order_set_lines(actor=operator, order=order, lines=lines(products, *quantities))
    in_lines = {i for i, _ in quantities}
    spare = [p for i, p in enumerate(products) if i not in in_lines]
    for product in spare[-offers:] if offers else []:
        services.order_offer_record(
            actor=operator, order=order, product=product, source="new", accepted=False
        )
    services.order_set_terms(
        actor=operator,
        order=order,
        delivery_date=next_working_day(),
        receiver="Нурлан, кладовщик",
        payment_form="bank_transfer",
        documents=["invoice", "waybill"],
    )
    return Order.objects.get(pk=order.pk)


# --- pricing ----------------------------------------------------------------------------


def test_the_client_type_picks_the_column_and_the_line_explains_it(key_client, products):
    priced = price_order(client=key_client, lines=[(products[0], D("2"))], on=timezone.localdate())
    line = priced.lines[0]
    assert priced.column.code == "key" and line.unit_price == D("850.00")
    assert line.explanation_text == ["Key client → column “Key”"]
    assert priced.total == D("1700.00")


def test_an_individual_agreement_wins_over_the_type(key_client, products):
    ClientPriceAgreement.objects.create(
        client=key_client,
        column=PriceColumn.objects.get(code="wholesale"),
        valid_from=date(2026, 1, 1),
    )
    priced = price_order(client=key_client, lines=[(products[0], D("1"))], on=timezone.localdate())
    assert priced.column.code == "wholesale"
    assert priced.lines[0].explanation_text[0].startswith("individual agreement")


def test_a_big_order_reaches_a_volume_column(products):
    retail_client = ClientFactory(client_type=client_type("retail"))
    PriceColumn.objects.filter(code="wholesale").update(min_order_total=D("50000"))
    small = price_order(
        client=retail_client, lines=[(products[0], D("10"))], on=timezone.localdate()
    )
    big = price_order(client=retail_client, lines=[(products[0], D("60"))], on=timezone.localdate())
    assert small.column.code == "retail" and big.column.code == "wholesale"
    assert big.lines[0].explanation_text[0].startswith("order of 60000")


def test_discounts_apply_in_their_stated_order_and_are_explained(key_client, products):
    today = timezone.localdate()
    autumn = DiscountRule.objects.create(
        name="Autumn", kind="promotion", percent=D("5"), position=10, valid_from=today
    )
    autumn.products.add(products[0])
    bulk = DiscountRule.objects.create(
        name="Bulk", kind="line_volume", percent=D("10"), position=20, threshold=D("10")
    )
    priced = price_order(
        client=key_client, lines=[(products[0], D("10")), (products[1], D("2"))], on=today
    )
    first, second = priced.lines
    # 850 × 0.95 × 0.90 = 726.75
    assert first.unit_price == D("726.75") and first.line_total == D("7267.50")
    assert first.explanation_text == [
        "Key client → column “Key”",
        "promotion “Autumn” −5%",
        "quantity threshold “Bulk” −10%",
    ]
    assert second.unit_price == D("850.00") and len(second.explanation) == 1
    bulk.position = 1
    bulk.save()
    reordered = price_order(client=key_client, lines=[(products[0], D("10"))], on=today)
    assert reordered.lines[0].explanation_text[1].startswith("quantity threshold")


def test_a_missing_price_is_a_field_error(key_client, products):
    from callpulse.catalog.models import Product

    orphan = Product.objects.create(sku="NOPRICE", name="Без цены")
    with pytest.raises(ValidationError) as error:
        price_order(client=key_client, lines=[(orphan, D("1"))], on=timezone.localdate())
    assert "NOPRICE" in error.value.message_dict["lines"][0]


# --- credit -----------------------------------------------------------------------------


def overdue(client, amount="84500"):
    today = timezone.localdate()
    CreditEvent.objects.create(
        client=client,
        kind="invoice",
        amount=D(amount),
        occurred_on=today - timedelta(days=60),
        due_on=today - timedelta(days=42),
    )
    client_receivables_refresh(client=client)


def test_an_order_within_the_limit_is_accepted_numbered_and_notified(
    operator, key_client, products
):
    order = ready_order(operator, key_client, products)
    accepted = services.order_accept(actor=operator, order=order)
    assert accepted.status == OrderStatus.ACCEPTED and accepted.number
    key_client.refresh_from_db()
    assert key_client.open_orders_total == D("8500.00") and key_client.last_order_at is not None
    recipients = set(Notification.objects.values_list("recipient__full_name", flat=True))
    assert recipients == {"Сидоров", "Иванова"}
    assert [h.to_status for h in accepted.history.all()] == ["draft", "accepted"]


def test_notifications_go_by_email_after_commit(
    operator, key_client, products, django_capture_on_commit_callbacks
):
    order = ready_order(operator, key_client, products)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_accept(actor=operator, order=order)
    assert sorted(m.to[0] for m in mail.outbox) == ["head@example.kz", "iv@example.kz"]


def test_overdue_debt_stops_the_order_and_says_why(operator, key_client, products):
    overdue(key_client)
    order = ready_order(operator, key_client, products)
    with pytest.raises(ValidationError) as error:
        services.order_accept(actor=operator, order=order)
    message = error.value.message_dict["credit"][0]
    assert message.startswith("Not accepted: overdue 84\u00a0500\u00a0₸ since")
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT and order.number is None


def test_exceeding_the_limit_with_open_orders_is_refused(operator, key_client, products):
    first = ready_order(operator, key_client, products, quantities=((0, "100"),))  # 85 000
    services.order_accept(actor=operator, order=first)
    second = ready_order(operator, key_client, products, quantities=((1, "20"),))  # 17 000
    key_client.refresh_from_db()
    verdict = credit_verdict(key_client, second.total)
    assert not verdict.ok and verdict.code == "over_limit"
    with pytest.raises(ValidationError) as error:
        services.order_accept(actor=operator, order=second)
    assert "exceed the limit" in error.value.message_dict["credit"][0]


def test_one_click_hands_the_draft_to_the_manager_or_finance(
    operator, key_client, products, make_user
):
    overdue(key_client)
    finance = make_user("finance", full_name="Финансы")
    order = ready_order(operator, key_client, products)
    hand_off = services.order_hand_off(actor=operator, order=order, to="manager")
    assert hand_off.assignee == key_client.manager and "overdue" in hand_off.reason
    order.refresh_from_db()
    assert order.status == OrderStatus.HANDED_OFF
    assert Notification.objects.filter(
        recipient=key_client.manager, title__startswith="Order handed"
    ).exists()
    other = ready_order(operator, key_client, products, quantities=((1, "1"),))
    assert services.order_hand_off(actor=operator, order=other, to="finance").assignee == finance


def test_an_override_needs_the_role_and_a_reason_and_is_logged(
    operator, key_client, products, make_user
):
    overdue(key_client)
    order = ready_order(operator, key_client, products)
    with pytest.raises(PermissionDenied):
        services.order_accept(actor=operator, order=order, override_reason="старый клиент")
    head = make_user("head_of_sales")
    accepted = services.order_accept(
        actor=head, order=order, override_reason="оплата обещана до пятницы"
    )
    assert accepted.status == OrderStatus.ACCEPTED and accepted.credit_override_by == head
    entry = AuditEntry.objects.get(action="order.credit_override")
    assert entry.changes["reason"] == "оплата обещана до пятницы"


# --- offers -----------------------------------------------------------------------------


def test_an_order_cannot_be_completed_before_three_offers(operator, key_client, products):
    order = ready_order(operator, key_client, products, offers=2)
    with pytest.raises(ValidationError) as error:
        services.order_accept(actor=operator, order=order)
    assert "at least 3" in error.value.message_dict["offers"][0]


def test_the_offer_count_is_configurable(operator, key_client, products, settings):
    settings.CALLPULSE_MIN_OFFERS = 4
    order = ready_order(operator, key_client, products, offers=3)
    with pytest.raises(ValidationError):
        services.order_accept(actor=operator, order=order)


def test_an_accepted_offer_joins_the_order_with_its_added_revenue(operator, key_client, products):
    order = services.order_start(actor=operator, client=key_client)
    services.order_set_lines(actor=operator, order=order, lines=lines(products, (0, "1")))
    offer = services.order_offer_record(
        actor=operator,
        order=order,
        product=products[1],
        source="promoted",
        accepted=True,
        quantity=D("2"),
    )
    assert offer.added_revenue == D("1700.00")
    order.refresh_from_db()
    assert order.total == D("2550.00")
    assert order.lines.get(product=products[1]).from_offer
    with pytest.raises(ValidationError):
        services.order_offer_record(
            actor=operator, order=order, product=products[1], source="new", accepted=False
        )
    stats_order = ready_order(operator, key_client, products)
    services.order_accept(actor=operator, order=stats_order)
    stats = offer_stats(since=timezone.localdate(), until=timezone.localdate())
    assert stats.orders == 1 and stats.offers == 3 and stats.acceptance_rate == 0.0


def test_candidates_cover_new_promoted_traditional_and_bought_together(
    operator, key_client, products
):
    today = timezone.localdate()
    products[1].new_since = today - timedelta(days=5)
    products[1].save()
    products[2].promoted_from, products[2].promoted_to = today, today + timedelta(days=10)
    products[2].save()
    TraditionalProduct.objects.create(client_type=key_client.client_type, product=products[3])
    past = ready_order(operator, key_client, products, quantities=((0, "1"), (4, "1")))
    services.order_accept(actor=operator, order=past)
    order = services.order_start(actor=operator, client=key_client)
    services.order_set_lines(actor=operator, order=order, lines=lines(products, (0, "1")))
    sources = {c.product.sku: c.source for c in offer_candidates(order)}
    assert sources["P2"] == "new" and sources["P3"] == "promoted" and sources["P4"] == "traditional"
    assert sources["P5"] == "bought_together"
    assert "P1" not in sources


def test_candidates_favour_what_the_credit_allows(operator, products):
    tight = ClientFactory(client_type=client_type("retail"), credit_limit=D("1500"))
    products[1].new_since = timezone.localdate()
    products[1].pack_size = D("10")  # 10 × 1000 does not fit
    products[1].save()
    products[2].new_since = timezone.localdate()
    products[2].save()
    order = services.order_start(actor=operator, client=tight)
    services.order_set_lines(actor=operator, order=order, lines=lines(products, (0, "0.5")))
    candidates = offer_candidates(order)
    assert candidates[0].product.sku == "P3" and candidates[0].fits_credit
    assert not next(c for c in candidates if c.product.sku == "P2").fits_credit


# --- terms ------------------------------------------------------------------------------


def test_missing_terms_are_field_errors_at_acceptance(operator, key_client, products):
    order = services.order_start(actor=operator, client=key_client)
    services.order_set_lines(actor=operator, order=order, lines=lines(products, (0, "1")))
    for product in products[-3:]:
        services.order_offer_record(
            actor=operator, order=order, product=product, source="new", accepted=False
        )
    with pytest.raises(ValidationError) as error:
        services.order_accept(actor=operator, order=order)
    assert {"delivery_date", "receiver", "payment_form"} <= set(error.value.message_dict)


def test_the_delivery_date_is_not_past_nor_a_warehouse_day_off(operator, key_client, products):
    order = services.order_start(actor=operator, client=key_client)
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.order_set_terms(actor=operator, order=order, delivery_date=yesterday)
    assert "past" in error.value.message_dict["delivery_date"][0]
    holiday = next_working_day()
    NonWorkingDay.objects.create(day=holiday, note="инвентаризация")
    with pytest.raises(ValidationError) as error:
        services.order_set_terms(actor=operator, order=order, delivery_date=holiday)
    assert "инвентаризация" in error.value.message_dict["delivery_date"][0]
    sunday = timezone.localdate() + timedelta(days=(6 - timezone.localdate().weekday()) % 7 or 7)
    with pytest.raises(ValidationError):
        services.order_set_terms(actor=operator, order=order, delivery_date=sunday)


def test_a_regional_client_agrees_arrival_or_shipping(operator, products):
    regional = ClientFactory(client_type=client_type("regional"), credit_limit=D("100000"))
    order = ready_order(operator, regional, products)
    services.order_set_terms(actor=operator, order=order, delivery_date=None)
    with pytest.raises(ValidationError) as error:
        services.order_accept(actor=operator, order=order)
    assert {"arrival_date", "carrier", "shipping_address"} <= set(error.value.message_dict)
    services.order_set_terms(
        actor=operator, order=order, carrier="КазПочта", shipping_address="Актобе, ул. Абая 1"
    )
    assert services.order_accept(actor=operator, order=order).status == OrderStatus.ACCEPTED


# --- lifecycle --------------------------------------------------------------------------


def test_cancel_gives_the_credit_back_and_shipping_moves_it_to_debt(
    operator, key_client, products, make_user
):
    order = services.order_accept(actor=operator, order=ready_order(operator, key_client, products))
    services.order_cancel(actor=operator, order=order, reason="клиент передумал")
    key_client.refresh_from_db()
    assert key_client.open_orders_total == 0
    shipped = services.order_accept(
        actor=operator, order=ready_order(operator, key_client, products)
    )
    with pytest.raises(PermissionDenied):
        services.order_ship(actor=operator, order=shipped)
    services.order_ship(actor=make_user("head_of_sales"), order=shipped)
    key_client.refresh_from_db()
    assert key_client.open_orders_total == 0 and key_client.debt == D("8500.00")
    assert CreditEvent.objects.get(client=key_client).document == shipped.number


def test_an_accepted_order_is_no_longer_editable(operator, key_client, products):
    order = services.order_accept(actor=operator, order=ready_order(operator, key_client, products))
    with pytest.raises(ValidationError) as error:
        services.order_set_lines(actor=operator, order=order, lines=lines(products, (1, "1")))
    assert "status" in error.value.message_dict


def test_roles_that_do_not_take_orders_are_refused(key_client, make_user):
    with pytest.raises(PermissionDenied):
        services.order_start(actor=make_user("finance"), client=key_client)
    assert not HandOff.objects.exists()


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "1.0001", "1e12", "abc"])
def test_quantities_that_are_not_quantities_are_refused(typed):
    with pytest.raises(ValidationError) as error:
        services.parse_quantity(typed)
    assert "quantity" in error.value.message_dict


def test_finance_may_accept_a_handed_off_order_with_an_override(
    operator, key_client, products, make_user
):
    overdue(key_client)
    order = ready_order(operator, key_client, products)
    services.order_hand_off(actor=operator, order=order, to="finance")
    finance = make_user("finance")
    accepted = services.order_accept(
        actor=finance, order=order, override_reason="гарантийное письмо"
    )
    assert accepted.status == OrderStatus.ACCEPTED


def test_an_order_cannot_borrow_another_clients_call(operator, key_client):
    with pytest.raises(ValidationError) as error:
        services.order_start(actor=operator, client=key_client, call_id=999999)
    assert "call" in error.value.message_dict

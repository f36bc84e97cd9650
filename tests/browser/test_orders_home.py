"""Orders have a home, and the order screen guides (issue #14, items 3 and 8), in chromium.

The list with its tabs, filters and search; the steps after acceptance with the buttons each role
may press; the client's history on the card; a stopped order that leads with the hand-off; offer
candidates priced and mixed from the start; the desk's wrap-up pre-set once an order is accepted.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from callpulse.catalog.models import Product, TraditionalProduct
from callpulse.catalog.tests.factories import make_catalog
from callpulse.core.models import Department
from callpulse.crm.models import CreditEvent
from callpulse.crm.services import client_receivables_refresh
from callpulse.crm.tests.factories import ClientFactory, client_type
from callpulse.orders import services
from callpulse.orders.models import Order, OrderStatus
from callpulse.telephony.models import Call, ClientRemark

pytestmark = pytest.mark.browser

NBSP = "\u00a0"
LIST_SCREENSHOT = "/tmp/callpulse-orders-list.png"
RECORD_SCREENSHOT = "/tmp/callpulse-order-fulfilment.png"
HISTORY_SCREENSHOT = "/tmp/callpulse-client-history.png"
STOPPED_SCREENSHOT = "/tmp/callpulse-order-stopped.png"


def money(text: str) -> str:
    return text.replace(" ", NBSP)


def delivery_day():
    today = timezone.localdate()
    day = today + timedelta(days=1)
    while services.delivery_date_problem(day, today=today):
        day += timedelta(days=1)
    return day


@pytest.fixture
def people(make_user):
    wholesale = Department.objects.get(code="wholesale")
    wholesale.head = make_user("department_head", username="head.wholesale", full_name="Сидоров")
    wholesale.save()
    return {
        "operator": make_user(
            "operator", username="op", full_name="Оператор Дана", extension="101"
        ),
        "manager": make_user(
            "account_manager", username="mgr", full_name="Иванова Айгерим", department=wholesale
        ),
        "head": make_user("head_of_sales", username="head.sales", full_name="Руководитель"),
        "department_head": wholesale.head,
    }


@pytest.fixture
def key_client(people):
    return ClientFactory(
        name="ТОО «Алтын Дала»",
        client_type=client_type("key"),
        manager=people["manager"],
        credit_limit=Decimal("100000"),
    )


@pytest.fixture
def products():
    return make_catalog(skus=12)


def ready(operator, client, products, *, call=None) -> Order:
    """A draft with a line, three offers and the terms: one click from accepted."""
    order = services.order_start(
        actor=operator, client=client, call_id=call.pk if call is not None else None
    )
    services.order_set_lines(
        actor=operator,
        order=order,
        lines=[services.LineInput(product=products[0], quantity=Decimal(10))],
    )
    for product in products[-3:]:
        services.order_offer_record(
            actor=operator, order=order, product=product, source="new", accepted=False
        )
    services.order_set_terms(
        actor=operator,
        order=order,
        delivery_date=delivery_day(),
        receiver="Нурлан, кладовщик",
        payment_form="bank_transfer",
    )
    return order


def make_overdue(client) -> None:
    today = timezone.localdate()
    CreditEvent.objects.create(
        client=client,
        kind="invoice",
        amount=Decimal("84500"),
        occurred_on=today - timedelta(days=60),
        due_on=today - timedelta(days=42),
    )
    client_receivables_refresh(client=client)


# --- item 3: the list ---------------------------------------------------------------------


def test_the_orders_list_with_tabs_filters_and_search(
    page: Page, sign_in, people, key_client, products
):
    operator = people["operator"]
    accepted = services.order_accept(actor=operator, order=ready(operator, key_client, products))
    other_client = ClientFactory(name="ИП Береке", client_type=client_type("retail"))
    draft = services.order_start(actor=operator, client=other_client)
    colleague = services.order_start(
        actor=people["manager"], client=ClientFactory(name="ТОО Чужой")
    )

    sign_in("op")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").click()
    expect(page.get_by_role("heading", name="Orders", level=1)).to_be_visible()
    rows = page.get_by_test_id("orders").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id(f"order-row-{accepted.pk}")).to_contain_text(accepted.number)
    expect(page.get_by_test_id(f"order-row-{colleague.pk}")).to_have_count(0)  # not mine

    page.get_by_label("Status").select_option(label="Accepted")  # submits by itself
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ТОО «Алтын Дала»")
    expect(rows.first).to_contain_text(money("8 500 ₸"))

    page.get_by_label("Status").select_option(label="Any status")
    page.get_by_label("Number or client").fill("берек")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(page.get_by_test_id(f"order-row-{draft.pk}")).to_contain_text(f"Draft {draft.pk}")

    today = timezone.localdate()
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_label("To").fill((today - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("err-until")).to_have_text(
        "The end of the period is before its start."
    )
    expect(page.get_by_label("Number or client")).to_have_value("берек")  # kept as typed

    page.get_by_role("link", name="Clear").click()
    page.get_by_role("link", name="Mine").click()
    expect(rows).to_have_count(2)
    page.screenshot(path=LIST_SCREENSHOT, full_page=True)
    page.get_by_role("link", name="Handed to me").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("No orders match.")


# --- item 3: the steps after acceptance ----------------------------------------------------


def test_picked_shipped_delivered_by_the_roles_that_may(
    page: Page, sign_in, people, key_client, products
):
    operator = people["operator"]
    order = services.order_accept(actor=operator, order=ready(operator, key_client, products))

    sign_in("head.wholesale")
    page.goto(f"/orders/{order.pk}/")
    fulfilment = page.get_by_test_id("fulfilment")
    expect(fulfilment.get_by_test_id("step-accepted")).to_contain_text("Оператор Дана")
    expect(fulfilment.get_by_role("button", name="Mark shipped")).to_have_count(0)
    fulfilment.get_by_label("Note for picking (optional)").fill("ряд 4, паллет 2")
    fulfilment.get_by_role("button", name="Mark picked").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Picked")
    expect(fulfilment.get_by_test_id("step-picked")).to_contain_text("ряд 4, паллет 2")
    expect(fulfilment.get_by_role("button", name="Mark picked")).to_have_count(0)

    page.context.clear_cookies()
    sign_in("head.sales")
    page.goto(f"/orders/{order.pk}/")
    fulfilment.get_by_label("Carrier").fill("КТЖ Экспресс")
    fulfilment.get_by_label("Waybill or note (optional)").fill("ТТН 0042")
    fulfilment.get_by_role("button", name="Mark shipped").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    expect(page.get_by_role("listitem").filter(has_text="Marked as shipped")).to_be_visible()
    expect(fulfilment.get_by_test_id("step-shipped")).to_contain_text("ТТН 0042")
    expect(page.get_by_text("КТЖ Экспресс")).to_be_visible()  # the shipping details

    page.context.clear_cookies()
    sign_in("op")  # the operator hears it from the client
    page.goto(f"/orders/{order.pk}/")
    expect(fulfilment.get_by_role("button", name="Mark shipped")).to_have_count(0)
    fulfilment.get_by_label("Received by, remarks (optional)").fill("принял Нурлан")
    fulfilment.get_by_role("button", name="Mark delivered").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Delivered")
    for step in ("accepted", "picked", "shipped", "delivered"):
        expect(fulfilment.get_by_test_id(f"step-{step}")).to_have_class("done")
    page.screenshot(path=RECORD_SCREENSHOT, full_page=True)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED


# --- item 3: the client's history ----------------------------------------------------------


def test_the_client_card_shows_its_history_newest_first(
    page: Page, sign_in, people, key_client, products
):
    now = timezone.now()
    operator = people["operator"]
    Call.objects.create(
        call_id="hist-1",
        client=key_client,
        operator=operator,
        status="ended",
        outcome="information_given",
        ringing_at=now - timedelta(hours=3),
        recording_url="https://pbx.example.kz/rec/hist-1.mp3",
    )
    order = services.order_start(actor=operator, client=key_client)
    Order.objects.filter(pk=order.pk).update(created_at=now - timedelta(hours=2))
    ClientRemark.objects.create(
        client=key_client,
        department=Department.objects.get(code="wholesale"),
        text="Просят доставку до 10 утра",
        created_by=operator,
    )
    for n in range(25):
        Call.objects.create(
            call_id=f"old-{n}", client=key_client, ringing_at=now - timedelta(days=3, minutes=n)
        )

    sign_in("op")
    page.goto(f"/clients/{key_client.pk}/")
    history = page.get_by_test_id("client-history")
    rows = history.locator("tbody tr")
    expect(rows).to_have_count(20)
    expect(rows.nth(0)).to_contain_text("Remark to Wholesale")
    expect(rows.nth(1)).to_contain_text(f"Draft {order.pk}")
    expect(rows.nth(2)).to_contain_text("Information given")
    recording = history.get_by_role("link", name="Recording")
    expect(recording).to_have_attribute("href", "https://pbx.example.kz/rec/hist-1.mp3")
    page.screenshot(path=HISTORY_SCREENSHOT, full_page=True)
    history.get_by_role("link", name="Show more").click()
    expect(rows).to_have_count(28)
    expect(history.get_by_role("link", name="Show more")).to_have_count(0)
    history.get_by_role("link", name="All orders of this client").click()
    expect(page.get_by_test_id("client-filter")).to_contain_text("ТОО «Алтын Дала»")
    expect(page.get_by_test_id("orders").locator("tbody tr")).to_have_count(1)


# --- item 8: the order screen guides -------------------------------------------------------


def test_a_stopped_order_leads_with_the_hand_off_and_demands_no_offers_or_terms(
    page: Page, sign_in, people, key_client, products
):
    make_overdue(key_client)
    order = services.order_start(actor=people["operator"], client=key_client)
    sign_in("op")
    page.goto(f"/orders/{order.pk}/")
    search = page.get_by_label("Add a product: SKU or name")
    expect(search).to_have_attribute("placeholder", "P1 or a name")
    search.press_sequentially("P1", delay=30)
    expect(page.locator("#product-results [role=option]").first).to_contain_text("P1")
    search.press("Enter")
    expect(page.get_by_test_id("line-P1")).to_be_visible()

    actions = page.get_by_test_id("actions")
    expect(actions.get_by_role("heading")).to_have_text("Hand it over")
    hand_to_manager = actions.get_by_role("button", name="Hand to manager")
    expect(hand_to_manager).to_have_class("primary big")
    expect(actions.get_by_role("button", name="Accept the order")).to_have_count(0)
    expect(page.get_by_test_id("offer-count")).to_have_text(
        "Offers made: 0 (not needed to hand the order over)"
    )
    page.screenshot(path=STOPPED_SCREENSHOT, full_page=True)

    hand_to_manager.click()  # no offers, no terms
    expect(page.get_by_test_id("order-status")).to_have_text("Handed off")
    expect(page.get_by_test_id("handed-off")).to_contain_text("Иванова Айгерим")


def test_candidates_are_priced_from_the_start_and_mixed_and_the_product_gets_the_room(
    page: Page, sign_in, people, key_client, products
):
    today = timezone.localdate()
    Product.objects.filter(sku__in=["P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"]).update(
        new_since=today - timedelta(days=2)
    )
    Product.objects.filter(sku="P10").update(
        promoted_from=today, promoted_to=today + timedelta(days=7)
    )
    TraditionalProduct.objects.create(
        client_type=key_client.client_type, product=Product.objects.get(sku="P11")
    )
    order = services.order_start(actor=people["operator"], client=key_client)

    sign_in("op")
    page.goto(f"/orders/{order.pk}/")
    offers = page.get_by_test_id("offers")
    # before any line: the key client's column prices (850), not a dash
    expect(offers.get_by_test_id("candidate-P2").locator(".price")).to_have_text(money("850 ₸"))
    expect(offers.get_by_test_id("candidate-P10")).to_contain_text("Promoted")
    expect(offers.get_by_test_id("candidate-P11")).to_contain_text("Traditional")
    expect(offers.locator(".candidate .tag.source-new")).not_to_have_count(8)

    search = page.get_by_label("Add a product: SKU or name")
    search.press_sequentially("P1", delay=30)
    expect(page.locator("#product-results [role=option]").first).to_contain_text("P1")
    search.press("Enter")
    line = page.get_by_test_id("line-P1")
    expect(line).to_be_visible()
    table_width = page.locator(".order-main .lines-table").evaluate("e => e.clientWidth")
    product_width = line.locator("td").nth(1).evaluate("e => e.clientWidth")
    assert product_width > table_width * 0.45, (product_width, table_width)


def test_an_order_accepted_during_the_call_presets_the_wrap_up_and_refreshes_the_credit(
    page: Page, sign_in, people, key_client, products
):
    operator = people["operator"]
    now = timezone.now()
    call = Call.objects.create(  # hung up, in wrap-up: the outcome form is on the desk
        call_id="wrap-browser",
        client=key_client,
        operator=operator,
        status="ended",
        from_number="+77011234567",
        ringing_at=now - timedelta(minutes=4),
        answered_at=now - timedelta(minutes=3),
        ended_at=now - timedelta(seconds=30),
    )
    sign_in("op")
    page.goto("/desk/")
    expect(page.locator("#desk")).to_have_attribute("data-live", "1")
    outcome = page.get_by_label("Outcome")
    expect(outcome).to_have_value("")
    expect(page.get_by_test_id("open-orders")).to_have_text(money("0 ₸"))
    page.get_by_label("Notes").fill("Клиент просил доставку утром")

    order = ready(operator, key_client, products, call=call)
    screen = page.context.new_page()
    screen.goto(f"/orders/{order.pk}/")
    screen.get_by_role("button", name="Accept the order").click()
    expect(screen.get_by_test_id("order-status")).to_have_text("Accepted")

    expect(outcome).to_have_value("order_taken")
    expect(page.get_by_test_id("open-orders")).to_have_text(money("8 500 ₸"))
    expect(page.get_by_test_id("credit-available")).to_have_text(money("91 500 ₸"))
    expect(page.get_by_label("Notes")).to_have_value("Клиент просил доставку утром")  # kept

"""Taking an order by phone in a real browser, end to end, with the keyboard.

The operator is on a call with a key client: "Take an order" on the desk opens the order screen
in a new tab (the desk stays live). A SKU + Enter adds a line, typing a quantity re-prices the
order without a reload, three offers are answered, the terms are filled, the order is accepted
and gets its number.

Each step waits for the answer of the previous one, as a person would: the suite's in-memory
SQLite is one connection shared by the live server's threads (see test_desk.py).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from callpulse.catalog.models import Product, TraditionalProduct
from callpulse.catalog.tests.factories import make_catalog
from callpulse.crm.tests.factories import ClientFactory, ContactFactory, client_type
from callpulse.orders import services
from callpulse.orders.models import Order, OrderStatus
from callpulse.telephony.models import Call

pytestmark = pytest.mark.browser

ORDER_SCREENSHOT = "/tmp/callpulse-order.png"
ACCEPTED_SCREENSHOT = "/tmp/callpulse-order-accepted.png"
REFUSED_SCREENSHOT = "/tmp/callpulse-order-refused.png"
DESK_SCREENSHOT = "/tmp/callpulse-order-desk.png"
TYPING_SCREENSHOT = "/tmp/callpulse-order-typing.png"
NBSP = "\u00a0"


def money(text: str) -> str:
    """'8 500 ₸' as the money filter writes it (no-break spaces)."""
    return text.replace(" ", NBSP)


def next_working_day():
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return day


@pytest.fixture
def operator(make_user):
    return make_user("operator", username="op", full_name="Оператор Дана", extension="101")


@pytest.fixture
def call_with_key_client(make_user, operator):
    """A key client on the line with the operator; the catalog has something new, promoted and
    traditional to offer."""
    manager = make_user("account_manager", full_name="Иванова Айгерим", extension="201")
    client = ClientFactory(
        name="ТОО «Алтын Дала»",
        client_type=client_type("key"),
        manager=manager,
        credit_limit=Decimal("100000"),
    )
    ContactFactory(client=client, full_name="Нурлан Сапаров", position="кладовщик")
    products = make_catalog()
    today = timezone.localdate()
    products[3].new_since = today - timedelta(days=3)
    products[3].save()
    products[4].promoted_from, products[4].promoted_to = today, today + timedelta(days=10)
    products[4].promotion_note = "Autumn"
    products[4].save()
    TraditionalProduct.objects.create(client_type=client.client_type, product=products[5])
    return Call.objects.create(
        call_id="order-1",
        client=client,
        operator=operator,
        status="answered",
        from_number="+77011234567",
        ringing_at=timezone.now() - timedelta(minutes=2),
        answered_at=timezone.now() - timedelta(minutes=1),
    )


def test_an_operator_takes_an_order_end_to_end_with_the_keyboard(
    page: Page, sign_in, call_with_key_client
):
    sign_in("op")
    page.goto("/desk/")
    take = page.get_by_test_id("call-panel").get_by_role("button", name="Take an order")
    expect(take).to_be_visible()
    page.screenshot(path=DESK_SCREENSHOT)
    with page.context.expect_page() as new_tab:
        take.click()
    screen = new_tab.value
    screen.wait_for_load_state()
    order = Order.objects.get()
    assert order.call == call_with_key_client and order.client == call_with_key_client.client
    assert screen.evaluate("window.location.pathname") == f"/orders/{order.pk}/"
    screen.evaluate("window.marker = 1")  # a reload would lose it

    expect(screen.get_by_role("heading", level=1)).to_contain_text("New order")
    expect(screen.get_by_test_id("order-client")).to_have_text("ТОО «Алтын Дала»")
    expect(screen.get_by_test_id("order-manager")).to_contain_text("Иванова Айгерим")
    expect(screen.get_by_test_id("order-manager")).to_contain_text("In today")
    verdict = screen.get_by_test_id("verdict")
    expect(verdict).to_have_text(money("Within the credit limit, available 100 000 ₸"))
    search = screen.get_by_label("Add a product: SKU or name")
    expect(search).to_be_focused()

    # A SKU typed, the results come, Enter adds it; the cursor waits in its quantity.
    search.press_sequentially("p1", delay=30)
    expect(screen.locator("#product-results [role=option]").first).to_contain_text("P1")
    search.press("Enter")
    line = screen.get_by_test_id("line-P1")
    expect(line).to_be_visible()
    quantity = screen.get_by_label("Quantity of P1")
    expect(quantity).to_be_focused()
    expect(search).to_have_value("")
    total = screen.get_by_test_id("order-total")
    expect(total).to_have_text(money("850 ₸"))

    # Typing the quantity (with a comma) re-prices the order as it is typed.
    quantity.press_sequentially("10,5", delay=40)
    expect(total).to_have_text(money("8 925 ₸"))
    expect(screen.get_by_test_id("amount-P1")).to_have_text(money("8 925 ₸"))
    expect(screen.get_by_test_id("explain-P1")).to_have_text("Key client → column “Key”")
    expect(verdict).to_have_text(money("Within the credit limit, available 91 075 ₸"))
    expect(quantity).to_have_value("10,5")  # what was typed stays as typed
    quantity.press("Enter")
    expect(search).to_be_focused()

    # By name: the arrows pick the product found, Enter adds it.
    search.press_sequentially("Товар 2", delay=30)
    expect(screen.locator("#product-results [role=option]")).to_have_count(1)
    search.press("ArrowDown")
    expect(screen.locator("#product-results [aria-selected=true]")).to_contain_text("P2")
    search.press("Enter")
    expect(screen.get_by_test_id("line-P2")).to_be_visible()
    expect(total).to_have_text(money("9 775 ₸"))
    screen.screenshot(path=TYPING_SCREENSHOT, full_page=True)
    screen.get_by_label("Quantity of P2").press("Escape")
    expect(search).to_be_focused()

    # Three offers, each answered; the counter turns green at the minimum.
    offers = screen.get_by_test_id("offers")
    counter = screen.get_by_test_id("offer-count")
    expect(counter).to_have_text("Offers made: 0 of 3")
    expect(screen.get_by_test_id("candidate-P5")).to_contain_text("Promoted")
    expect(screen.get_by_test_id("candidate-P4")).to_contain_text("New product")
    expect(screen.get_by_test_id("candidate-P4")).to_contain_text("fits credit")
    offers.get_by_role("button", name="Declined P5").click()
    expect(counter).to_have_text("Offers made: 1 of 3")
    offers.get_by_role("button", name="Declined P4").click()
    expect(counter).to_have_text("Offers made: 2 of 3")
    expect(counter).not_to_have_class("offer-count done")
    offers.get_by_role("button", name="Accept P6").click()
    expect(counter).to_have_text("Offers made: 3 of 3")
    expect(counter).to_have_class("offer-count done")
    expect(screen.get_by_test_id("line-P6")).to_contain_text("from an offer")
    expect(total).to_have_text(money("10 625 ₸"))

    # Terms: each change is saved as it is made (a text field when the cursor leaves it).
    terms = screen.get_by_role("region", name="Delivery and payment")
    terms.get_by_label("Receiving person").fill("Нурлан Сапаров, кладовщик")
    for change in (
        lambda: terms.get_by_label("Receiving person").press("Tab"),
        lambda: terms.get_by_label("Delivery date").fill(next_working_day().isoformat()),
        lambda: terms.get_by_label("Payment form").select_option(label="Bank transfer"),
        lambda: terms.get_by_label("Invoice").check(),
    ):
        with screen.expect_response("**/terms/") as saved:
            change()
        assert saved.value.status == 200
    expect(terms.get_by_role("status")).to_contain_text("Saved")

    screen.evaluate("window.scrollTo(0, 0)")  # the side column is sticky
    screen.screenshot(path=ORDER_SCREENSHOT, full_page=True)
    assert screen.evaluate("window.marker") == 1, "the order screen reloaded"

    screen.get_by_role("button", name="Accept the order").click()

    number = screen.get_by_test_id("order-number")
    expect(number).to_be_visible()
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    expect(number).to_have_text(order.number)
    expect(screen.get_by_role("heading", level=1)).to_contain_text(f"Order {order.number}")
    expect(screen.get_by_test_id("order-status")).to_have_text("Accepted")
    expect(screen.get_by_test_id("history")).to_contain_text("Draft → Accepted")
    screen.screenshot(path=ACCEPTED_SCREENSHOT, full_page=True)
    assert [(line.product.sku, line.quantity) for line in order.lines.all()] == [
        ("P1", Decimal("10.500")),
        ("P2", Decimal("1.000")),
        ("P6", Decimal("1.000")),
    ]
    assert order.total == Decimal("10625.00")
    assert order.receiver == "Нурлан Сапаров, кладовщик" and order.documents == ["invoice"]


def test_an_overdue_client_is_stopped_in_red_and_handed_to_the_manager(
    page: Page, sign_in, call_with_key_client
):
    from callpulse.crm.models import CreditEvent
    from callpulse.crm.services import client_receivables_refresh

    client = call_with_key_client.client
    today = timezone.localdate()
    CreditEvent.objects.create(
        client=client,
        kind="invoice",
        amount=Decimal("84500"),
        occurred_on=today - timedelta(days=60),
        due_on=today - timedelta(days=42),
    )
    client_receivables_refresh(client=client)
    client.refresh_from_db()
    since = client.overdue_since.strftime("%d.%m.%Y")
    sign_in("op")
    page.goto("/desk/")
    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Take an order").click()
    screen = new_tab.value
    screen.wait_for_load_state()

    credit = screen.get_by_test_id("credit")
    expect(credit).to_have_class("panel credit credit-alert")
    expect(screen.get_by_test_id("verdict")).to_have_text(money(f"Overdue 84 500 ₸ since {since}"))
    expect(screen.get_by_test_id("override")).to_have_count(0)  # an operator cannot override
    screen.get_by_label("Add a product: SKU or name").press_sequentially("P1", delay=30)
    expect(screen.locator("#product-results [role=option]").first).to_contain_text("P1")
    screen.keyboard.press("Enter")
    expect(screen.get_by_test_id("line-P1")).to_be_visible()
    # The offers and the terms as in the test above, so that only the credit check is left.
    order = Order.objects.get()
    operator = call_with_key_client.operator
    for product in Product.objects.filter(sku__in=["P4", "P5", "P6"]):
        services.order_offer_record(
            actor=operator, order=order, product=product, source="new", accepted=False
        )
    services.order_set_terms(
        actor=operator,
        order=order,
        delivery_date=next_working_day(),
        receiver="Нурлан",
        payment_form="deferred",
    )
    screen.reload()
    # Stopped by the credit check, the draft is handed over: offers are no longer counted down
    # and an operator, who cannot override, gets no accept button to press in vain (issue #14).
    expect(screen.get_by_test_id("offer-count")).to_have_text(
        "Offers made: 3 (not needed to hand the order over)"
    )
    expect(screen.get_by_role("button", name="Accept the order")).to_have_count(0)

    # A refusal posted anyway (an old page in another tab) still names the credit, in red.
    screen.evaluate(
        "url => htmx.ajax('POST', url, {source: '#actions', swap: 'none'})",
        f"/orders/{order.pk}/accept/",
    )
    error = screen.get_by_test_id("err-credit")
    expect(error).to_contain_text(money(f"Not accepted: overdue 84 500 ₸ since {since}."))
    assert error.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(200, 30, 30)"
    screen.screenshot(path=REFUSED_SCREENSHOT, full_page=True)

    screen.get_by_role("button", name="Hand to manager").click()
    expect(screen.get_by_test_id("order-status")).to_have_text("Handed off")
    expect(screen.get_by_test_id("handed-off")).to_contain_text(
        "Handed to Account manager (Иванова Айгерим): overdue"
    )

"""The order screen through Django's test client: what the operator sees and what htmx gets back.

htmx requests carry HX-Request: the answers are out-of-band fragments (regions and error slots
by id). Without it the forms still work: a redirect after a change, the whole screen with the
errors next to the fields after a refusal.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from callpulse.catalog.models import DiscountRule
from callpulse.catalog.tests.factories import make_catalog
from callpulse.crm.models import CreditEvent
from callpulse.crm.services import client_receivables_refresh
from callpulse.crm.tests.factories import ClientFactory, ContactFactory, client_type
from callpulse.orders import services
from callpulse.orders.models import HandOff, Offer, Order, OrderStatus
from callpulse.telephony.models import Call

pytestmark = pytest.mark.django_db
D = Decimal
HX = {"HTTP_HX_REQUEST": "true"}


def next_working_day():
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return day


@pytest.fixture
def products():
    return make_catalog()


@pytest.fixture
def operator(make_user):
    return make_user("operator", full_name="Оператор Дана")


@pytest.fixture
def key_client(make_user):
    manager = make_user("account_manager", full_name="Иванова Айгерим", extension="201")
    return ClientFactory(
        name="ТОО «Алтын Дала»",
        client_type=client_type("key"),
        manager=manager,
        credit_limit=D("100000"),
    )


@pytest.fixture
def signed_in(client, operator):
    client.force_login(operator)
    return client


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


def start(http, client, **extra):
    response = http.post("/orders/start/", {"client": client.pk, **extra})
    assert response.status_code == 302, response.content.decode()
    order = Order.objects.latest("pk")
    assert response["Location"] == f"/orders/{order.pk}/"
    return order


def add(http, order, q="", **extra):
    return http.post(f"/orders/{order.pk}/lines/add/", {"q": q, **extra}, **HX)


def offer(http, order, product, result="declined", **extra):
    return http.post(
        f"/orders/{order.pk}/offers/",
        {"product": product.pk, "source": "new", "result": result, **extra},
        **HX,
    )


def terms(http, order, **fields):
    data = {
        "delivery_date": next_working_day().isoformat(),
        "receiver": "Нурлан, кладовщик",
        "payment_form": "bank_transfer",
        "documents": ["invoice", "waybill"],
        **fields,
    }
    return http.post(f"/orders/{order.pk}/terms/", data, **HX)


def slot(html, name):
    """The text of error slot `err-<name>` in an answer."""
    marker = f'id="err-{name}"'
    assert marker in html, f"no slot {name}"
    rest = html.split(marker, 1)[1]
    return rest.split(">", 1)[1].split("</p>", 1)[0]


# --- start and the screen ---------------------------------------------------------------


def test_start_opens_a_draft_from_the_call_and_the_screen_shows_the_client(
    signed_in, operator, key_client, products
):
    call = Call.objects.create(call_id="c-1", client=key_client, operator=operator)
    order = start(signed_in, key_client, call=call.pk)
    assert (order.client, order.taken_by, order.call, order.status) == (
        key_client,
        operator,
        call,
        OrderStatus.DRAFT,
    )

    html = signed_in.get(f"/orders/{order.pk}/").content.decode()
    assert "New order" in html and "ТОО «Алтын Дала»" in html and "Key client" in html
    assert "Иванова Айгерим" in html and "ext. 201" in html and "In today" in html
    assert "Within the credit limit, available 100\u00a0000\u00a0₸" in html
    assert 'id="product-q"' in html and "autofocus" in html
    assert "Offers made: 0 of 3" in html


def test_the_desk_offers_to_take_an_order_for_the_caller(signed_in, operator, key_client):
    call = Call.objects.create(
        call_id="c-2", client=key_client, operator=operator, status="answered"
    )
    html = signed_in.get("/desk/panel/").content.decode()
    assert 'action="/orders/start/"' in html and "Take an order" in html
    assert f'name="call" value="{call.pk}"' in html
    assert f'name="client" value="{key_client.pk}"' in html


def test_an_unknown_order_is_404(signed_in):
    assert signed_in.get("/orders/999999/").status_code == 404


# --- lines ------------------------------------------------------------------------------


def test_enter_on_an_exact_sku_adds_the_line_and_focuses_its_quantity(
    signed_in, key_client, products
):
    order = start(signed_in, key_client)
    response = add(signed_in, order, q="p1")  # case does not matter
    html = response.content.decode()
    assert response.status_code == 200
    line = order.lines.get()
    assert line.product == products[0] and line.quantity == 1
    assert 'id="lines-form"' in html and 'hx-swap-oob="true"' in html
    assert f'id="qty-{products[0].pk}" name="qty-{products[0].pk}" value="1"' in html
    assert "autofocus" in html
    assert "Key client → column “Key”" in html and "850\u00a0₸" in html
    assert 'id="credit"' in html and 'id="offers"' in html  # the verdict and the offers follow

    # the highlighted product (picked with the arrows) wins over the text
    add(signed_in, order, q="Товар", product=products[2].pk)
    assert list(order.lines.values_list("product__sku", flat=True)) == ["P1", "P3"]


def test_a_sku_that_is_not_there_or_is_ambiguous_is_said_under_the_search(
    signed_in, key_client, products
):
    order = start(signed_in, key_client)
    unknown = add(signed_in, order, q="ZZZ")
    assert unknown.status_code == 400
    assert "No product with SKU or name “ZZZ”." in slot(unknown.content.decode(), "search")
    several = add(signed_in, order, q="Товар")
    assert "Several products match" in slot(several.content.decode(), "search")
    assert not order.lines.exists()
    add(signed_in, order, q="P2")
    again = add(signed_in, order, q="P2")
    assert "P2 is already in the order" in slot(again.content.decode(), "search")
    assert order.lines.count() == 1


def test_the_live_search_lists_products_by_sku_or_name(signed_in, key_client, products):
    order = start(signed_in, key_client)
    add(signed_in, order, q="P1")
    html = signed_in.get(f"/orders/{order.pk}/products/", {"q": "товар 2"}, **HX).content.decode()
    assert 'role="option"' in html and "P2" in html and "P3" not in html
    html = signed_in.get(f"/orders/{order.pk}/products/", {"q": "p"}, **HX).content.decode()
    assert html.count('role="option"') == 6 and "in the order" in html
    html = signed_in.get(f"/orders/{order.pk}/products/", {"q": "xyz"}, **HX).content.decode()
    assert "No product matches “xyz”." in html


def test_typing_a_quantity_reprices_without_replacing_the_inputs(signed_in, key_client, products):
    autumn = DiscountRule.objects.create(
        name="Autumn", kind="promotion", percent=D("5"), valid_from=timezone.localdate()
    )
    autumn.products.add(products[0])
    order = start(signed_in, key_client)
    add(signed_in, order, q="P1")
    add(signed_in, order, q="P2")
    p1, p2 = products[0].pk, products[1].pk

    response = signed_in.post(
        f"/orders/{order.pk}/lines/", {f"qty-{p1}": "10,5", f"qty-{p2}": "2"}, **HX
    )

    html = response.content.decode()
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.lines.get(product_id=p1).quantity == D("10.5")
    # 850 × 0.95 = 807.50; × 10.5 = 8 478.75; + 2 × 850 = 10 178.75
    assert order.total == D("10178.75")
    assert f'<span id="amount-{p1}"' in html and "8\u00a0478,75\u00a0₸" in html
    assert "Key client → column “Key”; promotion “Autumn” −5%" in html
    assert 'id="totals"' in html and "10\u00a0178,75\u00a0₸" in html
    assert "available 89\u00a0821,25\u00a0₸" in html  # the verdict follows the total
    assert "<input" not in html.split('id="offers"')[0]  # what is being typed stays put


def test_a_wrong_quantity_is_said_on_its_line_and_nothing_changes(signed_in, key_client, products):
    order = start(signed_in, key_client)
    add(signed_in, order, q="P1")
    pid = products[0].pk
    for typed, message in [
        ("abc", "“abc” is not a number."),
        ("", "Type the quantity."),
        ("1,23456", "“1,23456” is not a quantity."),
        ("NaN", "“NaN” is not a quantity."),
    ]:
        response = signed_in.post(f"/orders/{order.pk}/lines/", {f"qty-{pid}": typed}, **HX)
        assert response.status_code == 400
        html = response.content.decode()
        assert f'id="err-qty-{pid}"' in html and message in html, typed
    zero = signed_in.post(f"/orders/{order.pk}/lines/", {f"qty-{pid}": "0"}, **HX)
    assert "the quantity must be positive" in slot(zero.content.decode(), "lines")
    assert order.lines.get().quantity == 1


def test_a_line_is_removed(signed_in, key_client, products):
    order = start(signed_in, key_client)
    add(signed_in, order, q="P1")
    add(signed_in, order, q="P2")
    pid = products[0].pk
    response = signed_in.post(
        f"/orders/{order.pk}/lines/{pid}/remove/",
        {f"qty-{pid}": "3", f"qty-{products[1].pk}": "4"},
        **HX,
    )
    assert response.status_code == 200
    assert list(order.lines.values_list("product__sku", "quantity")) == [("P2", D("4"))]


# --- offers -----------------------------------------------------------------------------


def test_offers_are_recorded_and_counted_to_the_minimum(signed_in, key_client, products):
    today = timezone.localdate()
    products[3].new_since = today
    products[3].save()
    products[4].promoted_from, products[4].promoted_to = today, today + timedelta(days=5)
    products[4].save()
    order = start(signed_in, key_client)
    add(signed_in, order, q="P1")

    screen = signed_in.get(f"/orders/{order.pk}/").content.decode()
    assert "New product" in screen and "Promoted" in screen and "fits credit" in screen

    first = offer(signed_in, order, products[3])
    assert "Offers made: 1 of 3" in first.content.decode()
    taken = offer(signed_in, order, products[4], result="accepted", quantity="2,5")
    html = taken.content.decode()
    assert taken.status_code == 200 and "Offers made: 2 of 3" in html
    assert "offer-count done" not in html
    line = order.lines.get(product=products[4])
    assert line.quantity == D("2.5") and line.from_offer
    assert Offer.objects.get(product=products[4]).added_revenue == D("2125.00")
    assert 'id="lines-form"' in html and "from an offer" in html

    again = offer(signed_in, order, products[3])
    assert again.status_code == 400
    assert "P4 was already offered." in slot(again.content.decode(), "offers")

    third = offer(signed_in, order, products[5])
    assert 'class="offer-count done"' in third.content.decode()
    assert "Offers made: 3 of 3" in third.content.decode()


# --- terms ------------------------------------------------------------------------------


def test_terms_are_saved_and_wrong_ones_are_errors_by_field(signed_in, key_client, products):
    ContactFactory(client=key_client, full_name="Нурлан Сапаров", position="кладовщик")
    order = start(signed_in, key_client)
    screen = signed_in.get(f"/orders/{order.pk}/").content.decode()
    assert 'type="date" id="delivery_date"' in screen and "Нурлан Сапаров, кладовщик" in screen
    assert 'value="certificates"' in screen and 'id="carrier"' not in screen  # not regional

    saved = terms(signed_in, order)
    assert saved.status_code == 200 and 'id="terms-saved"' in saved.content.decode()
    order.refresh_from_db()
    assert order.receiver == "Нурлан, кладовщик" and order.documents == ["invoice", "waybill"]

    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    wrong = terms(signed_in, order, delivery_date=yesterday, payment_form="barter")
    html = wrong.content.decode()
    assert wrong.status_code == 400
    assert "Select a valid choice" in slot(html, "payment_form")
    assert slot(html, "receiver") == ""  # the other slots are emptied
    past = terms(signed_in, order, delivery_date=yesterday)
    assert "The delivery date cannot be in the past." in slot(
        past.content.decode(), "delivery_date"
    )
    order.refresh_from_db()
    assert order.delivery_date == next_working_day()  # nothing of a refused save is kept

    # without htmx: the whole screen, the error next to its field, what was typed kept
    page = signed_in.post(
        f"/orders/{order.pk}/terms/", {"delivery_date": yesterday, "receiver": "Асель"}
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "The delivery date cannot be in the past." in slot(html, "delivery_date")
    assert 'value="Асель"' in html


def test_a_regional_client_gets_the_shipping_fields(signed_in, products):
    regional = ClientFactory(client_type=client_type("regional"), credit_limit=D("100000"))
    order = start(signed_in, regional)
    html = signed_in.get(f"/orders/{order.pk}/").content.decode()
    assert (
        'id="carrier"' in html and 'id="shipping_address"' in html and 'id="arrival_date"' in html
    )
    terms(signed_in, order, delivery_date="", carrier="КазПочта", shipping_address="Актобе, Абая 1")
    order.refresh_from_db()
    assert (order.carrier, order.delivery_date) == ("КазПочта", None)


# --- accept, hand off, cancel -----------------------------------------------------------


def ready(http, client, products, *, quantity="10"):
    order = start(http, client)
    add(http, order, q="P1")
    http.post(f"/orders/{order.pk}/lines/", {f"qty-{products[0].pk}": quantity}, **HX)
    for product in products[-3:]:
        assert offer(http, order, product).status_code == 200
    assert terms(http, order).status_code == 200
    return order


def test_accept_names_what_is_missing_next_to_each_part(signed_in, key_client, products):
    order = start(signed_in, key_client)
    add(signed_in, order, q="P1")
    offer(signed_in, order, products[5])
    response = signed_in.post(f"/orders/{order.pk}/accept/", **HX)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Offer at least 3 items beyond the order (1 so far)." in slot(html, "offers")
    assert "Who receives the goods" in slot(html, "receiver")
    assert "Agree the form of payment." in slot(html, "payment_form")
    assert "Agree the delivery date." in slot(html, "delivery_date")
    assert slot(html, "credit") == "" and 'hx-swap-oob="true"' in html


def test_accept_is_refused_with_the_overdue_reason_in_red(signed_in, key_client, products):
    overdue(key_client)
    order = ready(signed_in, key_client, products)
    key_client.refresh_from_db()
    since = key_client.overdue_since.strftime("%d.%m.%Y")

    screen = signed_in.get(f"/orders/{order.pk}/").content.decode()
    assert "credit-alert" in screen and f"Overdue 84\u00a0500\u00a0₸ since {since}" in screen
    assert "Hand to manager" in screen and "Hand to finance" in screen

    response = signed_in.post(f"/orders/{order.pk}/accept/", **HX)
    assert response.status_code == 400
    credit = slot(response.content.decode(), "credit")
    assert credit == f"Not accepted: overdue 84\u00a0500\u00a0₸ since {since}."
    assert 'class="error credit-error" id="err-credit"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT and order.number is None


def test_accept_after_three_offers_and_terms_numbers_the_order(signed_in, key_client, products):
    order = ready(signed_in, key_client, products)
    screen = signed_in.get(f"/orders/{order.pk}/").content.decode()
    assert "Hand to manager" not in screen  # the credit check passes: nothing to hand off

    response = signed_in.post(f"/orders/{order.pk}/accept/", **HX)

    assert response.status_code == 200 and response["HX-Redirect"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.number
    html = signed_in.get(f"/orders/{order.pk}/").content.decode()
    assert f"Order {order.number}" in html and 'data-testid="order-number"' in html
    assert "Draft → Accepted" in html and "8\u00a0500\u00a0₸" in html
    assert 'id="product-q"' not in html and "Accept the order" not in html  # read-only now
    late = signed_in.post(f"/orders/{order.pk}/lines/add/", {"q": "P2"}, **HX)  # another tab
    assert late["HX-Redirect"] == f"/orders/{order.pk}/" and order.lines.count() == 1


def test_one_click_hands_the_stopped_draft_to_the_manager(signed_in, key_client, products):
    overdue(key_client)
    order = ready(signed_in, key_client, products)

    response = signed_in.post(f"/orders/{order.pk}/hand-off/", {"to": "manager"}, **HX)

    assert response["HX-Redirect"] == f"/orders/{order.pk}/"
    hand_off = HandOff.objects.get(order=order)
    assert hand_off.assignee == key_client.manager and "overdue" in hand_off.reason
    html = signed_in.get(f"/orders/{order.pk}/").content.decode()
    assert "Handed to Account manager (Иванова Айгерим): overdue 84\u00a0500\u00a0₸" in html
    again = signed_in.post(f"/orders/{order.pk}/hand-off/", {"to": "finance"}, **HX)
    assert again.status_code == 400
    assert "Only a draft is handed off." in slot(again.content.decode(), "actions")


def test_cancel_needs_a_reason(signed_in, key_client, products):
    order = start(signed_in, key_client)
    refused = signed_in.post(f"/orders/{order.pk}/cancel/", {"reason": " "}, **HX)
    assert "Say why the order is cancelled." in slot(refused.content.decode(), "reason")
    done = signed_in.post(f"/orders/{order.pk}/cancel/", {"reason": "клиент передумал"})
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert "клиент передумал" in signed_in.get(f"/orders/{order.pk}/").content.decode()


# --- permissions ------------------------------------------------------------------------


def test_finance_cannot_start_an_order(client, make_user, key_client):
    client.force_login(make_user("finance"))
    assert client.post("/orders/start/", {"client": key_client.pk}).status_code == 403
    assert not Order.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, key_client):
    response = client.post("/orders/start/", {"client": key_client.pk})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Order.objects.exists()


def test_an_operator_sees_no_override_and_the_head_of_sales_overrides(
    signed_in, client, key_client, products, make_user
):
    overdue(key_client)
    order = ready(signed_in, key_client, products)
    screen = signed_in.get(f"/orders/{order.pk}/").content.decode()
    assert 'name="override_reason"' not in screen and "Accept anyway" not in screen
    # an operator who posts a reason anyway is refused by the service, on the screen
    refused = signed_in.post(
        f"/orders/{order.pk}/accept/", {"override_reason": "старый клиент"}, **HX
    )
    assert refused.status_code == 400
    assert "Only finance or the head of sales" in slot(refused.content.decode(), "actions")

    head = make_user("head_of_sales")
    client.force_login(head)
    screen = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'name="override_reason"' in screen and "Accept anyway" in screen
    response = client.post(
        f"/orders/{order.pk}/accept/", {"override_reason": "оплата обещана до пятницы"}, **HX
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.credit_override_by == head
    assert "оплата обещана до пятницы" in client.get(f"/orders/{order.pk}/").content.decode()


def test_a_role_that_takes_no_orders_is_told_so_on_the_screen(
    client, make_user, key_client, products, operator
):
    order = services.order_start(actor=operator, client=key_client)
    client.force_login(make_user("analyst"))
    screen = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="product-q"' not in screen  # read-only: no search, no actions
    response = add(client, order, q="P1")
    assert response["HX-Redirect"] == f"/orders/{order.pk}/"
    assert "Your role does not take orders." in client.get(f"/orders/{order.pk}/").content.decode()
    assert not order.lines.exists()

"""A validation error never replaces the page, with DEBUG on (`make run`) and off (production).

Our htmx screens answer a refused change with 400 and the errors as fragments (out-of-band on the
order screen, the call panel on the desk); htmx swaps them in (the `htmx-config` of base.html).
With DEBUG on, django-htmx's debug script used to catch every 400 and put the response in place of
the whole document: the menu, the styles and the desk's live stream were gone. Each test runs in
both modes (the `debug_mode` fixture) and checks the page is still the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from callpulse.crm.tests.factories import ClientFactory, client_type
from callpulse.orders import services
from callpulse.orders.models import Order, OrderStatus
from callpulse.telephony.models import Call, CallStatus

pytestmark = pytest.mark.browser


@pytest.fixture
def page_errors(page: Page) -> Iterator[list[str]]:
    """Uncaught script errors on the page (a CSP-refused eval, a handler that threw)."""
    seen: list[str] = []
    page.on("pageerror", lambda error: seen.append(str(error)))
    yield seen


def mark_loaded(page: Page) -> None:
    """Note the loaded document: a reload or a document swap loses the mark or the menu."""
    page.evaluate("window.marker = 1")


def assert_page_intact(page: Page, heading: str) -> None:
    """The menu, the screen's heading and the styles are where they were; no reload."""
    expect(page.locator("header.topbar .mainnav")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert page.evaluate("document.styleSheets.length") >= 1
    assert page.evaluate("window.marker") == 1, "the page was reloaded"


@pytest.fixture
def operator(make_user):
    return make_user("operator", username="op", full_name="Оператор Дана", extension="101")


@pytest.fixture
def draft_order(operator) -> Order:
    client = ClientFactory(name="ТОО «Алтын Дала»", client_type=client_type("key"))
    return services.order_start(actor=operator, client=client)


def test_accepting_with_terms_missing_shows_the_gaps_on_the_page(
    debug_mode: bool, page: Page, sign_in, draft_order: Order, page_errors: list[str]
):
    sign_in("op")
    page.goto(f"/orders/{draft_order.pk}/")
    mark_loaded(page)

    with page.expect_response("**/accept/") as answer:
        page.get_by_role("button", name="Accept the order").click()
    assert answer.value.status == 400

    terms = page.get_by_role("region", name="Delivery and payment")
    expect(terms.get_by_test_id("err-receiver")).to_have_text(
        "Who receives the goods at the client's?"
    )
    expect(terms.get_by_test_id("err-payment_form")).to_have_text("Agree the form of payment.")
    expect(terms.get_by_test_id("err-delivery_date")).to_have_text("Agree the delivery date.")
    assert_page_intact(page, "New order")
    assert page_errors == []
    draft_order.refresh_from_db()
    assert draft_order.status == OrderStatus.DRAFT


def test_a_past_delivery_date_is_refused_next_to_the_field(
    debug_mode: bool, page: Page, sign_in, draft_order: Order, page_errors: list[str]
):
    sign_in("op")
    page.goto(f"/orders/{draft_order.pk}/")
    mark_loaded(page)
    terms = page.get_by_role("region", name="Delivery and payment")
    yesterday = timezone.localdate() - timedelta(days=1)

    with page.expect_response("**/terms/") as answer:
        terms.get_by_label("Delivery date").fill(yesterday.isoformat())
    assert answer.value.status == 400

    expect(terms.get_by_test_id("err-delivery_date")).to_have_text(
        "The delivery date cannot be in the past."
    )
    expect(terms.get_by_label("Delivery date")).to_have_value(yesterday.isoformat())
    assert_page_intact(page, "New order")
    assert page_errors == []
    draft_order.refresh_from_db()
    assert draft_order.delivery_date is None  # nothing half-written


def test_a_callback_promised_without_a_time_is_asked_for_on_the_desk(
    debug_mode: bool, page: Page, sign_in, operator, page_errors: list[str]
):
    """The call has ended and waits for its outcome; the desk's stream stays live throughout."""
    now = timezone.now()
    client = ClientFactory(name="ТОО «Алтын Дала»")
    call = Call.objects.create(
        call_id="wrap-1",
        client=client,
        operator=operator,
        status=CallStatus.ENDED,
        from_number="+77011234567",
        ringing_at=now - timedelta(minutes=3),
        answered_at=now - timedelta(minutes=2),
        ended_at=now - timedelta(seconds=20),
    )
    sign_in("op")
    page.goto("/desk/")
    expect(page.locator("#desk")).to_have_attribute("data-live", "1")
    mark_loaded(page)
    form = page.get_by_test_id("outcome-form")
    form.get_by_label("Outcome", exact=True).select_option(label="Callback promised")

    with page.expect_response("**/outcome/") as answer:
        form.get_by_role("button", name="Save and get ready").click()
    assert answer.value.status == 400

    expect(form.locator(".error")).to_have_text("When was the callback promised?")
    expect(form.get_by_label("Outcome", exact=True)).to_have_value("callback_promised")
    expect(page.locator("header.topbar .mainnav")).to_be_visible()
    expect(page.locator("#desk")).to_have_attribute("data-live", "1")
    assert page.evaluate("window.marker") == 1, "the desk was reloaded"
    assert page_errors == []
    call.refresh_from_db()
    assert call.outcome == ""


def test_a_failed_request_says_so_and_leaves_the_page_alone(
    debug_mode: bool, page: Page, sign_in, draft_order: Order, page_errors: list[str]
):
    """A 500 (here played by the browser's router) is not swapped in; a notice says what happened,
    and the next answer that arrives clears it."""
    sign_in("op")
    page.goto(f"/orders/{draft_order.pk}/")
    mark_loaded(page)
    notice = page.get_by_test_id("request-failed")
    expect(notice).to_be_hidden()
    terms = page.get_by_role("region", name="Delivery and payment")

    page.route(
        "**/terms/",
        lambda route: route.fulfill(status=500, content_type="text/html", body="<h1>Boom</h1>"),
    )
    terms.get_by_label("Receiving person").fill("Нурлан")
    terms.get_by_label("Receiving person").press("Tab")

    expect(notice).to_be_visible()
    expect(notice).to_have_text(
        "The server could not do that. Reload the page and try again; if it happens again, "
        "tell your administrator. (500)"
    )
    expect(page.get_by_text("Boom")).to_have_count(0)
    assert_page_intact(page, "New order")
    page.screenshot(path=f"/tmp/callpulse-request-failed-{'debug' if debug_mode else 'prod'}.png")

    page.unroute("**/terms/")
    with page.expect_response("**/terms/") as answer:
        terms.get_by_label("Payment form").select_option(label="Bank transfer")
    assert answer.value.status == 200
    expect(notice).to_be_hidden()
    expect(terms.get_by_role("status")).to_contain_text("Saved")
    assert page_errors == []

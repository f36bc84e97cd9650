"""Issue #14, items 2 and 4 in chromium: an unknown caller becomes a client and places an order
while the department head, told in their inbox, assigns a manager; the inbox count lives.

The test plays the phone system as tests/browser/test_desk.py does (CTI events to the live
server); each step waits for what the user would see, never a fixed time.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from callpulse.core.models import Department, Notification, NotificationKind
from callpulse.core.services import notification_send
from callpulse.crm.models import Client
from callpulse.crm.tests.factories import ClientFactory, PhoneFactory
from callpulse.orders.models import Order
from callpulse.telephony.models import Call
from tests.browser.test_desk import PhoneSystem

pytestmark = pytest.mark.browser
CALLER = "+77079998877"


@pytest.fixture
def pbx(live_server) -> PhoneSystem:
    return PhoneSystem(live_server.url)


@pytest.fixture
def people(make_user):
    """The wholesale department (new clients' types go there): its head and a manager."""
    wholesale = Department.objects.get(code="wholesale")
    wholesale.head = make_user("department_head", username="head.w", full_name="Сейткали Нурлан")
    wholesale.save()
    return {
        "operator": make_user(
            "operator", username="op", full_name="Оператор Дана", extension="101"
        ),
        "head": wholesale.head,
        "manager": make_user(
            "account_manager", username="mgr", full_name="Петров Арман", department=wholesale
        ),
    }


def _sign_in_again(page: Page, sign_in, username: str) -> None:
    page.context.clear_cookies()
    sign_in(username)


def _open_desk(page: Page) -> None:
    page.goto("/desk/")
    expect(page.locator("#desk")).to_have_attribute("data-live", "1")  # the stream is open
    page.evaluate("window.marker = 1")


def test_an_unknown_caller_becomes_a_client_orders_and_the_head_assigns_a_manager(
    page: Page, sign_in, pbx, people, debug_mode
):
    existing = ClientFactory(name="ТОО «Жана Жол»", region="Алматы")
    PhoneFactory(client=existing, number="+77010000001")
    sign_in("op")
    _open_desk(page)
    panel = page.locator("#call-panel")

    pbx.event("ringing", "nc-1", from_number=CALLER, extension="101")
    expect(panel.get_by_role("heading", level=1)).to_have_text("New caller")
    pbx.event("answered", "nc-1", extension="101")
    expect(panel.locator(".call-head")).to_contain_text("In progress")

    form = panel.get_by_test_id("new-client-form")
    expect(form.get_by_label("Phone")).to_have_value("+7 707 999 8877")  # filled in
    form.get_by_label("Client name").fill("ТОО «Жана Жол Шымкент»")
    expect(form.get_by_label("Client type")).to_have_value(str(_type_pk("new")))
    form.get_by_label("Region").fill("Шымкент")
    form.get_by_label("Contact person").fill("Айдос Серик")

    # a mistyped number: named next to the field, nothing saved, the desk intact
    form.get_by_label("Phone").fill("12")
    with page.expect_response("**/client/") as answer:
        form.get_by_role("button", name="Create client").click()
    assert answer.value.status == 400
    expect(form.locator(".field-phone .error")).to_be_visible()
    expect(page.get_by_role("link", name="callpulse")).to_be_visible()  # the page, not a text
    expect(form.get_by_label("Client name")).to_have_value("ТОО «Жана Жол Шымкент»")
    form.get_by_label("Phone").fill("+7 707 999 8877")

    # a client alike already exists: shown before anything is saved
    form.get_by_role("button", name="Create client").click()
    duplicates = form.get_by_test_id("duplicates")
    expect(duplicates).to_contain_text("Already a client? Check before saving")
    expect(duplicates.get_by_test_id("duplicate")).to_have_text(
        [re.compile("ТОО «Жана Жол».*Алматы.*no manager yet", re.S)]
    )
    assert Client.objects.count() == 1

    duplicates.get_by_role("button", name="Create a new client anyway").click()

    title = panel.get_by_role("heading", level=1)
    expect(title.get_by_role("link", name="ТОО «Жана Жол Шымкент»")).to_be_visible()
    expect(panel.get_by_role("status")).to_contain_text("the department head assigns a manager")
    assert page.evaluate("window.marker") == 1  # swapped, not reloaded
    new_client = Client.objects.get(name="ТОО «Жана Жол Шымкент»")
    assert new_client.manager is None and new_client.phones.get().number == CALLER
    assert Call.objects.get(call_id="nc-1").client == new_client

    # meanwhile the operator takes the order (a new tab, as from any known caller's card)
    with page.context.expect_page() as opened:
        panel.get_by_test_id("take-order").click()
    order_page = opened.value
    order_page.wait_for_load_state()
    order = Order.objects.get(client=new_client)
    assert order_page.url.endswith(f"/orders/{order.pk}/")
    assert order.call == Call.objects.get(call_id="nc-1") and order.taken_by == people["operator"]
    order_page.close()

    # the department head: the count on the top bar, the inbox, the assign screen
    _sign_in_again(page, sign_in, "head.w")
    count = page.get_by_test_id("unread-count")
    expect(count).to_have_text("1")
    page.get_by_test_id("inbox-link").click()
    expect(page).to_have_url(re.compile("/inbox/$"))
    note = page.get_by_test_id("notification")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("Assign a manager")
    expect(note).to_contain_text("Оператор Дана")

    note.get_by_role("button", name="New client, assign a manager: ТОО «Жана Жол Шымкент»").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Assign a manager")
    expect(page.get_by_test_id("current-manager")).to_have_text("No manager yet.")
    page.get_by_label("Петров Арман").check()
    page.get_by_role("button", name="Assign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("ТОО «Жана Жол Шымкент»")
    expect(page.locator(".messages")).to_contain_text(
        "ТОО «Жана Жол Шымкент» is now managed by Петров Арман."
    )
    expect(page.get_by_role("region", name="Account manager")).to_contain_text("Петров Арман")
    expect(count).to_be_hidden()  # opened, and the task is done
    new_client.refresh_from_db()
    assert new_client.manager == people["manager"]
    told = Notification.objects.get(recipient=people["manager"])
    assert told.kind == NotificationKind.ASSIGNMENT


def test_the_inbox_count_lives_and_notifications_are_marked_read(page: Page, sign_in, people):
    head = people["head"]
    sign_in("head.w")
    _open_desk(page)  # the desk listens to the head's stream
    count = page.get_by_test_id("unread-count")
    expect(count).to_be_hidden()

    notification_send(recipient=head, title="Клиентское замечание", body="Доставка по субботам")
    expect(count).to_have_text("1")  # no reload: the stream told the page
    notification_send(
        recipient=head, title="Order 2611-000001 accepted", kind=NotificationKind.ORDER
    )
    expect(count).to_have_text("2")
    assert page.evaluate("window.marker") == 1

    page.get_by_test_id("inbox-link").click()
    notes = page.get_by_test_id("notification")
    expect(notes).to_have_count(2)
    expect(notes.first).to_contain_text("Order 2611-000001 accepted")  # newest first
    expect(page.get_by_test_id("inbox-summary")).to_have_text("2 unread")

    notes.first.get_by_role("button", name="Mark read").click()  # htmx: the row alone

    expect(notes.first.get_by_role("button", name="Mark read")).to_have_count(0)
    expect(count).to_have_text("1")
    page.get_by_role("link", name="Unread").click()
    expect(notes).to_have_count(1)
    expect(notes).to_contain_text("Клиентское замечание")

    page.get_by_test_id("mark-all-read").click()

    expect(page.locator(".messages")).to_contain_text("All notifications are marked read.")
    expect(count).to_be_hidden()
    expect(notes).to_have_count(2)  # all of them, read
    expect(page.get_by_role("button", name="Mark read")).to_have_count(0)
    expect(page.get_by_test_id("inbox-summary")).to_have_text("0 unread")
    assert not Notification.objects.filter(recipient=head, read_at__isnull=True).exists()


def test_a_known_client_on_a_new_number_is_picked_and_the_number_kept(
    page: Page, sign_in, pbx, people
):
    known = ClientFactory(name="ТОО «Алтын Дала»", region="Алматы")
    PhoneFactory(client=known, number="+77010000001")
    sign_in("op")
    _open_desk(page)
    panel = page.locator("#call-panel")
    pbx.event("ringing", "nc-2", from_number=CALLER, extension="101")
    form = panel.get_by_test_id("new-client-form")
    form.get_by_label("Client name").fill("Алтын Дала")
    form.get_by_role("button", name="Create client").click()

    form.get_by_role("button", name="This is the caller: use this card").click()

    expect(
        panel.get_by_role("heading", level=1).get_by_role("link", name="ТОО «Алтын Дала»")
    ).to_be_visible()
    expect(panel.get_by_role("status")).to_contain_text("the number is on their card now")
    assert set(known.phones.values_list("number", flat=True)) == {"+77010000001", CALLER}
    assert Client.objects.count() == 1


def _type_pk(code: str) -> int:
    from callpulse.crm.tests.factories import client_type

    return client_type(code).pk


def test_the_inbox_and_client_intake_pages_hold_the_policy(page: Page, sign_in, people):
    from tests.browser.test_csp import violations_while

    waiting = ClientFactory(name="ТОО «Новый»")
    notification_send(
        recipient=people["head"],
        title="New client, assign a manager: ТОО «Новый»",
        link=f"/clients/{waiting.pk}/assign/",
        kind=NotificationKind.NEW_CLIENT,
    )
    sign_in("head.w")
    for path in ("/inbox/", "/clients/new/", f"/clients/{waiting.pk}/assign/", "/desk/"):
        found = violations_while(page, lambda p=path: page.goto(p, wait_until="load"))
        assert found == [], f"{path}: {found}"
    expect(page.get_by_test_id("inbox-link")).to_have_attribute("data-ready", "1")  # JS ran

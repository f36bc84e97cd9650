"""What people see in a real browser: signing in, finding a client, the card, languages, roles."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from callpulse.core.tests.factories import AbsenceFactory
from callpulse.crm.models import CreditEvent
from callpulse.crm.services import client_receivables_refresh
from callpulse.crm.tests.factories import ClientFactory, ContactFactory, PhoneFactory, client_type

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
APP_CSS = ROOT / "callpulse" / "static" / "callpulse" / "app.css"
CARD_SCREENSHOT = "/tmp/callpulse-card.png"
SEARCH_SCREENSHOT = "/tmp/callpulse-search.png"


def css_variable_as_rgb(name: str) -> str:
    """A colour variable of app.css (`--red-bg:#fdecec`) as getComputedStyle reports it."""
    match = re.search(rf"{re.escape(name)}\s*:\s*#([0-9a-fA-F]{{6}})\b", APP_CSS.read_text())
    assert match, f"{name} is not a 6-digit hex colour in {APP_CSS}"
    red, green, blue = (int(match.group(1)[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red}, {green}, {blue})"


def path_of(page: Page) -> str:
    return page.evaluate("window.location.pathname")


@pytest.fixture
def overdue_client(make_user):
    """A key client with 84 500 ₸ overdue for six weeks (as in crm/tests/test_screens.py)."""
    manager = make_user("account_manager", full_name="Иванова Айгерим", extension="204")
    client = ClientFactory(
        name="ТОО «Алтын Дала»",
        client_type=client_type("key"),
        manager=manager,
        credit_limit=Decimal("5000000"),
    )
    PhoneFactory(client=client, number="+77011234567")
    ContactFactory(client=client, full_name="Нурлан Абенов", position="закупщик")
    today = timezone.localdate()
    CreditEvent.objects.create(
        client=client,
        kind="invoice",
        amount=Decimal("84500"),
        occurred_on=today - timedelta(days=60),
        due_on=today - timedelta(days=42),
        document="СФ-77",
    )
    client_receivables_refresh(client=client)
    return client


def test_head_of_sales_signs_in_and_finds_the_overdue_client_by_a_typed_number(
    page, sign_in, make_user, overdue_client
):
    make_user("head_of_sales", username="rop", full_name="Серикова Асель")
    sign_in("rop")
    assert path_of(page) == "/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Серикова Асель")

    search = page.get_by_label("Find a client by number or name")
    search.fill("8 (701) 123-45-67")
    search.press("Enter")

    page.wait_for_url(f"**/clients/{overdue_client.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ТОО «Алтын Дала»")
    page.screenshot(path=CARD_SCREENSHOT, full_page=True)  # before the checks: see what failed
    panel = page.get_by_test_id("debt-panel")
    expect(panel).to_have_class(re.compile(r"\bdebt-alert\b"))
    background = page.eval_on_selector(
        "[data-testid=debt-panel]", "el => getComputedStyle(el).backgroundColor"
    )
    assert background == css_variable_as_rgb("--red-bg")
    verdict = panel.get_by_role("alert").text_content() or ""
    assert verdict.startswith("Overdue 84\u00a0500\u00a0₸ since "), repr(verdict)
    expect(page.get_by_text("Иванова Айгерим")).to_be_visible()
    expect(page.get_by_role("button", name="+7 701 123 4567")).to_be_visible()


def test_the_client_list_searches_as_you_type_without_reloading_the_page(
    page, sign_in, make_user, overdue_client
):
    ClientFactory(name="ТОО «Береке»")
    make_user("operator", username="op")
    sign_in("op")
    page.goto("/clients/")
    page.evaluate("window.marker = 1")

    page.get_by_label("Number in any form, name, contact or region").fill("алтын")

    results = page.locator("#results")
    row = results.get_by_role("row").filter(has_text="ТОО «Алтын Дала»")
    expect(row).to_be_visible()
    page.screenshot(path=SEARCH_SCREENSHOT, full_page=True)
    expect(row).to_have_class(re.compile(r"\brow-alert\b"))
    expect(results).not_to_contain_text("Береке")
    assert page.evaluate("window.marker") == 1, "the page was reloaded instead of swapped by htmx"
    assert path_of(page) == "/clients/"

    row.get_by_role("link", name="ТОО «Алтын Дала»").click()
    page.wait_for_url(f"**/clients/{overdue_client.pk}/")


def test_choosing_russian_reloads_the_page_in_russian(page, sign_in, make_user):
    make_user("operator", username="op")
    sign_in("op")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Clients")).to_be_visible()

    page.locator("#language").select_option(label="Русский")

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#language")).to_have_value("ru")
    expect(page.get_by_role("navigation").get_by_role("link", name="Клиенты")).to_be_visible()
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()


def test_an_operator_sees_no_presence_screen(page, sign_in, make_user):
    make_user("operator", username="op")
    sign_in("op")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Clients")).to_be_visible()
    expect(nav.get_by_role("link", name="Who is in")).to_have_count(0)

    response = page.goto("/staff/presence/")
    assert response is not None and response.status == 403


def test_a_supervisor_sees_who_is_absent_and_why(page, sign_in, make_user):
    make_user("supervisor", username="sup")
    absent = make_user("operator", full_name="Сапарова Динара")
    AbsenceFactory(user=absent, kind="sick_leave")
    make_user("operator", full_name="Ахметов Ерлан")
    sign_in("sup")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Who is in").click()

    page.wait_for_url("**/staff/presence/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Who is in")
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Сапарова Динара")).to_contain_text("Sick leave until")
    expect(rows.filter(has_text="Ахметов Ерлан")).to_contain_text("In")
    expect(rows.filter(has_text="Ахметов Ерлан")).not_to_contain_text("Sick leave")


def test_a_wrong_password_keeps_you_on_the_login_page_with_an_error(page, sign_in, make_user):
    make_user("operator", username="op")
    sign_in("op", "not-the-password")

    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password. Try again.")
    assert path_of(page) == "/login/"
    expect(page.get_by_label("User name")).to_have_value("op")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)

"""Issue #14, item 5 in chromium: master data kept by the roles, not by the superuser.

Finance sets a credit limit and records a payment on the client card; a supervisor records an
absence with its cover from "Who is in"; the head of sales (not staff) puts a product on promotion
and changes a price in the catalog's admin pages. Every screen is watched for CSP violations.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from callpulse.catalog.models import Price, Product
from callpulse.catalog.tests.factories import make_catalog
from callpulse.core.models import Absence
from callpulse.core.tests.factories import TeamFactory
from callpulse.crm.models import CreditEvent
from callpulse.crm.services import client_receivables_refresh
from callpulse.crm.tests.factories import ClientFactory
from tests.browser.test_csp import violations_while

pytestmark = pytest.mark.browser


def test_finance_sets_a_limit_and_records_a_payment_on_the_card(
    page: Page, sign_in, make_user, debug_mode
):
    make_user("finance", username="fin", full_name="Финансист Гульнара")
    client = ClientFactory(name="ТОО «Береке»", credit_limit=Decimal("100000"))
    today = timezone.localdate()
    CreditEvent.objects.create(
        client=client,
        kind="invoice",
        amount=Decimal("40000"),
        occurred_on=today - timedelta(days=3),
        due_on=today + timedelta(days=14),
        document="СФ-12",
    )
    client_receivables_refresh(client=client)
    sign_in("fin")
    found = violations_while(page, lambda: page.goto(f"/clients/{client.pk}/"))
    assert found == []

    limit_form = page.get_by_test_id("credit-limit-form")
    limit_form.get_by_label("Credit limit").fill("-1")
    limit_form.get_by_role("button", name="Save the limit").click()
    expect(page.get_by_test_id("credit-limit-form").locator(".error")).to_be_visible()
    expect(page.get_by_role("link", name="callpulse")).to_be_visible()  # the page, styled

    page.get_by_test_id("credit-limit-form").get_by_label("Credit limit").fill("250,000.00")
    page.get_by_role("button", name="Save the limit").click()
    expect(page.locator(".messages")).to_contain_text("Credit limit saved.")
    panel = page.get_by_test_id("debt-panel")
    expect(panel).to_contain_text(re.compile(r"Credit limit\s*250\s000"))

    payment = page.get_by_test_id("credit-event-form")
    expect(payment.get_by_label("Event")).to_have_value("payment")
    payment.get_by_label("Amount").fill("15000")
    payment.get_by_label("Document").fill("ПП-301")
    payment.get_by_role("button", name="Record").click()
    expect(page.locator(".messages")).to_contain_text("Payment recorded.")
    expect(page.get_by_test_id("debt")).to_contain_text(re.compile(r"25\s000"))
    expect(page.locator("#history-h + .table-scroll, #history-h + table").first).to_contain_text(
        "ПП-301"
    )
    client.refresh_from_db()
    assert client.credit_limit == Decimal("250000.00") and client.debt == Decimal("25000")


def test_a_supervisor_records_an_absence_with_cover(page: Page, sign_in, make_user, debug_mode):
    supervisor = make_user("supervisor", username="sup", full_name="Супервайзер Асель")
    team = TeamFactory(supervisor=supervisor)
    away = make_user("operator", full_name="Оператор Ерлан", team=team)
    cover = make_user("operator", full_name="Оператор Дана", team=team)
    sign_in("sup")
    page.goto("/staff/presence/")
    found = violations_while(page, lambda: page.get_by_test_id("absences-link").click())
    assert found == []
    expect(page.get_by_role("heading", level=1)).to_have_text("Absences and cover")

    starts = timezone.localtime() + timedelta(days=1)
    form = page.get_by_test_id("absence-form")
    form.get_by_label("Who is away").select_option(label=str(away))
    form.get_by_label("Why").select_option("sick_leave")
    form.get_by_label("From").fill(starts.strftime("%Y-%m-%dT09:00"))
    form.get_by_label("Until").fill(starts.strftime("%Y-%m-%dT08:00"))  # before it starts
    form.get_by_label("Covered by").select_option(label=str(cover))
    form.get_by_role("button", name="Record the absence").click()
    expect(page.get_by_test_id("absence-form").locator(".field-ends_at .error")).to_be_visible()
    assert not Absence.objects.exists()

    form = page.get_by_test_id("absence-form")
    form.get_by_label("Until").fill((starts + timedelta(days=3)).strftime("%Y-%m-%dT18:00"))
    form.get_by_role("button", name="Record the absence").click()
    expect(page.locator(".messages")).to_contain_text("absence is recorded")
    row = page.get_by_test_id("absences").locator("tbody tr").first
    expect(row).to_contain_text("Оператор Ерлан")
    expect(row).to_contain_text("Sick leave")
    expect(row).to_contain_text("Оператор Дана")
    absence = Absence.objects.get(user=away)
    assert absence.covered_by == cover and absence.created_by == supervisor


def test_the_head_of_sales_promotes_a_product_and_changes_a_price(page: Page, sign_in, make_user):
    make_user("head_of_sales", username="hos", full_name="Руководитель продаж")
    product = make_catalog(skus=1)[0]
    price = Price.objects.filter(product=product, column__code="retail").get()
    sign_in("hos")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
    expect(page.locator("#result_list")).to_contain_text(product.sku)

    found = violations_while(page, lambda: page.get_by_role("link", name=product.sku).click())
    assert found == []
    promoted_to = timezone.localdate() + timedelta(days=30)
    page.locator("#id_promoted_to").fill(promoted_to.isoformat())
    page.locator("#id_promotion_note").fill("Скидка недели")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    product.refresh_from_db()
    assert product.promoted_to == promoted_to

    page.goto(f"/admin/catalog/price/{price.pk}/change/")
    page.locator("#id_amount").fill("1111.50")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    price.refresh_from_db()
    assert price.amount == Decimal("1111.50")
    assert Product.objects.count() == 1

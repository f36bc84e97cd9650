"""Issue 14, item 10: wide tables scroll in their block on a phone, money over a million is short
in tables (exact in the title), chart axes stay inside their SVG, number fields are localised."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from callpulse.core.models import Department, Team
from callpulse.core.tests.factories import UserFactory
from callpulse.sales import services
from callpulse.sales.models import MotivationScheme, SalesPlan
from callpulse.sales.tests.test_motivation import scheme
from callpulse.telephony.models import Callback, CallbackReason

pytestmark = pytest.mark.browser
NB = "\u00a0"
BIG = Decimal("215287540210.21")  # 215 billion: the widest amount a plan holds


def a_plan() -> SalesPlan:
    department = Department.objects.create(code="fit", name="Отдел оптовых продаж и дистрибуции")
    supervisor = UserFactory(roles=["supervisor"], department=department)
    team = Team.objects.create(
        name="Команда Северо-Восточного региона", department=department, supervisor=supervisor
    )
    for name in ("Александра Константиновна Веселовская", "Борис Ким"):
        UserFactory(roles=["operator"], full_name=name, department=department, team=team)
    return services.plan_create(
        actor=UserFactory(roles=["head_of_sales"]),
        department=department,
        period_kind="month",
        day=timezone.localdate(),
        amount=BIG,
    )


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_wide_tables_never_widen_a_phones_page(page: Page, sign_in: Callable[..., None]) -> None:
    plan = a_plan()
    UserFactory(username="boss", roles=["director", "head_of_sales", "supervisor"])
    Callback.objects.create(
        phone="+77015551234",
        name="ТОО «Алтын Дала Дистрибьюшн»",
        reason=CallbackReason.WEBSITE,
        due_at=timezone.now() - timedelta(minutes=5),
    )
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in("boss")
    for path in (
        "/desk/callbacks/",
        "/sales/",
        f"/sales/plans/{plan.pk}/",
        f"/sales/plans/{plan.pk}/weekly/",
        "/sales/standup/",
        "/sales/money/",
    ):
        page.goto(path)
        assert page_width(page) <= 390, path


def test_a_table_shows_big_money_short_with_the_exact_amount_on_hover(
    page: Page, sign_in: Callable[..., None]
) -> None:
    plan = a_plan()
    UserFactory(username="boss", roles=["head_of_sales"])
    sign_in("boss")
    page.goto(f"/sales/plans/{plan.pk}/")
    cell = page.locator("table.grid tr.team .money-short").first
    expect(cell).to_have_text(f"215{NB}287{NB}540{NB}210{NB}₸")
    expect(cell).to_have_attribute("title", f"215{NB}287{NB}540{NB}210,21{NB}₸")


def test_chart_axis_labels_lie_inside_the_svg(page: Page, sign_in: Callable[..., None]) -> None:
    plan = a_plan()
    UserFactory(username="boss", roles=["head_of_sales"])
    sign_in("boss")
    page.goto(f"/sales/plans/{plan.pk}/")
    for chart in page.locator("svg.chart").all():
        box = chart.bounding_box()
        assert box is not None
        labels = chart.locator("text")
        assert labels.count() > 0
        for label in labels.all():
            inner = label.bounding_box()
            assert inner is not None
            assert inner["x"] >= box["x"] - 0.5, label.text_content()
            assert inner["x"] + inner["width"] <= box["x"] + box["width"] + 0.5


def test_a_form_field_shows_a_russian_number_and_saves_it_back_unchanged(
    page: Page, sign_in: Callable[..., None]
) -> None:
    saved = scheme(target_bonus=Decimal("1234567.89"))
    saved.save()
    UserFactory(username="boss", roles=["head_of_sales"])
    sign_in("boss")
    with page.expect_navigation():
        page.select_option("#language", "ru")
    page.goto(f"/sales/schemes/{saved.pk}/")
    field = page.locator("input[name=target_bonus]")
    expect(field).to_have_value(f"1{NB}234{NB}567,89")
    with page.expect_navigation():
        page.locator("form.stack button[type=submit]").click()
    assert page.locator(".error").count() == 0
    assert MotivationScheme.objects.get(pk=saved.pk).target_bonus == Decimal("1234567.89")
    expect(field).to_have_value(f"1{NB}234{NB}567,89")

"""Sales plans in a real browser: an operator opens the daily stand-up and sees today's target."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from callpulse.core.models import Department, Team
from callpulse.core.money import format_money
from callpulse.core.tests.factories import UserFactory
from callpulse.sales import selectors, services

pytestmark = pytest.mark.browser


def test_operator_sees_todays_target_on_the_standup(
    page: Page, sign_in: Callable[..., None]
) -> None:
    department = Department.objects.create(code="sales-browser", name="Отдел продаж")
    supervisor = UserFactory(roles=["supervisor"], department=department)
    team = Team.objects.create(name="Команда Север", department=department, supervisor=supervisor)
    operators = [
        UserFactory(roles=["operator"], full_name=name, department=department, team=team)
        for name in ("Алия Сеитова", "Борис Ким", "Вера Пак")
    ]
    head_of_sales = UserFactory(roles=["head_of_sales"])
    plan = services.plan_create(
        actor=head_of_sales,
        department=department,
        period_kind="month",
        day=timezone.localdate(),
        amount=Decimal("3000000.00"),
    )
    me = operators[0]
    row = next(
        r for r in selectors.plan_progress(plan).people if r.user_id == me.pk
    )  # what the screen must show: 1 000 000 over my working days left
    sign_in(me.username)
    page.goto("/sales/standup/")
    expect(page.get_by_role("heading", name="Daily stand-up")).to_be_visible()
    mine = page.locator(f'tr[data-person="{me.full_name}"]')
    expect(mine.get_by_test_id("today-target")).to_have_text(format_money(row.today_target, "KZT"))
    expect(page.get_by_text("Борис Ким")).to_have_count(0)  # colleagues' targets are theirs
    # and on "my plan"
    page.goto("/sales/")
    expect(page.get_by_test_id("today-target")).to_have_text(format_money(row.today_target, "KZT"))

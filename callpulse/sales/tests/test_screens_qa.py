"""What QA found on the sales screens: layout of the stand-up, home, comparison and payouts."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from callpulse.core.tests.factories import UserFactory
from callpulse.sales import selectors, services
from callpulse.sales.charts import comparison_bars, cumulative_chart

D = date


@pytest.fixture
def june(org):
    """A June 2026 plan: 1 June is a Monday, 5 June a Friday, 8 June the next Monday."""
    return services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="month",
        day=D(2026, 6, 1),
        amount=Decimal("8000.00"),
    )


@pytest.fixture
def running(org):
    return services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="month",
        day=timezone.localdate(),
        amount=Decimal("8000.00"),
    )


def body(client, user, name, query: str = "", **kwargs) -> str:
    client.force_login(user)
    response = client.get(reverse(name, kwargs=kwargs) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_standup_shows_the_last_working_day_on_a_monday(client, org, june) -> None:
    page = body(client, org.operators[0], "sales:standup", "?day=2026-06-08")
    assert "Last working day" in page
    assert "Yesterday" not in page
    assert "<td>05.06</td>" in page  # Friday, not Sunday 07.06
    assert "07.06" not in page


def test_standup_explains_a_zero_target_on_a_day_off(client, org, june) -> None:
    page = body(client, org.operators[0], "sales:standup", "?day=2026-06-06")  # Saturday
    assert 'data-testid="target-reason">day off<' in page


def test_standup_explains_a_zero_target_when_the_plan_is_reached(client, org, june, sell) -> None:
    op = org.operators[0]
    sell(op, D(2026, 6, 1), june.nodes.get(user=op).amount)
    page = body(client, op, "sales:standup", "?day=2026-06-02")
    assert 'data-testid="target-reason">plan reached<' in page
    assert "day off" not in page


def test_last_working_day_skips_the_weekend(org, june) -> None:
    progress = selectors.plan_progress(june, today=D(2026, 6, 8))
    assert progress.department.yesterday == D(2026, 6, 5)
    assert progress.department.works_today
    assert not selectors.plan_progress(june, today=D(2026, 6, 7)).department.works_today


def test_head_of_sales_sees_the_running_plans_on_home(client, org, running) -> None:
    page = body(client, org.head_of_sales, "sales:home")
    assert "Running plans you lead" in page
    assert 'data-testid="overseen"' in page
    assert reverse("sales:plan", kwargs={"plan_id": running.pk}) in page
    assert "no plan running" not in page and "no share" not in page


def test_supervisor_sees_their_team_on_home(client, org, running) -> None:
    page = body(client, org.supervisors[0], "sales:home")
    assert "Команда A" in page and "Команда B" not in page


def test_planner_gets_one_short_empty_line(client, org, running) -> None:
    page = body(client, UserFactory(roles=["workforce_planner"]), "sales:home")
    assert page.count('class="empty"') == 1
    assert "No sales plan concerns you." in page
    assert "<table" not in page


def test_nav_says_plans(client, org) -> None:
    page = body(client, org.head_of_sales, "sales:home")
    assert "My plan and plans" not in page
    assert re.search(r'<a href="/sales/">Plans</a>', page)


def test_no_empty_comparison_panel_for_an_operator(client, org, running) -> None:
    op = org.operators[0]
    assert "Comparison" not in body(client, op, "sales:plan", plan_id=running.pk)
    assert "Comparison" not in body(client, op, "sales:weekly", plan_id=running.pk)
    assert "Comparison" in body(client, org.head, "sales:plan", plan_id=running.pk)


def test_payout_lines_show_their_sign(client, org, running) -> None:
    op = org.operators[0]
    services.scheme_save(actor=org.head_of_sales, name="S", penalty_per_point=Decimal(1000))
    services.incident_record(
        actor=org.head_of_sales,
        user=op,
        kind="order_error",
        day=running.starts_on,
        points=6,
    )
    page = body(client, op, "sales:payouts", plan_id=running.pk)
    assert "−6\u00a0000\u00a0₸" in page
    assert "+6\u00a0000\u00a0₸" in page


def test_comparison_chart_fits_names_and_has_legend_and_values(org, june) -> None:
    progress = selectors.plan_progress(june, today=D(2026, 6, 10))
    rows = list(progress.rows)
    rows[0].name = "Константин Константинопольский-Щедрин"  # 37 characters
    svg = str(comparison_bars(rows, title="t"))
    first_bar = re.search(
        r'<rect x="(\d+)" y="\d+" width="[\d.]+" height="14" class="bar-plan"', svg
    )
    assert first_bar is not None and int(first_bar.group(1)) > 205
    assert f"<title>{rows[0].name}</title>" in svg
    assert "plan to date" in svg and "fact to date" in svg
    assert 'class="swatch bar-plan"' in svg and 'class="swatch bar-fact"' in svg
    assert "\u00a0₸</text>" in svg and ",00" not in svg


def test_comparison_chart_cuts_very_long_names(org, june) -> None:
    progress = selectors.plan_progress(june, today=D(2026, 6, 10))
    rows = list(progress.rows)
    rows[0].name = "Я" * 80
    svg = str(comparison_bars(rows, title="t"))
    assert "…</text>" in svg
    assert f"<title>{'Я' * 80}</title>" in svg


def test_cumulative_chart_has_amounts_on_the_axis_and_a_legend(org, june) -> None:
    progress = selectors.plan_progress(june, today=D(2026, 6, 10))
    svg = str(cumulative_chart(progress.department, june.starts_on, june.ends_on, title="t"))
    assert "8\u00a0000\u00a0₸" in svg and "4\u00a0000\u00a0₸" in svg
    assert 'class="swatch swatch-plan-line"' in svg and 'class="swatch swatch-fact"' in svg

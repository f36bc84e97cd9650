"""The sales screens through Django's test client: who sees what, forms, print, XLSX."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from callpulse.core.models import AuditEntry
from callpulse.core.tests.factories import UserFactory
from callpulse.sales import services
from callpulse.sales.models import Incident, MotivationScheme, SalesPlan, TargetCorrection


@pytest.fixture
def plan(org):
    """This month's plan, so 'today' views show it."""
    return services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="month",
        day=timezone.localdate(),
        amount=Decimal("8000.00"),
    )


def page(client, user, name, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs))


def test_operator_sees_own_plan_and_target_on_home_and_standup(client, org, plan) -> None:
    op = org.operators[0]
    response = page(client, op, "sales:home")
    assert response.status_code == 200
    assert "today-target" in response.content.decode()
    standup = page(client, op, "sales:standup").content.decode()
    assert "Оператор 1" in standup
    assert "Оператор 2" not in standup


def test_plan_page_scopes(client, org, plan) -> None:
    full = page(client, org.head, "sales:plan", plan_id=plan.pk).content.decode()
    assert "Команда B" in full and "<svg" in full
    team = page(client, org.supervisors[0], "sales:plan", plan_id=plan.pk).content.decode()
    assert "Оператор 2" in team and "Оператор 4" not in team
    assert "Correct a day" not in team  # no editing forms for readers
    assert (
        page(client, UserFactory(roles=["operator"]), "sales:plan", plan_id=plan.pk).status_code
        == 404
    )
    editor = page(client, org.head_of_sales, "sales:plan", plan_id=plan.pk).content.decode()
    assert "Correct a day" in editor


def test_plan_new_only_for_editors(client, org) -> None:
    assert page(client, org.supervisors[0], "sales:plan_new").status_code == 403
    client.force_login(org.head_of_sales)
    response = client.post(
        reverse("sales:plan_new"),
        {
            "department": org.department.pk,
            "period_kind": "month",
            "day": "2026-06-01",
            "amount": "1000.00",
            "basis": "orders",
            "method": "equal",
            "rhythm": "weekly",
        },
    )
    assert response.status_code == 302
    assert SalesPlan.objects.get().rhythm == "weekly"
    again = client.post(
        reverse("sales:plan_new"),
        {
            "department": org.department.pk,
            "period_kind": "month",
            "day": "2026-06-02",
            "amount": "5",
            "basis": "orders",
            "method": "equal",
            "rhythm": "daily",
        },
    )
    assert again.status_code == 200
    assert "already has a plan" in again.content.decode()


def test_correction_form_logs_and_refuses_readers(client, org, plan) -> None:
    node = plan.nodes.get(user=org.operators[0])
    workday = plan.ends_on
    while workday.weekday() >= 5:
        workday = date.fromordinal(workday.toordinal() - 1)
    data = {"node": node.pk, "day": workday.isoformat(), "amount": "1.00", "reason": "семинар"}
    client.force_login(org.supervisors[0])
    client.post(reverse("sales:correct", kwargs={"plan_id": plan.pk}), data)
    assert not TargetCorrection.objects.exists()
    client.force_login(org.head_of_sales)
    client.post(reverse("sales:correct", kwargs={"plan_id": plan.pk}), data)
    assert TargetCorrection.objects.get().reason == "семинар"
    assert AuditEntry.objects.filter(action="sales.target_correct").count() == 1


def test_weekly_report_is_printable(client, org, plan) -> None:
    body = page(client, org.head, "sales:weekly", plan_id=plan.pk).content.decode()
    assert "/static/sales/sales.css" in body and "data-print" in body  # a file, under the CSP
    from django.contrib.staticfiles import finders

    assert "@media print" in Path(finders.find("sales/sales.css")).read_text()
    assert "Weekly meeting" in body


def test_payouts_page_and_xlsx(client, org, plan) -> None:
    services.scheme_save(actor=org.head_of_sales, name="S", target_bonus=Decimal(100))
    body = page(client, org.operators[0], "sales:payouts", plan_id=plan.pk).content.decode()
    assert "Оператор 1" in body and "Оператор 2" not in body
    assert "XLSX" not in body
    assert page(client, org.operators[0], "sales:payouts_xlsx", plan_id=plan.pk).status_code == 403
    response = page(client, org.head_of_sales, "sales:payouts_xlsx", plan_id=plan.pk)
    assert response.status_code == 200
    assert load_workbook(BytesIO(response.content)).worksheets[0].max_row == 11


def test_schemes_and_incidents_forms(client, org) -> None:
    client.force_login(org.operators[0])
    assert client.post(reverse("sales:schemes"), {"name": "x"}).status_code == 403
    assert client.post(reverse("sales:incidents"), {}).status_code == 403
    client.force_login(org.head_of_sales)
    response = client.post(
        reverse("sales:schemes"),
        {
            "name": "Базовая",
            "is_active": "on",
            "target_bonus": "1000",
            "threshold_pct": "80",
            "threshold_share_pct": "50",
            "accelerator": "2",
            "record_day_bonus": "0",
            "record_month_bonus": "0",
            "penalty_per_point": "0",
            "collective_min_pct": "100",
            "collective_reduction_pct": "0",
        },
    )
    assert response.status_code == 302
    assert MotivationScheme.objects.get().name == "Базовая"
    response = client.post(
        reverse("sales:incidents"),
        {"user": org.operators[0].pk, "kind": "order_error", "day": "2026-06-02", "points": "1"},
    )
    assert response.status_code == 302
    assert Incident.objects.get().points == 1
    own = page(client, org.operators[1], "sales:incidents").content.decode()
    assert "Оператор 1" not in own


def test_money_page(client, org) -> None:
    body = page(client, org.head_of_sales, "sales:money").content.decode()
    assert "Менеджер 1" in body
    body = page(client, org.managers[1], "sales:money").content.decode()
    assert "Менеджер 2" in body and "Менеджер 1" not in body


def test_admin_pages_open(admin_client, org, plan) -> None:
    scheme = services.scheme_save(actor=org.head_of_sales, name="S")
    for model in (
        "salesplan",
        "plannode",
        "planassortment",
        "targetcorrection",
        "motivationscheme",
        "incident",
    ):
        assert admin_client.get(f"/admin/sales/{model}/").status_code == 200
    assert admin_client.get(f"/admin/sales/salesplan/{plan.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/sales/motivationscheme/{scheme.pk}/change/").status_code == 200
    assert admin_client.get("/admin/sales/motivationscheme/add/").status_code == 403


def test_new_plan_with_assortment_and_hand_weights_on_screen(client, org) -> None:
    from callpulse.catalog.models import Category

    juice = Category.objects.create(name="Соки")
    client.force_login(org.head_of_sales)
    client.post(
        reverse("sales:plan_new"),
        {
            "department": org.department.pk,
            "period_kind": "month",
            "day": "2026-06-01",
            "amount": "800.00",
            "basis": "orders",
            "method": "equal",
            "rhythm": "daily",
            "category": juice.pk,
            "category_amount": "100.00",
            "new_products_amount": "50.00",
        },
    )
    plan = SalesPlan.objects.get()
    assert sorted(plan.assortment_goals.values_list("amount", flat=True)) == [
        Decimal("50.00"),
        Decimal("100.00"),
    ]
    body = client.get(reverse("sales:plan", kwargs={"plan_id": plan.pk})).content.decode()
    assert f'name="w:team:{org.teams[0].pk}"' in body
    weights = {f"w:team:{t.pk}": "1" for t in org.teams}
    weights |= {f"w:user:{u.pk}": "1" for u in org.operators}
    weights |= {f"w:user:{org.managers[0].pk}": "2", f"w:user:{org.managers[1].pk}": "0,0"}
    client.post(
        reverse("sales:redecompose", kwargs={"plan_id": plan.pk}), {"method": "manual", **weights}
    )
    amounts = dict(plan.nodes.values_list("name", "amount"))
    assert amounts["Менеджер 1"] == Decimal("400.00")
    assert amounts["Менеджер 2"] == Decimal("0.00")
    assert amounts["Команда A"] == Decimal("200.00")

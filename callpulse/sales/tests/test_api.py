"""The sales API: who may write and read (both ways), field errors, corrections logged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from callpulse.core.models import AuditEntry
from callpulse.core.tests.factories import UserFactory
from callpulse.sales import services
from callpulse.sales.models import Incident, MotivationScheme, SalesPlan, TargetCorrection

PLANS = "/api/v1/sales/plans/"


def plan_payload(org, **extra):
    return {
        "department": org.department.pk,
        "period_kind": "month",
        "day": "2026-06-01",
        "amount": "8000.00",
        **extra,
    }


@pytest.fixture
def plan(org):
    return services.plan_create(
        actor=org.head_of_sales,
        department=org.department,
        period_kind="month",
        day=date(2026, 6, 1),
        amount=Decimal("8000.00"),
    )


@pytest.mark.parametrize("role", ["head_of_sales", "director"])
def test_editors_create_a_plan(org, api_as, role) -> None:
    response = api_as(UserFactory(roles=[role])).post(PLANS, plan_payload(org), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["starts_on"] == "2026-06-01"
    assert SalesPlan.objects.get().nodes.count() == 10


@pytest.mark.parametrize(
    "role", ["operator", "supervisor", "department_head", "account_manager", "finance"]
)
def test_others_may_not_create_plans(org, api_as, role) -> None:
    response = api_as(UserFactory(roles=[role])).post(PLANS, plan_payload(org), format="json")
    assert response.status_code == 403
    assert not SalesPlan.objects.exists()


def test_bad_input_is_a_400_naming_the_field(org, api_as) -> None:
    client = api_as(org.head_of_sales)
    response = client.post(PLANS, plan_payload(org, method="manual", weights={}), format="json")
    assert response.status_code == 400
    assert "weights" in response.json()
    response = client.post(PLANS, plan_payload(org, amount="-5"), format="json")
    assert response.status_code == 400
    assert "amount" in response.json()


def test_everyone_sees_their_own_plan_and_no_more(org, api_as, plan) -> None:
    op = org.operators[4]
    response = api_as(op).get(f"{PLANS}{plan.pk}/progress/?day=2026-06-03")
    assert response.status_code == 200
    body = response.json()
    assert body["department"] is None
    assert [r["name"] for r in body["rows"]] == ["Оператор 5"]
    assert body["rows"][0]["plan"] == "1000.00"
    assert body["rows"][0]["today_target"] == "50.00"  # 1000 over 20 days left of 22
    supervisor = api_as(org.supervisors[0]).get(f"{PLANS}{plan.pk}/progress/").json()
    assert next(r["name"] for r in supervisor["rows"]) == "Команда A"
    assert len(supervisor["rows"]) == 4
    head = api_as(org.head).get(f"{PLANS}{plan.pk}/progress/").json()
    assert head["department"]["plan"] == "8000.00"
    assert len(head["rows"]) == 10
    stranger = UserFactory(roles=["operator"])
    assert api_as(stranger).get(f"{PLANS}{plan.pk}/progress/").status_code == 404
    assert api_as(stranger).get(PLANS).json()["results"] == []
    assert [p["id"] for p in api_as(op).get(PLANS).json()["results"]] == [plan.pk]


def test_my_targets(org, api_as, plan) -> None:
    rows = api_as(org.managers[0]).get("/api/v1/sales/my-targets/?day=2026-06-01").json()
    assert [(r["name"], r["today_target"]) for r in rows] == [("Менеджер 1", "45.45")]  # 1000/22


def test_corrections_by_head_of_sales_are_logged(org, api_as, plan) -> None:
    node = plan.nodes.get(user=org.operators[0])
    payload = {"node": node.pk, "day": "2026-06-05", "amount": "10.00", "reason": "тренинг"}
    assert api_as(org.supervisors[0]).post("/api/v1/sales/corrections/", payload).status_code == 403
    assert api_as(org.operators[0]).post("/api/v1/sales/corrections/", payload).status_code == 403
    response = api_as(org.head_of_sales).post("/api/v1/sales/corrections/", payload)
    assert response.status_code == 201, response.content
    assert AuditEntry.objects.filter(
        action="sales.target_correct", actor=org.head_of_sales
    ).exists()
    correction = TargetCorrection.objects.get()
    # the person sees their correction; another operator does not
    assert api_as(org.operators[0]).get("/api/v1/sales/corrections/").json()["count"] == 1
    assert api_as(org.operators[1]).get("/api/v1/sales/corrections/").json()["count"] == 0
    response = api_as(org.head_of_sales).post(
        f"/api/v1/sales/corrections/{correction.pk}/withdraw/", {"reason": "ошибка"}
    )
    assert response.status_code == 204
    assert not TargetCorrection.objects.exists()


def test_schemes_read_by_all_written_by_editors(org, api_as) -> None:
    payload = {"name": "Стандарт", "target_bonus": "100000.00", "promotion_pct": "120"}
    assert api_as(org.operators[0]).post("/api/v1/sales/schemes/", payload).status_code == 403
    assert api_as(org.head).post("/api/v1/sales/schemes/", payload).status_code == 403
    response = api_as(org.head_of_sales).post("/api/v1/sales/schemes/", payload)
    assert response.status_code == 201, response.content
    scheme = MotivationScheme.objects.get()
    assert api_as(org.operators[0]).get("/api/v1/sales/schemes/").status_code == 200
    response = api_as(org.head_of_sales).patch(
        f"/api/v1/sales/schemes/{scheme.pk}/", {"threshold_pct": "150"}
    )
    assert response.status_code == 400
    assert "threshold_pct" in response.json()


def test_incidents(org, api_as) -> None:
    payload = {"user": org.operators[0].pk, "kind": "complaint", "day": "2026-06-02", "points": 2}
    assert api_as(org.supervisors[0]).post("/api/v1/sales/incidents/", payload).status_code == 403
    assert api_as(org.head_of_sales).post("/api/v1/sales/incidents/", payload).status_code == 201
    assert api_as(org.operators[0]).get("/api/v1/sales/incidents/").json()["count"] == 1
    assert api_as(org.operators[1]).get("/api/v1/sales/incidents/").json()["count"] == 0
    incident = Incident.objects.get()
    assert (
        api_as(org.operators[0]).delete(f"/api/v1/sales/incidents/{incident.pk}/").status_code
        == 403
    )
    assert (
        api_as(org.head_of_sales).delete(f"/api/v1/sales/incidents/{incident.pk}/").status_code
        == 204
    )


def test_payouts_and_xlsx(org, api_as, plan, sell) -> None:
    services.scheme_save(
        actor=org.head_of_sales, name="S", target_bonus=Decimal(1000), threshold_pct=Decimal(0)
    )
    sell(org.operators[0], date(2026, 6, 2), "500")
    own = api_as(org.operators[0]).get(f"{PLANS}{plan.pk}/payouts/?day=2026-06-30").json()
    assert [p["name"] for p in own] == ["Оператор 1"]
    assert own[0]["lines"][0]["rule"] == "tier"
    assert api_as(org.operators[0]).get(f"{PLANS}{plan.pk}/payouts-xlsx/").status_code == 403
    finance = UserFactory(roles=["finance"])
    response = api_as(finance).get(f"{PLANS}{plan.pk}/payouts-xlsx/?day=2026-06-30")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    assert sheet.max_row == 2 + 8 + 1


def test_leaderboard_and_weekly_scope(org, api_as, plan, sell) -> None:
    sell(org.operators[3], date(2026, 6, 2), "500")
    board = api_as(org.head_of_sales).get(f"{PLANS}{plan.pk}/leaderboard/?day=2026-06-03").json()
    assert board[0]["name"] == "Оператор 4"
    team_a = api_as(org.supervisors[0]).get(f"{PLANS}{plan.pk}/leaderboard/").json()
    assert {r["name"] for r in team_a} == {"Оператор 1", "Оператор 2", "Оператор 3"}
    weekly = api_as(org.supervisors[1]).get(f"{PLANS}{plan.pk}/weekly/?week=2026-06-02").json()
    assert next(w["row"]["name"] for w in weekly) == "Команда B"


def test_money(org, api_as) -> None:
    assert len(api_as(org.head_of_sales).get("/api/v1/sales/money/").json()) >= 2
    assert [r["manager"] for r in api_as(org.managers[0]).get("/api/v1/sales/money/").json()] == [
        org.managers[0].pk
    ]
    assert api_as(org.operators[0]).get("/api/v1/sales/money/").json() == []


def test_dates_out_of_range_are_refused(org, api_as, plan) -> None:
    client = api_as(org.head_of_sales)
    assert client.get(f"{PLANS}{plan.pk}/progress/?day=9999-12-31").status_code == 400
    assert client.get(f"{PLANS}{plan.pk}/weekly/?week=junk").status_code == 400
    response = client.post(PLANS, plan_payload(org, day="0001-01-01"), format="json")
    assert response.status_code == 400
    assert "day" in response.json()

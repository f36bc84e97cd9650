"""The orders API enforces the same rules as the screen, and answers 400 by field."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from callpulse.catalog.tests.factories import make_catalog
from callpulse.crm.models import CreditEvent
from callpulse.crm.services import client_receivables_refresh
from callpulse.crm.tests.factories import ClientFactory, client_type
from callpulse.orders.models import Order

pytestmark = pytest.mark.django_db


def working_day():
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return day


@pytest.fixture
def setup(make_user, api_as):
    make_catalog()
    operator = make_user("operator")
    client = ClientFactory(client_type=client_type("key"), credit_limit=Decimal("50000"))
    return api_as(operator), client, operator


def test_an_order_taken_end_to_end_over_the_api(setup):
    api, client, _ = setup
    created = api.post(
        "/api/v1/orders/",
        {"client": client.pk, "lines": [{"sku": "P1", "quantity": "3"}]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    order = created.json()
    assert order["total"] == "2550.00" and order["price_column"] == "key"
    assert order["lines"][0]["explanation"] == ["Key client → column “Key”"]
    url = f"/api/v1/orders/{order['id']}"
    candidates = api.get(f"{url}/candidates/").json()
    assert all("source_label" in c for c in candidates)

    refused = api.post(f"{url}/accept/", {}, format="json")
    assert refused.status_code == 400
    assert {"offers", "delivery_date", "receiver", "payment_form"} <= set(refused.json())

    for sku in ("P2", "P3"):
        assert (
            api.post(
                f"{url}/offers/", {"sku": sku, "source": "new", "accepted": False}, format="json"
            ).status_code
            == 201
        )
    taken = api.post(
        f"{url}/offers/",
        {"sku": "P4", "source": "promoted", "accepted": True, "quantity": "2"},
        format="json",
    )
    assert taken.json()["added_revenue"] == "1700.00"
    terms = api.patch(
        f"{url}/terms/",
        {
            "delivery_date": working_day().isoformat(),
            "receiver": "Кладовщик Ержан",
            "payment_form": "bank_transfer",
            "documents": ["invoice"],
        },
        format="json",
    )
    assert terms.status_code == 200, terms.json()
    accepted = api.post(f"{url}/accept/", {}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted" and accepted.json()["number"]
    assert accepted.json()["total"] == "4250.00"


def test_the_credit_refusal_names_the_reason_and_hand_off_works(setup):
    api, client, _ = setup
    today = timezone.localdate()
    CreditEvent.objects.create(
        client=client,
        kind="invoice",
        amount=Decimal("84500"),
        occurred_on=today - timedelta(days=60),
        due_on=today - timedelta(days=30),
    )
    client_receivables_refresh(client=client)
    order = api.post(
        "/api/v1/orders/",
        {"client": client.pk, "lines": [{"sku": "P1", "quantity": "1"}]},
        format="json",
    ).json()
    url = f"/api/v1/orders/{order['id']}"
    for sku in ("P2", "P3", "P4"):
        api.post(f"{url}/offers/", {"sku": sku, "source": "new", "accepted": False}, format="json")
    api.patch(
        f"{url}/terms/",
        {"delivery_date": working_day().isoformat(), "receiver": "X", "payment_form": "cash"},
        format="json",
    )
    refused = api.post(f"{url}/accept/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["credit"][0].startswith("Not accepted: overdue 84\u00a0500\u00a0₸ since")
    override = api.post(f"{url}/accept/", {"override_reason": "обещали оплату"}, format="json")
    assert override.status_code == 403  # an operator cannot override
    handed = api.post(f"{url}/hand-off/", {"to": "finance"}, format="json")
    assert handed.status_code == 200 and handed.json()["status"] == "handed_off"


def test_bad_lines_are_field_errors_and_nothing_is_written(setup):
    api, client, _ = setup
    response = api.post(
        "/api/v1/orders/",
        {"client": client.pk, "lines": [{"sku": "NOPE", "quantity": "x"}]},
        format="json",
    )
    assert response.status_code == 400 and "lines" in response.json()
    assert not Order.objects.exists()
    order = api.post("/api/v1/orders/", {"client": client.pk}, format="json").json()
    bad = api.put(
        f"/api/v1/orders/{order['id']}/lines/",
        {"lines": [{"sku": "P1", "quantity": "-1"}]},
        format="json",
    )
    assert bad.status_code == 400 and "quantity must be positive" in bad.json()["lines"][0]


def test_operators_see_their_own_orders_and_finance_sees_all(setup, make_user, api_as):
    api, client, _ = setup
    api.post("/api/v1/orders/", {"client": client.pk}, format="json")
    other = api_as(make_user("operator"))
    assert other.get("/api/v1/orders/").json()["results"] == []
    assert len(api_as(make_user("finance")).get("/api/v1/orders/").json()["results"]) == 1
    assert (
        api_as(make_user("finance"))
        .post("/api/v1/orders/", {"client": client.pk}, format="json")
        .status_code
        == 403
    )


def test_products_are_read_by_all_and_edited_by_the_head_of_sales(setup, make_user, api_as):
    api, _, _ = setup
    assert [p["sku"] for p in api.get("/api/v1/products/", {"search": "P1"}).json()["results"]] == [
        "P1"
    ]
    assert (
        api.post("/api/v1/products/", {"sku": "N1", "name": "Новинка"}, format="json").status_code
        == 403
    )
    head = api_as(make_user("head_of_sales"))
    assert (
        head.post("/api/v1/products/", {"sku": "N1", "name": "Новинка"}, format="json").status_code
        == 201
    )
    price_list = head.get("/api/v1/price-lists/").json()["results"][0]
    prices = head.get(f"/api/v1/price-lists/{price_list['id']}/prices/").json()
    assert any(
        p["sku"] == "P1" and p["column_code"] == "key" and p["amount"] == "850.00" for p in prices
    )

"""The clients API: cards, numbers, credit limits and the credit history, by role."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from callpulse.core.models import AuditEntry
from callpulse.crm.models import Client, CreditEvent, Phone
from callpulse.crm.tests.factories import ClientFactory, PhoneFactory, client_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user):
    return make_user("operator")


@pytest.fixture
def finance(make_user):
    return make_user("finance")


def test_an_operator_opens_a_card_with_numbers_in_any_form(operator, make_user, api_as):
    """The operator opens the card; the department head assigns its manager (seed 002)."""
    manager = make_user("account_manager")
    response = api_as(operator).post(
        "/api/v1/clients/",
        {
            "name": "ИП Сейткали",
            "type": "retail",
            "region": "Шымкент",
            "timezone": "Asia/Almaty",
            "phones": [
                {"number": "8 (701) 123-45-67", "kind": "mobile"},
                {"number": "+7 727 250 11 22"},
            ],
            "contacts": [
                {"full_name": "Сейткали Марат", "position": "директор", "is_primary": True}
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [p["number"] for p in body["phones"]] == ["+77011234567", "+77272501122"]
    assert body["type"] == "retail" and body["manager"] is None
    head = make_user("department_head")
    assigned = api_as(head).patch(
        f"/api/v1/clients/{body['id']}/", {"manager": manager.pk}, format="json"
    )
    assert assigned.status_code == 200 and assigned.json()["manager"] == manager.pk
    assert body["credit_status"] == "ok"
    assert body["contacts"][0]["full_name"] == "Сейткали Марат"


def test_bad_input_names_each_field_and_writes_nothing(operator, api_as):
    taken = PhoneFactory(number="+77011234567")
    response = api_as(operator).post(
        "/api/v1/clients/",
        {"name": "X", "type": "king", "timezone": "Mars/Base", "phones": [{"number": "12"}]},
        format="json",
    )
    assert response.status_code == 400
    assert {"type"} <= set(response.json())
    before = Client.objects.count()
    # the number belongs to another client: refused with the number named, nothing written
    response = api_as(operator).post(
        "/api/v1/clients/",
        {
            "name": "Y",
            "type": "retail",
            "phones": [{"number": "8 701 123 45 67"}, {"number": "nonsense"}],
        },
        format="json",
    )
    assert response.status_code == 400
    messages = " ".join(response.json()["phones"])
    assert "+77011234567" in messages and taken.client.name in messages and "nonsense" in messages
    response = api_as(operator).post(
        "/api/v1/clients/", {"name": "Z", "type": "retail", "timezone": "Mars/Base"}, format="json"
    )
    assert response.status_code == 400 and "timezone" in response.json()
    assert Client.objects.count() == before
    assert Phone.objects.count() == 1


def test_an_operator_reads_debt_status_but_cannot_change_the_credit_limit(operator, api_as):
    client = ClientFactory(credit_limit=Decimal("1000000"))
    api = api_as(operator)
    card = api.get(f"/api/v1/clients/{client.pk}/").json()
    assert {"debt", "overdue_debt", "overdue_since", "credit_limit", "credit_status"} <= set(card)
    response = api.patch(
        f"/api/v1/clients/{client.pk}/", {"credit_limit": "9000000"}, format="json"
    )
    assert response.status_code == 403
    client.refresh_from_db()
    assert client.credit_limit == Decimal("1000000")
    # ... and cannot create a client with a limit either
    response = api.post(
        "/api/v1/clients/", {"name": "New", "type": "new", "credit_limit": "10"}, format="json"
    )
    assert response.status_code == 403
    assert not Client.objects.filter(name="New").exists()


def test_finance_changes_the_credit_limit_and_it_is_audited(finance, api_as):
    client = ClientFactory(credit_limit=Decimal("1000000"))
    response = api_as(finance).patch(
        f"/api/v1/clients/{client.pk}/", {"credit_limit": "2500000.00"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["credit_limit"] == "2500000.00"
    entry = AuditEntry.objects.get(action="client.credit_limit")
    assert entry.actor == finance and entry.changes["credit_limit"] == ["1000000.00", "2500000.00"]


def test_finance_may_not_rewrite_the_card_itself(finance, api_as):
    client = ClientFactory(name="Old name")
    response = api_as(finance).patch(
        f"/api/v1/clients/{client.pk}/", {"name": "New"}, format="json"
    )
    assert response.status_code == 403


def test_the_credit_history_drives_the_debt_figures(finance, operator, api_as):
    client = ClientFactory(credit_limit=Decimal("100000"), client_type=client_type("key"))
    today = timezone.localdate()
    api = api_as(finance)
    invoice = {
        "kind": "invoice",
        "amount": "84500.00",
        "occurred_on": (today - timedelta(days=60)).isoformat(),
        "due_on": (today - timedelta(days=42)).isoformat(),
        "document": "СФ-1001",
    }
    assert (
        api.post(f"/api/v1/clients/{client.pk}/credit-events/", invoice, format="json").status_code
        == 201
    )
    card = api_as(operator).get(f"/api/v1/clients/{client.pk}/").json()
    assert card["debt"] == "84500.00" and card["overdue_debt"] == "84500.00"
    assert card["overdue_since"] == (today - timedelta(days=41)).isoformat()
    assert card["credit_status"] == "overdue"

    payment = {"kind": "payment", "amount": "84500", "occurred_on": today.isoformat()}
    assert (
        api.post(f"/api/v1/clients/{client.pk}/credit-events/", payment, format="json").status_code
        == 201
    )
    card = api_as(operator).get(f"/api/v1/clients/{client.pk}/").json()
    assert (
        card["debt"] == "0.00" and card["overdue_debt"] == "0.00" and card["credit_status"] == "ok"
    )
    history = api_as(operator).get(f"/api/v1/clients/{client.pk}/credit-events/").json()
    assert [e["kind"] for e in history] == ["payment", "invoice"]


def test_credit_events_are_finance_only_and_validated(finance, operator, api_as):
    client = ClientFactory()
    today = timezone.localdate()
    url = f"/api/v1/clients/{client.pk}/credit-events/"
    payment = {"kind": "payment", "amount": "10", "occurred_on": today.isoformat()}
    assert api_as(operator).post(url, payment, format="json").status_code == 403
    bad = api_as(finance).post(
        url,
        {"kind": "invoice", "amount": "-5", "occurred_on": (today + timedelta(days=3)).isoformat()},
        format="json",
    )
    assert bad.status_code == 400
    assert {"amount", "occurred_on", "due_on"} <= set(bad.json())
    assert not CreditEvent.objects.exists()


def test_over_the_limit_is_flagged(finance, api_as):
    client = ClientFactory(credit_limit=Decimal("1000"))
    today = timezone.localdate()
    api_as(finance).post(
        f"/api/v1/clients/{client.pk}/credit-events/",
        {
            "kind": "invoice",
            "amount": "1500",
            "occurred_on": today.isoformat(),
            "due_on": today.isoformat(),
        },
        format="json",
    )
    assert (
        api_as(finance).get(f"/api/v1/clients/{client.pk}/").json()["credit_status"] == "over_limit"
    )


def test_list_filters_and_search(operator, api_as):
    overdue = ClientFactory(name="ТОО Просрочка", overdue_debt=Decimal("5"), debt=Decimal("5"))
    key = ClientFactory(name="АО Ключевой", client_type=client_type("key"))
    PhoneFactory(client=key, number="+77051112233")
    api = api_as(operator)
    assert [
        c["id"] for c in api.get("/api/v1/clients/", {"overdue": "true"}).json()["results"]
    ] == [overdue.pk]
    assert [c["id"] for c in api.get("/api/v1/clients/", {"type": "key"}).json()["results"]] == [
        key.pk
    ]
    found = api.get("/api/v1/clients/", {"search": "8 705 111 22 33"}).json()["results"]
    assert [c["id"] for c in found] == [key.pk]
    assert [c["id"] for c in api.get("/api/v1/clients/", {"search": "ключ"}).json()["results"]] == [
        key.pk
    ]


def test_client_types_are_an_editable_list(make_user, api_as):
    codes = {
        t["code"]
        for t in api_as(make_user("operator")).get("/api/v1/client-types/").json()["results"]
    }
    assert codes == {"key", "marketer", "own_outlet", "retail", "regional", "new"}
    head = make_user("head_of_sales")
    created = api_as(head).post(
        "/api/v1/client-types/", {"code": "horeca", "name": "HoReCa"}, format="json"
    )
    assert created.status_code == 201
    assert (
        api_as(make_user("operator"))
        .post("/api/v1/client-types/", {"code": "x", "name": "X"}, format="json")
        .status_code
        == 403
    )


def test_the_client_list_does_not_query_per_row(operator, api_as, django_assert_max_num_queries):
    for n in range(15):
        c = ClientFactory(manager=operator)
        PhoneFactory(client=c, number=f"+7701555{n:04d}")
    api = api_as(operator)
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/clients/").json()["results"]) == 15


def test_the_nightly_refresh_restates_invoices_that_fell_overdue(finance):
    from django.core.management import call_command

    from callpulse.crm.services import credit_event_record

    client = ClientFactory()
    today = timezone.localdate()
    credit_event_record(
        actor=finance,
        client=client,
        kind="invoice",
        amount=Decimal("700"),
        occurred_on=today,
        due_on=today,
    )
    client.refresh_from_db()
    assert client.overdue_debt == 0
    Client.objects.filter(pk=client.pk).update(receivables_as_of=today - timedelta(days=1))
    # stale stored figures are recomputed live for the card ...
    from callpulse.crm.selectors import client_credit_status

    tomorrow = today + timedelta(days=1)
    assert client_credit_status(client, today=tomorrow).overdue_debt == Decimal("700")
    # ... and the nightly command stores them
    call_command("receivables_refresh")
    client.refresh_from_db()
    assert client.receivables_as_of == today


def test_the_batch_refresh_agrees_with_the_history_for_every_client(finance):
    from callpulse.crm.selectors import receivables_from_history
    from callpulse.crm.services import credit_event_record, receivables_refresh_all

    today = timezone.localdate()
    clients = [ClientFactory() for _ in range(4)]
    for n, client in enumerate(clients[:3]):
        credit_event_record(
            actor=finance,
            client=client,
            kind="invoice",
            amount=Decimal("100") * (n + 1),
            occurred_on=today - timedelta(days=30),
            due_on=today - timedelta(days=10 - n),
        )
    credit_event_record(
        actor=finance, client=clients[1], kind="payment", amount=Decimal("50"), occurred_on=today
    )
    Client.objects.update(debt=Decimal("999"), overdue_debt=Decimal("999"))
    assert receivables_refresh_all(batch_size=2) == 4
    for client in clients:
        client.refresh_from_db()
        expected = receivables_from_history(client_id=client.pk, as_of=today)
        assert (client.debt, client.overdue_debt, client.overdue_since) == (
            expected.debt,
            expected.overdue_debt,
            expected.overdue_since,
        )

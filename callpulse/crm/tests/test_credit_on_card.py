"""Finance on the client card (issue #14, item 5): the credit limit and payments, no API needed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client as PageClient
from django.urls import reverse
from django.utils import timezone

from callpulse.core.models import AuditEntry
from callpulse.crm.models import Client, CreditEvent
from callpulse.crm.services import client_receivables_refresh
from callpulse.crm.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indebted() -> Client:
    client = ClientFactory(credit_limit=Decimal("100000"))
    today = timezone.localdate()
    CreditEvent.objects.create(
        client=client,
        kind="invoice",
        amount=Decimal("30000"),
        occurred_on=today - timedelta(days=5),
        due_on=today + timedelta(days=10),
        document="СФ-1",
    )
    client_receivables_refresh(client=client)
    return client


def _pages(user) -> PageClient:
    pages = PageClient()
    pages.force_login(user)
    return pages


def test_finance_sees_the_forms_on_the_card_and_an_operator_does_not(make_user, indebted):
    url = reverse("crm:card", kwargs={"client_id": indebted.pk})
    finance = _pages(make_user("finance")).get(url)
    assert 'data-testid="credit-limit-form"' in finance.content.decode()
    operator = _pages(make_user("operator")).get(url)
    assert operator.status_code == 200
    assert 'data-testid="credit-control"' not in operator.content.decode()


def test_finance_sets_the_limit_typed_with_the_languages_separators(make_user, indebted):
    pages = _pages(make_user("finance"))
    url = reverse("crm:credit-limit", kwargs={"client_id": indebted.pk})
    response = pages.post(
        url, {"credit_limit": "1\u00a0250\u00a0000,50"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 302
    indebted.refresh_from_db()
    assert indebted.credit_limit == Decimal("1250000.50")
    assert AuditEntry.objects.filter(action="client.credit_limit").exists()


def test_a_bad_limit_is_a_400_naming_the_field_and_nothing_changes(make_user, indebted):
    pages = _pages(make_user("finance"))
    url = reverse("crm:credit-limit", kwargs={"client_id": indebted.pk})
    response = pages.post(url, {"credit_limit": "-5"})
    assert response.status_code == 400
    assert response.context["limit_form"].errors["credit_limit"]
    indebted.refresh_from_db()
    assert indebted.credit_limit == Decimal("100000")


def test_a_payment_recorded_on_the_card_lowers_the_debt(make_user, indebted):
    pages = _pages(make_user("finance"))
    url = reverse("crm:credit-event", kwargs={"client_id": indebted.pk})
    response = pages.post(
        url,
        {
            "kind": "payment",
            "amount": "12000",
            "occurred_on": timezone.localdate().isoformat(),
            "document": "ПП-5",
        },
    )
    assert response.status_code == 302
    indebted.refresh_from_db()
    assert indebted.debt == Decimal("18000")


def test_a_payment_dated_tomorrow_is_refused_by_the_service_on_its_field(make_user, indebted):
    pages = _pages(make_user("finance"))
    url = reverse("crm:credit-event", kwargs={"client_id": indebted.pk})
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = pages.post(
        url, {"kind": "payment", "amount": "10", "occurred_on": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert "future" in " ".join(response.context["event_form"].errors["occurred_on"])
    assert CreditEvent.objects.filter(client=indebted).count() == 1


@pytest.mark.parametrize("role", ["operator", "account_manager", "head_of_sales", "supervisor"])
def test_other_roles_are_refused_both_forms(make_user, indebted, role):
    pages = _pages(make_user(role))
    limit = pages.post(
        reverse("crm:credit-limit", kwargs={"client_id": indebted.pk}), {"credit_limit": "1"}
    )
    payment = pages.post(
        reverse("crm:credit-event", kwargs={"client_id": indebted.pk}),
        {"kind": "payment", "amount": "10", "occurred_on": timezone.localdate().isoformat()},
    )
    assert (limit.status_code, payment.status_code) == (403, 403)
    indebted.refresh_from_db()
    assert indebted.credit_limit == Decimal("100000")
    assert CreditEvent.objects.filter(client=indebted).count() == 1


def test_the_card_links_a_department_head_to_assigning_a_manager(make_user, indebted):
    response = _pages(make_user("department_head")).get(
        reverse("crm:card", kwargs={"client_id": indebted.pk})
    )
    assert reverse("crm:assign", kwargs={"client_id": indebted.pk}) in response.content.decode()

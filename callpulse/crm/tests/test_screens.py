"""The web screens: search by number in any form, the client card with its debt in red."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from callpulse.core.tests.factories import AbsenceFactory
from callpulse.crm.models import CreditEvent
from callpulse.crm.services import client_receivables_refresh
from callpulse.crm.tests.factories import ClientFactory, ContactFactory, PhoneFactory, client_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_client(make_user):
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


def test_the_search_goes_straight_to_the_card_for_a_typed_number(client, make_user, overdue_client):
    client.force_login(make_user("head_of_sales"))
    response = client.get("/clients/", {"q": "8 (701) 123-45-67", "go": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{overdue_client.pk}/"


def test_htmx_search_returns_only_the_result_rows(client, make_user, overdue_client):
    client.force_login(make_user("operator"))
    response = client.get("/clients/", {"q": "алтын"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "ТОО «Алтын Дала»" in html and "row-alert" in html


def test_the_card_shows_type_manager_presence_and_the_overdue_debt_in_red(
    client, make_user, overdue_client
):
    now = timezone.now()
    AbsenceFactory(
        user=overdue_client.manager,
        kind="vacation",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=4),
        covered_by=make_user("account_manager", full_name="Петров Сергей"),
    )
    client.force_login(make_user("operator"))
    html = client.get(f"/clients/{overdue_client.pk}/").content.decode()
    assert "Key client" in html
    assert "Иванова Айгерим" in html and "Vacation" in html and "covered by Петров Сергей" in html
    assert "debt-alert" in html
    assert "Overdue 84\u00a0500\u00a0₸ since" in html
    assert "+7 701 123 4567" in html and "Нурлан Абенов" in html and "СФ-77" in html


def test_a_client_without_debt_is_green_and_the_manager_in(client, make_user):
    manager = make_user("account_manager", full_name="Петров Сергей")
    c = ClientFactory(manager=manager)
    client.force_login(make_user("operator"))
    html = client.get(f"/clients/{c.pk}/").content.decode()
    assert "debt-ok" in html and "debt-alert" not in html
    assert "In today" in html


def test_the_card_speaks_russian_and_kazakh(client, make_user, overdue_client):
    client.force_login(make_user("operator"))
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    html = client.get(f"/clients/{overdue_client.pk}/").content.decode()
    assert "Ключевой клиент" in html and "Просрочено" in html
    client.post("/i18n/setlang/", {"language": "kk", "next": "/"})
    html = client.get(f"/clients/{overdue_client.pk}/").content.decode()
    assert "Негізгі клиент" in html


def test_a_missing_client_is_a_404_page(client, make_user):
    client.force_login(make_user("operator"))
    assert client.get("/clients/999999/").status_code == 404


def test_screens_need_a_login(client):
    response = client.get("/clients/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")

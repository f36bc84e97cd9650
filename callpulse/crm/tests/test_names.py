"""Issue #17: client, contact and client-type names refuse control characters, with a 400 (API)
or a form error (admin) naming the field, and nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from callpulse.crm.models import Client, ClientType, Contact
from callpulse.crm.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user):
    return make_user("operator")


def test_the_api_refuses_a_client_name_with_a_control_character(operator, api_as):
    api = api_as(operator)
    before = Client.objects.count()
    response = api.post(
        "/api/v1/clients/", {"name": "ТОО Бип\x07", "type": "retail"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"name"} and "U+0007" in response.json()["name"][0]
    response = api.post(
        "/api/v1/clients/",
        {"name": "ТОО Бип", "type": "retail", "contacts": [{"full_name": "Мар\u0085ат"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "U+0085" in str(response.json()["contacts"])
    assert Client.objects.count() == before


def test_the_api_refuses_a_control_character_on_update_but_notes_keep_their_lines(operator, api_as):
    client = ClientFactory(name="ТОО Ромашка")
    api = api_as(operator)
    url = f"/api/v1/clients/{client.pk}/"
    response = api.patch(url, {"name": "ТОО\nРомашка"}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    response = api.patch(url, {"notes": "first\nsecond\tline"}, format="json")
    assert response.status_code == 200, response.json()
    client.refresh_from_db()
    assert client.name == "ТОО Ромашка" and client.notes == "first\nsecond\tline"


def test_the_admin_forms_refuse_control_characters_in_names(admin_client):
    client = ClientFactory()
    response = admin_client.post(
        reverse("admin:crm_contact_add"),
        {"client": client.pk, "full_name": "Марат\x1b[2J", "position": "директор"},
    )
    assert response.status_code == 200 and "U+001B" in response.content.decode()
    assert not Contact.objects.exists()
    response = admin_client.post(
        reverse("admin:crm_clienttype_add"),
        {"code": "horeca", "name": "Ho\x07ReCa", "sort_order": 100},
    )
    assert response.status_code == 200 and "U+0007" in response.content.decode()
    assert not ClientType.objects.filter(code="horeca").exists()

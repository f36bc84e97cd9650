"""Caller identification: a number typed in any common form finds its client, in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callpulse.crm.models import Phone
from callpulse.crm.selectors import client_find_by_phone
from callpulse.crm.tests.factories import ClientFactory, PhoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def altyn():
    client = ClientFactory(name="ТОО «Алтын Дала»")
    PhoneFactory(client=client, number="+77011234567")
    PhoneFactory(client=ClientFactory(name="Другой"), number="+77017654321")
    return client


@pytest.mark.parametrize("typed", ["8 (701) 123-45-67", "+7 701 1234567", "77011234567"])
def test_each_form_finds_the_client(altyn, typed, make_user, api_as):
    assert client_find_by_phone(typed) == altyn
    response = api_as(make_user("operator")).get("/api/v1/clients/lookup", {"phone": typed})
    assert response.status_code == 200
    assert response.json()["name"] == "ТОО «Алтын Дала»"
    assert response.json()["phones"][0]["number"] == "+77011234567"


def test_lookup_is_one_query_on_the_unique_number_index(altyn):
    with CaptureQueriesContext(connection) as queries:
        client_find_by_phone("8 (701) 123-45-67")
    assert len(queries) == 1
    unique_columns = [
        c["columns"]
        for c in connection.introspection.get_constraints(
            connection.cursor(), Phone._meta.db_table
        ).values()
        if c["unique"] or c["index"]
    ]
    assert ["number"] in unique_columns


def test_an_unknown_number_is_404_and_a_non_number_is_400(altyn, make_user, api_as):
    api = api_as(make_user("operator"))
    missing = api.get("/api/v1/clients/lookup/", {"phone": "+7 702 000 00 00"})
    assert missing.status_code == 404
    bad = api.get("/api/v1/clients/lookup", {"phone": "abc"})
    assert bad.status_code == 400
    assert "phone" in bad.json()
    assert api.get("/api/v1/clients/lookup").status_code == 400

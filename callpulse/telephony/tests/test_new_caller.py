"""The desk's new caller becomes a client (issue #14, item 2; seed 002)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from callpulse.core.models import Department, Notification, NotificationKind
from callpulse.crm.models import Client
from callpulse.crm.tests.factories import ClientFactory, PhoneFactory, client_type
from callpulse.telephony.models import Call

pytestmark = pytest.mark.django_db
CALLER = "+77079998877"


@pytest.fixture
def operator(make_user):
    return make_user("operator", full_name="Оператор Дана", extension="101")


@pytest.fixture
def call(operator):
    return Call.objects.create(
        call_id="new-1",
        from_number=CALLER,
        operator=operator,
        status="answered",
        is_new_caller=True,
        ringing_at=timezone.now(),
        answered_at=timezone.now(),
    )


def _form(**fields):
    return {
        "kind": "company",
        "name": "ТОО «Жана Жол»",
        "client_type": client_type("new").pk,
        "region": "Шымкент",
        "timezone": "Asia/Almaty",
        "contact_name": "Айдос Серик",
        "phone": "+7 707 999 8877",
        **fields,
    }


def test_the_new_caller_card_offers_the_form_with_the_number_filled_in(client, operator, call):
    client.force_login(operator)
    html = client.get("/desk/panel/").content.decode()
    assert 'data-testid="new-client-form"' in html
    assert 'value="+7 707 999 8877"' in html


def test_create_client_puts_the_card_on_the_call_and_asks_the_head(
    client, operator, call, make_user
):
    wholesale = Department.objects.get(code="wholesale")
    wholesale.head = make_user("department_head")
    wholesale.save()
    client.force_login(operator)

    response = client.post(f"/desk/calls/{call.pk}/client/", _form(), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    new_client = Client.objects.get(name="ТОО «Жана Жол»")
    call.refresh_from_db()
    assert call.client == new_client
    html = response.content.decode()
    assert 'data-testid="take-order"' in html and "the department head assigns a manager" in html
    assert Notification.objects.get(recipient=wholesale.head).kind == NotificationKind.NEW_CLIENT


def test_a_duplicate_is_shown_and_picking_it_adds_the_number(client, operator, call):
    known = ClientFactory(name="ТОО «Жана Жол»", client_type=client_type("retail"))
    PhoneFactory(client=known, number="+77010000001")
    client.force_login(operator)

    warned = client.post(f"/desk/calls/{call.pk}/client/", _form(), HTTP_HX_REQUEST="true")
    assert warned.status_code == 200
    assert "Already a client? Check before saving" in warned.content.decode()
    assert Client.objects.count() == 1

    picked = client.post(
        f"/desk/calls/{call.pk}/client/existing/",
        {**_form(), "existing": known.pk},
        HTTP_HX_REQUEST="true",
    )
    assert picked.status_code == 200
    call.refresh_from_db()
    assert call.client == known
    assert set(known.phones.values_list("number", flat=True)) == {"+77010000001", CALLER}


def test_create_anyway_after_the_warning(client, operator, call):
    ClientFactory(name="ТОО «Жана Жол»")
    client.force_login(operator)
    response = client.post(
        f"/desk/calls/{call.pk}/client/", _form(confirm="on"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert Client.objects.filter(name="ТОО «Жана Жол»").count() == 2


def test_errors_are_named_and_nothing_is_half_written(client, operator, call):
    client.force_login(operator)
    response = client.post(
        f"/desk/calls/{call.pk}/client/", _form(name="", phone="12"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    form = response.context["new_client_form"]
    assert set(form.errors) == {"name", "phone"}
    call.refresh_from_db()
    assert call.client is None and not Client.objects.exists()


def test_only_the_operator_on_the_call_opens_its_card(client, call, make_user):
    client.force_login(make_user("operator"))
    response = client.post(f"/desk/calls/{call.pk}/client/", _form(), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert not Client.objects.exists()

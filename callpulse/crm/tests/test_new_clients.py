"""A new client (seed 002): opened by the operator, assigned a manager by the department head."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from callpulse.core.models import Department, Notification, NotificationKind
from callpulse.core.tests.factories import AbsenceFactory
from callpulse.crm import services
from callpulse.crm.models import Client
from callpulse.crm.selectors import client_duplicates
from callpulse.crm.services import ContactInput, PhoneInput
from callpulse.crm.tests.factories import ClientFactory, PhoneFactory, client_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def wholesale(make_user) -> Department:
    department = Department.objects.get(code="wholesale")
    department.head = make_user("department_head", full_name="Сейткали Нурлан")
    department.save()
    return department


@pytest.fixture
def operator(make_user):
    return make_user("operator", full_name="Оператор Дана")


def _open(operator, name="ТОО «Жана Жол»", type_code="new", **fields) -> Client:
    return services.client_create(
        actor=operator,
        name=name,
        client_type=client_type(type_code),
        phones=[PhoneInput(number="8 707 111 22 33")],
        contacts=[ContactInput(full_name="Айдос Серик", is_primary=True)],
        region="Шымкент",
        **fields,
    )


# --- duplicates -----------------------------------------------------------------------------


def test_duplicates_are_found_by_number_and_by_a_name_alike():
    altyn = ClientFactory(name="ТОО «Алтын Дала»")
    PhoneFactory(client=altyn, number="+77011234567")
    other = ClientFactory(name="ИП Беркут")

    assert client_duplicates(name="Кто-то", numbers=["+77011234567"]) == [altyn]
    assert client_duplicates(name="алтын дала", numbers=[]) == [altyn]
    assert client_duplicates(name="Алтын Дала Дистрибьюшн", numbers=[]) == [altyn]
    assert client_duplicates(name="ТОО Дала", numbers=[]) == [altyn]  # half the words
    assert client_duplicates(name="ТОО «Жана Жол»", numbers=[]) == []
    assert other not in client_duplicates(name="ТОО «Алтын Дала»", numbers=[])


# --- the head is told, the manager is assigned -----------------------------------------------


def test_a_new_client_without_a_manager_asks_the_head_of_its_types_department(operator, wholesale):
    client = _open(operator)  # type "new" belongs to wholesale (migration crm 0004)

    note = Notification.objects.get(recipient=wholesale.head)
    assert note.kind == NotificationKind.NEW_CLIENT
    assert note.title == "New client, assign a manager: ТОО «Жана Жол»"
    assert note.link == f"/clients/{client.pk}/assign/"
    assert "Оператор Дана" in note.body and "+7 707 111 2233" in note.body


def test_while_the_head_is_away_the_colleague_covering_is_asked(operator, wholesale, make_user):
    deputy = make_user("department_head", full_name="Заместитель Асель")
    AbsenceFactory(user=wholesale.head, covered_by=deputy)
    _open(operator)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [deputy.pk]


@override_settings(CALLPULSE_NEW_CLIENTS_DEPARTMENT="regional")
def test_a_type_without_a_department_goes_to_the_new_clients_department(operator, make_user):
    regional = Department.objects.get(code="regional")
    regional.head = make_user("department_head")
    regional.save()
    kind = client_type("new")
    kind.department = None
    kind.save()
    _open(operator)
    assert Notification.objects.get().recipient == regional.head


def test_an_operator_cannot_name_the_manager(operator, make_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _open(operator, manager=make_user("account_manager"))
    assert not Client.objects.exists()


def test_the_head_assigns_on_the_assign_screen_and_the_manager_is_told(
    client, operator, wholesale, make_user
):
    wholesale_manager = make_user("account_manager", full_name="Петров Арман")
    wholesale_manager.department = wholesale
    wholesale_manager.save()
    away = make_user("account_manager", full_name="Иванова Айгерим", department=wholesale)
    AbsenceFactory(user=away, ends_at=timezone.now() + timedelta(days=3))
    elsewhere = make_user("account_manager", full_name="Розничный Менеджер")
    new_client = _open(operator)
    client.force_login(wholesale.head)

    page = client.get(f"/clients/{new_client.pk}/assign/").content.decode()
    assert "Петров Арман" in page and "Иванова Айгерим" in page and "Vacation" in page
    assert "Розничный Менеджер" not in page  # the department's managers when it has any
    assert elsewhere.pk  # (exists, only not offered)

    missing = client.post(f"/clients/{new_client.pk}/assign/", {})
    assert missing.status_code == 400 and "Choose a manager." in missing.content.decode()
    response = client.post(f"/clients/{new_client.pk}/assign/", {"manager": wholesale_manager.pk})

    assert response.status_code == 302 and response["Location"] == f"/clients/{new_client.pk}/"
    new_client.refresh_from_db()
    assert new_client.manager == wholesale_manager
    task = Notification.objects.get(kind=NotificationKind.NEW_CLIENT)
    assert task.read_at is not None  # done: no longer news in the head's inbox
    told = Notification.objects.get(recipient=wholesale_manager)
    assert (told.kind, told.title) == ("assignment", "Client assigned to you: ТОО «Жана Жол»")


def test_the_assign_screen_is_for_the_assigners_only(client, operator, wholesale, make_user):
    new_client = _open(operator)
    manager = make_user("account_manager")
    client.force_login(operator)
    assert client.get(f"/clients/{new_client.pk}/assign/").status_code == 403
    assert (
        client.post(f"/clients/{new_client.pk}/assign/", {"manager": manager.pk}).status_code == 403
    )
    new_client.refresh_from_db()
    assert new_client.manager is None


# --- the new-client page and the card ---------------------------------------------------------


def test_the_new_client_page_shows_duplicates_before_saving(client, operator, wholesale):
    ClientFactory(name="ТОО «Жана Жол»")
    client.force_login(operator)
    form = {
        "kind": "company",
        "name": "Жана Жол",
        "client_type": client_type("new").pk,
        "region": "Шымкент",
        "timezone": "Asia/Almaty",
        "contact_name": "Айдос",
        "phone": "8 707 111 22 33",
    }

    warned = client.post("/clients/new/", form)
    assert warned.status_code == 200
    assert "Already a client? Check before saving" in warned.content.decode()
    assert Client.objects.count() == 1

    created = client.post("/clients/new/", {**form, "confirm": "on"})
    assert created.status_code == 302
    new_client = Client.objects.get(name="Жана Жол")
    assert [p.number for p in new_client.phones.all()] == ["+77071112233"]
    assert new_client.contacts.get().full_name == "Айдос"
    assert new_client.manager is None


def test_a_bad_number_on_the_new_client_page_is_named_and_nothing_saved(client, operator):
    client.force_login(operator)
    response = client.post(
        "/clients/new/",
        {
            "kind": "company",
            "name": "ТОО Проверка",
            "client_type": client_type("new").pk,
            "timezone": "Asia/Almaty",
            "phone": "12",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["phone"]
    assert not Client.objects.exists()


def test_the_card_offers_an_order_to_order_takers_only(client, make_user):
    card_client = ClientFactory()
    client.force_login(make_user("operator"))
    assert 'data-testid="take-order"' in client.get(f"/clients/{card_client.pk}/").content.decode()
    client.force_login(make_user("qa_specialist"))
    assert (
        'data-testid="take-order"' not in client.get(f"/clients/{card_client.pk}/").content.decode()
    )

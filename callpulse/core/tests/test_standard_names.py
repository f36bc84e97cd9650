"""Seeded departments, client types, shift templates and the demo campaign read in the reader's
language; names someone typed read as typed (issue 14, item 9)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import translation

from callpulse.campaigns.models import Campaign
from callpulse.core import names
from callpulse.core.models import Department
from callpulse.core.tests.today_world import build_today_world
from callpulse.crm.models import ClientType
from callpulse.crm.tests.factories import ClientFactory, client_type
from callpulse.orders.models import Order
from callpulse.workforce.models import ShiftTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A request in Russian leaves LocaleMiddleware's language active on this thread: the next
    test must start in the default language again."""
    yield
    translation.deactivate()


def test_the_lists_match_what_the_migrations_seed():
    core = importlib.import_module("callpulse.core.migrations.0002_roles_and_departments")
    crm = importlib.import_module("callpulse.crm.migrations.0002_client_types")
    assert dict(core.DEPARTMENTS) == dict(names.STANDARD_DEPARTMENTS)
    assert {code: name for code, name, *_ in crm.TYPES} == dict(names.STANDARD_CLIENT_TYPES)


def test_seeded_names_follow_the_reader_and_typed_ones_stay():
    wholesale = Department.objects.get(code="wholesale")
    key = ClientType.objects.get(code="key")
    with translation.override("ru"):
        assert str(wholesale) == "Оптовые продажи"
        assert str(key) == key.display_name == "Ключевой клиент"
    with translation.override("en"):
        assert str(wholesale) == "Wholesale"
    wholesale.name = "Опт Алматы"
    own = ClientType(code="shop", name="Marketer")  # someone's own type sharing a seeded word
    with translation.override("ru"):
        assert str(wholesale) == "Опт Алматы"
        assert str(own) == "Marketer"


def test_demo_shift_templates_and_campaign_texts_are_translated(monkeypatch):
    monkeypatch.setattr(names, "gettext", lambda text: f"«{text}»")
    assert ShiftTemplate(name="Early").display_name == "«Early»"
    assert ShiftTemplate(name="Ночная").display_name == "Ночная"
    campaign = Campaign(name=names.DEMO_CAMPAIGN_NAME, goal=names.DEMO_CAMPAIGN_GOAL)
    assert str(campaign) == f"«{names.DEMO_CAMPAIGN_NAME}»"
    assert campaign.display_goal == f"«{names.DEMO_CAMPAIGN_GOAL}»"
    assert Campaign(name="Осенняя акция").display_name == "Осенняя акция"


def test_a_russian_reader_sees_russian_names_on_the_card_and_the_orders_list(client, make_user):
    reader = make_user("head_of_sales")
    customer = ClientFactory(name="ТОО «Тест»", client_type=client_type("key"))
    Order.objects.create(client=customer, taken_by=reader)
    client.force_login(reader)
    card = client.get(reverse("crm:card", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="ru")
    assert "Ключевой клиент</span>" in card.content.decode()
    orders = client.get(reverse("orders:list"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Ключевой клиент</span>" in orders and "Key client" not in orders


def test_a_russian_reader_sees_the_plans_department_in_russian_on_today(client):
    # the world's own department becomes the seeded "Wholesale" (the seeded row steps aside)
    Department.objects.filter(code="wholesale").update(code="old-wholesale", name="Old")
    world = build_today_world()
    Department.objects.filter(pk=world.operator.department_id).update(
        code="wholesale", name="Wholesale"
    )
    client.force_login(world.operator)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Оптовые продажи" in page

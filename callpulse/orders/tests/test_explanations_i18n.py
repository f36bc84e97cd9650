"""Price and hand-off explanations are stored as codes: each reader sees their own language."""
# ruff: noqa: F811  (pytest fixtures imported from test_orders are parameters here)

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from callpulse.catalog.models import DiscountRule
from callpulse.orders import services
from callpulse.orders.models import HandOff, OrderLine
from callpulse.orders.tests.test_orders import (  # noqa: F401 (fixtures)
    key_client,
    operator,
    overdue,
    products,
    ready_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """An API request in Russian leaves its language active on this thread: reset it."""
    yield
    translation.deactivate()


D = Decimal


@pytest.fixture
def autumn(products):
    rule = DiscountRule.objects.create(name="Autumn", kind="promotion", percent=D("5"), position=10)
    rule.products.add(products[0])
    return rule


def _priced_in(language, operator, key_client, products):
    with translation.override(language):
        order = ready_order(operator, key_client, products)
    return OrderLine.objects.get(order=order, product=products[0])


def test_an_order_priced_in_russian_reads_in_english(operator, key_client, products, autumn):
    line = _priced_in("ru", operator, key_client, products)
    assert all(isinstance(step, dict) for step in line.explanation)  # codes, not words
    with translation.override("en"):
        assert line.explanation_text == ["Key client → column “Key”", "promotion “Autumn” −5%"]
    with translation.override("ru"):
        assert line.explanation_text[0] == "Ключевой клиент → колонка «Key»"


def test_an_order_priced_in_english_reads_in_russian(operator, key_client, products, autumn):
    line = _priced_in("en", operator, key_client, products)
    with translation.override("ru"):
        text = line.explanation_text
    assert text[0] == "Ключевой клиент → колонка «Key»"
    assert "Key client" not in " ".join(text)


def test_old_rows_with_words_are_shown_as_stored(operator, key_client, products):
    line = _priced_in("en", operator, key_client, products)
    line.explanation = ["ключевой клиент → колонка «Key»"]
    line.save()
    with translation.override("en"):
        assert line.explanation_text == ["ключевой клиент → колонка «Key»"]


def test_a_hand_off_reason_follows_the_reader(operator, key_client, products):
    overdue(key_client)
    order = ready_order(operator, key_client, products)
    with translation.override("ru"):
        hand_off = services.order_hand_off(actor=operator, order=order, to="manager")
    hand_off = HandOff.objects.get(pk=hand_off.pk)
    assert hand_off.reason_code == "overdue"
    # overdue since the day after the due date (42 days ago)
    since = (timezone.localdate() - timedelta(days=41)).strftime("%d.%m.%Y")
    with translation.override("en"):
        assert hand_off.reason_text == f"overdue 84\u00a0500\u00a0₸ since {since}"
    with translation.override("ru"):
        assert hand_off.reason_text.startswith("просрочено 84\u00a0500")


def test_an_old_hand_off_without_a_code_reads_as_stored(operator, key_client, products):
    overdue(key_client)
    order = ready_order(operator, key_client, products)
    hand_off = services.order_hand_off(actor=operator, order=order, to="manager")
    HandOff.objects.filter(pk=hand_off.pk).update(reason="просрочено", reason_code="")
    with translation.override("en"):
        assert HandOff.objects.get(pk=hand_off.pk).reason_text == "просрочено"


def test_the_api_answers_the_explanation_in_the_request_language(
    operator, key_client, products, api_as
):
    api = api_as(operator)
    created = api.post(
        "/api/v1/orders/",
        {"client": key_client.pk, "lines": [{"sku": products[0].sku, "quantity": "3"}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["lines"][0]["explanation"] == ["Key client → column “Key”"]
    url = f"/api/v1/orders/{created.json()['id']}/"
    in_russian = api.get(url, HTTP_ACCEPT_LANGUAGE="ru").json()
    assert in_russian["lines"][0]["explanation"] == ["Ключевой клиент → колонка «Key»"]

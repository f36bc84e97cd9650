"""Each role's "Today" (issue 14, item 11): their own day from real data, not a search box alone."""

from __future__ import annotations

import pytest
from django.test import Client as PageClient
from django.urls import reverse

from callpulse.core.models import User
from callpulse.core.phones import format_phone
from callpulse.core.tests.factories import UserFactory
from callpulse.core.tests.today_world import TodayWorld, build_today_world
from callpulse.core.today import today_blocks

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> TodayWorld:
    return build_today_world()


def today_of(client: PageClient, user: User) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_operator_sees_shift_target_promised_callbacks_and_last_calls(client, world):
    page = today_of(client, world.operator)
    assert [b.name for b in today_blocks(world.operator)] == [
        "shift",
        "target",
        "promised",
        "calls",
    ]
    assert "08:15–23:45" in page
    assert "Today&#x27;s target" in page or "Today's target" in page
    assert "Продажи сегодня" in page  # the plan's department beside the target
    # promised for tomorrow: the due time carries its date
    assert world.promised.due_at.astimezone().strftime("%d.%m") in page
    assert "ТОО Ключевой Клиент" in page
    assert "Information given" in page


def test_the_manager_sees_hand_offs_clients_calling_today_and_overdue_clients(client, world):
    page = today_of(client, world.manager)
    assert "Orders handed to me" in page
    assert "Превышен кредитный лимит" in page
    assert reverse("orders:screen", args=[world.hand_off_to_manager.order.pk]) in page
    assert "My clients calling today" in page
    assert "ТОО Должник" in page
    assert "450" in page
    assert "Просроченная задолженность" not in page  # finance's hand-off is not theirs


def test_finance_sees_the_orders_waiting_for_a_decision(client, world):
    page = today_of(client, world.finance)
    assert "Orders waiting for finance" in page
    assert "Просроченная задолженность" in page
    assert "Превышен кредитный лимит" not in page


def test_the_supervisor_sees_the_team_the_calls_to_log_and_the_plan(client, world):
    page = today_of(client, world.supervisor)
    assert "My team now" in page
    assert "Оператор Дамир" in page  # away today
    assert "Calls without an outcome" in page
    assert format_phone(world.unlogged.from_number) in page
    assert "Plan against fact" in page


def test_the_analyst_and_qa_get_their_links_not_an_operators_page(client, world):
    analyst = today_of(client, world.analyst)
    assert "Where your work is" in analyst
    assert reverse("sales:home") in analyst
    assert "My shift today" not in analyst
    qa = today_of(client, world.qa)
    assert "not in callpulse yet" in qa
    assert "Callbacks I promised" not in qa


def test_someone_without_a_role_gets_the_search_alone(client, db):
    page = today_of(client, UserFactory())
    assert "Find" in page
    assert "today-block" not in page

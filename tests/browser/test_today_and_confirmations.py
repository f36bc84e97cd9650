"""Issue 14, items 6, 7 and 11 in a real browser: risky clicks ask first (dialog accepted and
dismissed, under the strict CSP), the card shows the client's own clock, and each role's
"Today" shows their own work."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Dialog, Page, expect

from callpulse.core.money import format_money
from callpulse.core.tests.factories import UserFactory
from callpulse.core.tests.today_world import build_today_world
from callpulse.crm.models import DoNotCall
from callpulse.crm.tests.factories import ClientFactory
from callpulse.telephony.models import Callback, CallbackReason, CallbackStatus
from callpulse.workforce.models import Schedule, Shift

pytestmark = pytest.mark.browser
TODAY_SCREENSHOT = "/tmp/callpulse-today-operator.png"


def _answer_dialogs(page: Page, answers: list[bool]) -> list[str]:
    """Answer the next dialogs in order (True: OK, False: Cancel); returns their messages."""
    seen: list[str] = []

    def answer(dialog: Dialog) -> None:
        seen.append(dialog.message)
        if answers.pop(0):
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", answer)
    return seen


@pytest.fixture
def operator():
    return UserFactory(username="op", full_name="Оператор Айгерим", roles=["operator"])


def test_reached_without_a_dial_asks_and_only_a_yes_closes_it(
    page: Page, sign_in: Callable[..., None], operator
) -> None:
    waiting = Callback.objects.create(
        phone="+77015551234",
        name="Гульнара",
        reason=CallbackReason.WEBSITE,
        due_at=timezone.now() - timedelta(minutes=5),
    )
    sign_in("op")
    page.goto("/desk/callbacks/")
    row = page.locator(f'tr[data-callback="{waiting.pk}"]')
    seen = _answer_dialogs(page, [False, True])

    row.get_by_role("button", name="Reached").click()
    expect(page).to_have_url(re.compile(r"/desk/callbacks/$"))
    assert seen and "Nobody has dialled +7 701 555 1234 yet" in seen[0]
    waiting.refresh_from_db()
    assert waiting.status == CallbackStatus.OPEN  # Cancel: nothing was posted
    expect(row).to_be_visible()

    with page.expect_navigation():
        row.get_by_role("button", name="Reached").click()
    expect(page.locator(f'tr[data-callback="{waiting.pk}"]')).to_have_count(0)
    waiting.refresh_from_db()
    assert waiting.status == CallbackStatus.DONE
    assert len(seen) == 2


def test_refuses_calls_asks_before_the_number_goes_on_do_not_call(
    page: Page, sign_in: Callable[..., None], operator
) -> None:
    waiting = Callback.objects.create(
        phone="+77015552345",
        reason=CallbackReason.MISSED,
        due_at=timezone.now() - timedelta(minutes=5),
        attempts=1,
    )
    sign_in("op")
    page.goto("/desk/callbacks/")
    row = page.locator(f'tr[data-callback="{waiting.pk}"]')
    seen = _answer_dialogs(page, [False, True])

    row.get_by_role("button", name="Refuses calls").click()
    assert seen and "do-not-call" in seen[0]
    assert not DoNotCall.objects.exists()

    with page.expect_navigation():
        row.get_by_role("button", name="Refuses calls").click()
    expect(page.get_by_text("Added to the do-not-call list.")).to_be_visible()
    expect(page.locator(f'tr[data-callback="{waiting.pk}"]')).to_have_count(0)
    assert DoNotCall.objects.filter(number="+77015552345").exists()


def test_deleting_a_shift_asks_first(page: Page, sign_in: Callable[..., None]) -> None:
    UserFactory(username="planner", roles=["workforce_planner"])
    agent = UserFactory(full_name="Оператор Нурлан", roles=["operator"])
    schedule = Schedule.objects.create(name="Неделя", starts_on=timezone.localdate(), days=7)
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    shift = Shift.objects.create(
        schedule=schedule, user=agent, starts_at=start, ends_at=start + timedelta(hours=8)
    )
    sign_in("planner")
    page.goto(f"/workforce/schedules/{schedule.pk}/")
    seen = _answer_dialogs(page, [False, True])
    cell = page.locator(".shift").filter(has_text="09:00–17:00")
    cell.get_by_text("edit").click()

    cell.get_by_role("button", name="Delete").click()
    assert seen and seen[0].startswith("Delete Оператор Нурлан's shift on")
    assert Shift.objects.filter(pk=shift.pk).exists()

    with page.expect_navigation():
        cell.get_by_role("button", name="Delete").click()
    expect(page.locator(".shift")).to_have_count(0)
    assert not Shift.objects.filter(pk=shift.pk).exists()


def test_the_card_shows_the_clients_own_clock(
    page: Page, sign_in: Callable[..., None], operator
) -> None:
    tokyo = ClientFactory(name="Tokyo Trading", timezone="Asia/Tokyo")
    sign_in("op")
    before = timezone.now().astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
    page.goto(f"/clients/{tokyo.pk}/")
    after = timezone.now().astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
    shown = page.get_by_test_id("client-local-time")
    expect(shown).to_have_text(re.compile(rf"local time ({before}|{after})$"))
    expect(shown).to_have_attribute("title", "Asia/Tokyo")


@pytest.fixture
def world():
    return build_today_world()


def test_the_operators_today_is_their_day(page: Page, sign_in: Callable[..., None], world):
    sign_in("op")
    page.goto("/")
    expect(page.locator('[data-block="shift"]')).to_contain_text("08:15–23:45")
    target = page.locator('[data-block="target"]')
    expect(target).to_contain_text("Today's target")
    expect(target).to_contain_text("Продажи сегодня")
    expect(target.locator(".today-big")).to_have_text(re.compile(r"\d"))
    promised = page.locator('[data-block="promised"]')
    tomorrow = timezone.localtime(world.promised.due_at).strftime("%d.%m 10:30")
    expect(promised).to_contain_text(tomorrow)  # not today: the due time carries its date
    expect(promised.get_by_role("link", name="ТОО Ключевой Клиент")).to_be_visible()
    expect(page.locator('[data-block="calls"]')).to_contain_text("Information given")
    expect(page.get_by_role("search")).to_be_visible()  # the search stays, no longer alone
    page.screenshot(path=TODAY_SCREENSHOT, full_page=True)


def test_the_managers_today_is_their_clients_and_hand_offs(
    page: Page, sign_in: Callable[..., None], world
):
    sign_in("mgr")
    page.goto("/")
    hand_offs = page.locator('[data-block="hand-offs"]')
    expect(hand_offs).to_contain_text("Превышен кредитный лимит")
    expect(hand_offs.get_by_role("link")).to_have_attribute(
        "href", f"/orders/{world.hand_off_to_manager.order.pk}/"
    )
    expect(page.locator('[data-block="clients-calling"]')).to_contain_text("ТОО Ключевой Клиент")
    overdue = page.locator('[data-block="overdue"]')
    expect(overdue).to_contain_text("ТОО Должник")
    expect(overdue).to_contain_text(format_money(world.overdue_client.overdue_debt, "KZT"))
    expect(page.get_by_text("Просроченная задолженность")).to_have_count(0)


def test_finances_today_is_the_orders_waiting_for_them(
    page: Page, sign_in: Callable[..., None], world
):
    sign_in("fin")
    page.goto("/")
    waiting = page.locator('[data-block="hand-offs"]')
    expect(waiting).to_contain_text("Orders waiting for finance")
    expect(waiting).to_contain_text("Просроченная задолженность")
    expect(page.locator('[data-block="shift"]')).to_have_count(0)


def test_the_supervisors_today_is_their_team(page: Page, sign_in: Callable[..., None], world):
    sign_in("sup")
    page.goto("/")
    expect(page.locator('[data-block="team"]')).to_contain_text("Оператор Дамир")
    expect(page.locator('[data-block="unlogged"]')).to_contain_text("Оператор Айгерим")
    expect(page.locator('[data-block="plans"]')).to_contain_text("Продажи сегодня")


def test_the_analysts_today_points_to_the_reports(page: Page, sign_in: Callable[..., None], world):
    sign_in("analyst")
    page.goto("/")
    links = page.locator('[data-block="links"]')
    expect(links.get_by_role("link", name=re.compile("Sales plans"))).to_be_visible()
    expect(page.locator('[data-block="shift"]')).to_have_count(0)

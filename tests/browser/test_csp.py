"""The Content-Security-Policy holds in a real browser: no page of ours needs an inline script,
an inline style or eval, and the behaviour that used inline handlers still works."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from callpulse.core.tests.factories import UserFactory
from callpulse.crm.tests.factories import ClientFactory

pytestmark = pytest.mark.browser
PASSWORD = "secret-pass-1"


def violations_while(page: Page, visit) -> list[str]:
    seen: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(message.text)

    page.on("console", listen)
    visit()
    page.remove_listener("console", listen)
    return seen


def test_every_menu_page_loads_without_a_policy_violation(page: Page, sign_in):
    UserFactory(username="boss", is_superuser=True, is_staff=True)
    client = ClientFactory()
    sign_in("boss", PASSWORD)
    links = page.eval_on_selector_all(".mainnav a", "els => els.map(e => e.getAttribute('href'))")
    assert len(links) >= 4
    pages = [*links, f"/clients/{client.pk}/", "/admin/"]
    for path in pages:
        found = violations_while(page, lambda p=path: page.goto(p, wait_until="networkidle"))
        assert found == [], f"{path}: {found}"


def test_the_swagger_ui_runs_under_the_policy(page: Page, sign_in):
    UserFactory(username="integrator", is_staff=True)
    sign_in("integrator", PASSWORD)

    def open_docs() -> None:
        page.goto("/api/docs/")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("callpulse API")

    assert violations_while(page, open_docs) == []


def test_the_language_switch_still_submits_on_change(page: Page, sign_in):
    UserFactory(username="operator", roles=["operator"])
    sign_in("operator", PASSWORD)
    with page.expect_navigation():
        page.select_option("#language", "ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")

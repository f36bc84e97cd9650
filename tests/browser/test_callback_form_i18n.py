"""The hosted "call me back" page in the visitor's language, finished, under our strict CSP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def english_browser(browser: Browser, live_server, django_db_serialized_rollback) -> Iterator[Page]:
    """A visitor whose browser asks for English: `?lang=` must still win."""
    cache.clear()
    context = browser.new_context(locale="en-US", timezone_id="Asia/Almaty")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
    cache.clear()


def test_the_hosted_form_speaks_the_language_asked_for_and_looks_finished(
    english_browser: Page, live_server
) -> None:
    page = english_browser
    page.goto(f"{live_server.url}/campaigns/call-me-back/?lang=ru")
    form = page.locator("form.cp-callback")
    expect(form.get_by_role("heading", name="Перезвоните мне")).to_be_visible()
    # the honeypot stays off-screen: placed through the CSSOM, which the CSP allows
    trap = page.locator("input[name=website]")
    box = trap.bounding_box()
    assert box is not None and box["x"] < 0
    # the stylesheet is applied: the card and the button are styled, not browser defaults
    send = form.get_by_role("button", name="Перезвоните мне")
    assert send.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(11, 92, 173)"
    # the server's answers come back in the page's language, not the browser's
    send.click()
    expect(form.locator('[data-error-for="name"]')).to_have_text("Укажите ваше имя.")

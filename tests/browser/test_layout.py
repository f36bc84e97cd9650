"""The top bar on a phone and on a desk with every item: one line, never wider than the window."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from callpulse.core.tests.factories import UserFactory

pytestmark = pytest.mark.browser
PASSWORD = "secret-pass-1"


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_on_a_phone_the_menu_folds_behind_a_button(page: Page, sign_in):
    UserFactory(username="operator", roles=["operator"])
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in("operator", PASSWORD)
    orders = page.locator(".mainnav").get_by_role("link", name="Orders")
    expect(orders).to_be_hidden()
    page.get_by_text("Menu").click()
    expect(orders).to_be_visible()
    assert page_width(page) <= 390


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_every_menu_item_fits_without_widening_the_page(page: Page, sign_in, language):
    """A superuser sees every item; in Russian and Kazakh the labels are longest."""
    UserFactory(username="boss", is_superuser=True, is_staff=True)
    sign_in("boss", PASSWORD)
    if language != "en":
        with page.expect_navigation():
            page.select_option("#language", language)
    bar = page.locator(".topbar")
    first, last = page.locator(".mainnav a").first, page.locator(".topbar-right a").last
    assert page_width(page) <= 1280
    # one line: the menu's first item and the bar's last link share a row
    top = bar.bounding_box()
    assert top is not None and top["height"] < 80
    first_box, last_box = first.bounding_box(), last.bounding_box()
    assert first_box is not None and last_box is not None
    assert abs(first_box["y"] - last_box["y"]) < 20

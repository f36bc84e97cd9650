"""The website's "call me back" form in a real browser, embedded in a page of another site.

A tiny HTTP server on another port plays the company's website: its page pastes our snippet
(`<script src=".../campaigns/embed.js" data-target="#callme">`). The visitor fills the form; the
snippet posts JSON cross-origin (CORS, no cookies) to the live server's public endpoint.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from callpulse.telephony.models import Callback, CallbackReason

pytestmark = pytest.mark.browser

SITE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Shop</title></head><body><h1>Cement and more</h1>
<div id="callme"></div>
<script src="{server}/campaigns/embed.js" data-target="#callme" defer></script>
</body></html>"""


@pytest.fixture
def website(live_server) -> Iterator[str]:
    """The company's site on another origin (127.0.0.1 and its own port, not the live server)."""
    page = SITE_PAGE.format(server=live_server.url).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def visitor(browser: Browser, live_server, django_db_serialized_rollback) -> Iterator[Page]:
    """A visitor in Almaty (the browser's time zone is what the snippet sends)."""
    cache.clear()
    context = browser.new_context(locale="en-US", timezone_id="Asia/Almaty")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
    cache.clear()


def fill(page: Page, *, name: str, phone: str) -> None:
    form = page.locator("form.cp-callback")
    form.get_by_label("Your name").fill(name)
    form.get_by_label("Phone number").fill(phone)
    form.get_by_label("What is it about?").fill("Prices for cement")


def test_a_visitor_asks_to_be_called_back_from_another_site(visitor, website, settings):
    settings.CALLPULSE_CALLBACK_FORM_ORIGINS = [website]
    visitor.goto(website)
    fill(visitor, name="Aigerim", phone="8 701 555 12 34")
    visitor.get_by_role("button", name="Call me back").click()
    expect(visitor.get_by_text("Thank you! We will call you back.")).to_be_visible()
    callback = Callback.objects.get()
    assert callback.reason == CallbackReason.WEBSITE and callback.phone == "+77015551234"
    assert callback.client_timezone == "Asia/Almaty"
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert timezone.localtime(callback.due_at).date() == tomorrow  # the form's default day
    assert timezone.localtime(callback.due_at).hour == 10
    assert not visitor.context.cookies()  # no cookie was set, for either site


def test_a_bad_number_is_shown_next_to_the_field(visitor, website, settings):
    settings.CALLPULSE_CALLBACK_FORM_ORIGINS = [website]
    visitor.goto(website)
    fill(visitor, name="Aigerim", phone="12345")
    visitor.get_by_role("button", name="Call me back").click()
    expect(visitor.locator('[data-error-for="phone"]')).to_contain_text("not")
    assert not Callback.objects.exists()


def test_a_bot_filling_the_hidden_field_is_thanked_and_ignored(visitor, website, settings):
    settings.CALLPULSE_CALLBACK_FORM_ORIGINS = [website]
    visitor.goto(website)
    fill(visitor, name="Bot", phone="8 701 555 12 34")
    visitor.locator('input[name="website"]').fill("http://spam.example", force=True)
    visitor.get_by_role("button", name="Call me back").click()
    expect(visitor.get_by_text("Thank you! We will call you back.")).to_be_visible()
    assert not Callback.objects.exists()


def test_a_site_not_on_the_list_cannot_post_from_the_browser(visitor, website, settings):
    settings.CALLPULSE_CALLBACK_FORM_ORIGINS = ["https://other.example"]
    visitor.goto(website)
    fill(visitor, name="Aigerim", phone="8 701 555 12 34")
    visitor.get_by_role("button", name="Call me back").click()
    expect(visitor.get_by_text("Could not send the request; please call us.")).to_be_visible()
    assert not Callback.objects.exists()  # the preflight failed: the POST was never sent


def test_the_hosted_page_works_on_our_own_site(visitor, live_server):
    visitor.goto(live_server.url + "/campaigns/call-me-back/")
    fill(visitor, name="Dana", phone="+7 701 555 0001")
    visitor.get_by_role("button", name="Call me back").click()
    expect(visitor.get_by_text("Thank you! We will call you back.")).to_be_visible()
    assert Callback.objects.get().name == "Dana"

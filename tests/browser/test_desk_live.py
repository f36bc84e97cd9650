"""The desk's live connection in a real browser: it never stays dead (issue #17, item 3).

A stream refused with an error (which EventSource does not retry by itself) is opened again,
and a stream whose Redis is away says so ("paused") and turns live again when Redis is back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from callpulse.core.events import reset_bus
from callpulse.core.tests.redis_server import PrivateRedis, redis_server_binary

PAUSED = "Live updates paused, reconnecting…"


@pytest.fixture
def operator(make_user):
    return make_user("operator", username="op", extension="101")


@pytest.fixture
def redis_down(settings: Any, tmp_path: Any) -> Iterator[PrivateRedis]:
    """The live server's event bus points at a private Redis which is not running yet."""
    server = PrivateRedis(redis_server_binary(), tmp_path)
    settings.REDIS_URL = server.url
    reset_bus()
    try:
        yield server
    finally:
        server.kill()
        reset_bus()


def test_a_refused_stream_is_opened_again(page: Page, sign_in, operator):
    refusals = {"left": 2}

    def refuse_twice(route: Route) -> None:
        if refusals["left"] > 0:
            refusals["left"] -= 1
            route.fulfill(status=503, body="Service Unavailable")
        else:
            route.continue_()

    page.route("**/desk/stream/", refuse_twice)
    sign_in("op")
    page.goto("/desk/")

    expect(page.locator("#desk")).to_have_attribute("data-live", "1")
    assert refusals["left"] == 0
    expect(page.locator("#live-status .label")).to_have_text("live")


def test_the_desk_says_paused_while_redis_is_down_and_resumes(
    page: Page, sign_in, operator, redis_down
):
    sign_in("op")
    page.goto("/desk/")
    status = page.locator("#live-status")

    expect(status.locator(".label")).to_have_text(PAUSED)
    expect(status).to_have_class("live muted paused")
    expect(page.locator("#desk")).to_have_attribute("data-live", "0")

    redis_down.start()

    expect(status.locator(".label")).to_have_text("live")
    expect(page.locator("#desk")).to_have_attribute("data-live", "1")

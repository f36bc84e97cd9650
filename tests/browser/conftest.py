"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

One browser for the directory, a fresh context (cookies, storage) per test. Nothing is downloaded:
Playwright is pointed at /usr/bin/chromium. When it is missing the tests are skipped, or fail
when CALLPULSE_REQUIRE_BROWSER=1 (CI that promises a browser).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "secret-pass-1"  # the UserFactory's password


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this directory is a browser test (`-m "not browser"` leaves them out)."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One chromium for all the tests of this directory.

    Package scope, not session: while Playwright's sync API is started, its asyncio loop counts as
    running in this thread, so Django refuses ORM calls unless DJANGO_ALLOW_ASYNC_UNSAFE is set.
    The browser and that variable live exactly as long as these tests (which pytest-django runs
    together, with the other transactional tests), so no other test runs with Django's async
    safety switched off, nor sees the variable (`check --deploy` rejects it).
    """
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CALLPULSE_REQUIRE_BROWSER") == "1":
            pytest.fail("Debian chromium is not installed (CALLPULSE_REQUIRE_BROWSER=1)")
        pytest.skip("Debian chromium is not installed")
    from django.db import connections

    # Django keeps database connections in thread-local storage, but in a context variable while
    # an event loop runs: once Playwright starts, the ORM would open new connection objects,
    # without the state the test database was set up with (the serialized contents that
    # `django_db_serialized_rollback` restores). Hand the same objects to the new storage.
    before = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, connection in before.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server, django_db_serialized_rollback) -> Iterator[Page]:
    """A page in a fresh context. The live server implies a transactional database; the
    serialized rollback brings back the roles and client types the migrations created."""
    context = browser.new_context(
        locale="en-US", base_url=live_server.url, viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(page: Page) -> Callable[..., None]:
    """Sign in through the login form as a user would."""

    def sign_in_as(username: str, password: str = PASSWORD) -> None:
        page.goto("/login/")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()

    return sign_in_as


# Item 1 of issue 14: DEBUG on and off. `make run` serves with DEBUG on, production with it off;
# pytest-django's live server starts with it off. Tests of htmx error answers take this fixture
# and run both ways. The whole directory runs with DEBUG on by `-o django_debug_mode=true`.
DEBUG_PROBE_PATH = "/no-such-page-debug-probe/"


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug_mode(request: pytest.FixtureRequest, settings, live_server) -> bool:
    """Serve this test with DEBUG off, then on; checked through the live server itself.

    The live server is a thread of this process that reads `django.conf.settings` on every
    request, and changing DEBUG resets the template engines (Django's `setting_changed`), so what
    reads DEBUG at render time (django-htmx's `{% htmx_script %}`, the engines' debug option) and
    Django's error pages follow, as under `make run`. The probe proves it: only with DEBUG on does
    a missing page answer with Django's technical 404 page.
    """
    import urllib.error
    import urllib.request

    settings.DEBUG = request.param
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        direct.open(live_server.url + DEBUG_PROBE_PATH, timeout=10)
    except urllib.error.HTTPError as answer:
        technical = b"Django tried these URL patterns" in answer.read()
    else:
        pytest.fail(f"{DEBUG_PROBE_PATH} was found; the DEBUG probe needs a missing page")
    assert technical == request.param, f"the live server does not serve with DEBUG={request.param}"
    return bool(request.param)

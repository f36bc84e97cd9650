"""The operator's desk in a real browser: the phone rings and the caller is on screen by itself.

The test plays the phone system: it posts CTI events to the live server's webhook, as Asterisk
would. The desk hears them on its event stream (/desk/stream/) and htmx swaps the call panel.
The in-process event bus is shared by the live server's threads and this one (one process).

Each event waits for the previous one to show on the desk, as on a real phone (nobody answers in
the same millisecond): the suite's in-memory SQLite is one connection shared by the server's
threads, and a panel read during another request's write fails with "table is locked".
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from itertools import count

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from callpulse.crm.tests.factories import ClientFactory, PhoneFactory, client_type
from callpulse.telephony.models import AgentStatus, Call, PhoneCommand
from callpulse.telephony.tests.factories import cti_token

pytestmark = pytest.mark.browser

DESK_SCREENSHOT = "/tmp/callpulse-desk.png"
KEY_CLIENT_NUMBER = "+77011234567"
RING_TO_CARD_LIMIT_MS = 1000  # the card must be on screen within a second of the ring
# Straight to the live server on localhost, never through a proxy from the environment.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class PhoneSystem:
    """Posts CTI events to the live server as the phone system does (service token, JSON)."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url + "/api/v1/cti/events"
        self.key = cti_token().key
        self.numbers = count(1)

    def event(self, type_: str, call_id: str, **fields: str) -> dict[str, object]:
        body = {
            "event_id": f"{call_id}-{next(self.numbers)}",
            "call_id": call_id,
            "type": type_,
            "direction": "inbound",
            "to_number": "+77272501122",
            "at": timezone.now().isoformat(),
            **fields,
        }
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"},
            method="POST",
        )
        try:
            with DIRECT.open(request, timeout=10) as response:
                answer: dict[str, object] = json.load(response)
        except urllib.error.HTTPError as exc:
            pytest.fail(f"the CTI webhook refused {type_}: {exc.code} {exc.read().decode()}")
        return answer


@pytest.fixture
def pbx(live_server) -> PhoneSystem:
    return PhoneSystem(live_server.url)


@pytest.fixture
def operator(make_user):
    return make_user("operator", username="op", full_name="Оператор Дана", extension="101")


@pytest.fixture
def key_client(make_user):
    """A key client whose manager is in today: an 'other' call is routed to her."""
    manager = make_user("account_manager", full_name="Иванова Айгерим", extension="201")
    client = ClientFactory(name="ТОО «Алтын Дала»", client_type=client_type("key"), manager=manager)
    PhoneFactory(client=client, number=KEY_CLIENT_NUMBER)
    return client


@pytest.fixture
def open_desk(page: Page, sign_in, operator) -> Callable[[], Locator]:
    """Sign in as the operator (ext. 101), open the desk, wait until its stream is connected.

    Returns the call panel. `window.marker` tells later whether the page was reloaded.
    """

    def open_it() -> Locator:
        sign_in("op")
        page.goto("/desk/")
        expect(page.locator("#desk")).to_have_attribute("data-live", "1")  # EventSource onopen
        panel = page.locator("#call-panel")
        expect(panel.get_by_test_id("idle")).to_contain_text("No call right now")
        page.evaluate("window.marker = 1")
        return panel

    return open_it


def ring_and_time(page: Page, ring: Callable[[], object], heading: str) -> float:
    """Milliseconds from just before the ring is posted until `heading` shows in the panel.

    A MutationObserver notes the moment in the page; the browser and this process read the same
    system clock, so the two moments compare.
    """
    page.evaluate(
        """text => {
            window.cardShownAt = undefined;
            const panel = document.getElementById("call-panel");
            new MutationObserver((_, observer) => {
                const h1 = panel.querySelector("h1");
                if (h1 && h1.textContent.includes(text)) {
                    window.cardShownAt = performance.timeOrigin + performance.now();
                    observer.disconnect();
                }
            }).observe(panel, {childList: true, subtree: true, characterData: true});
        }""",
        heading,
    )
    rang_at = time.time() * 1000
    ring()
    posted_ms = time.time() * 1000 - rang_at
    expect(page.locator("#call-panel h1")).to_contain_text(heading, timeout=RING_TO_CARD_LIMIT_MS)
    elapsed = float(page.evaluate("window.cardShownAt")) - rang_at
    print(f"\nring → “{heading}” on the desk: {elapsed:.0f} ms (webhook: {posted_ms:.0f} ms)")
    return elapsed


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.marker") == 1, "the desk reloaded instead of swapping its panel"
    assert page.evaluate("window.location.pathname") == "/desk/"


def test_a_ring_puts_the_key_client_card_on_the_desk_within_a_second(
    page, pbx, open_desk, key_client
):
    panel = open_desk()

    elapsed = ring_and_time(
        page,
        lambda: pbx.event(
            "ringing", "ring-1", from_number=KEY_CLIENT_NUMBER, extension="101", purpose="other"
        ),
        key_client.name,
    )

    page.screenshot(path=DESK_SCREENSHOT, full_page=True)  # before the checks: see what failed
    assert elapsed < RING_TO_CARD_LIMIT_MS
    call = panel.get_by_test_id("call-panel")
    expect(call).to_have_class("panel call call-ringing")
    expect(call.locator(".call-head")).to_contain_text("Ringing")
    expect(call.locator(".caller")).to_have_text("+7 701 123 4567")
    title = call.get_by_role("heading", level=1)
    expect(title.get_by_role("link", name=key_client.name)).to_be_visible()
    expect(title.locator(".tag")).to_have_text("Key client")
    manager = call.get_by_role("region", name="Account manager")
    expect(manager).to_contain_text("Иванова Айгерим ext. 201")
    expect(manager.get_by_test_id("manager-status")).to_have_text("In today")
    expect(call.get_by_test_id("routing")).to_contain_text(
        "ТОО «Алтын Дала», Key client → Иванова Айгерим, account manager"
    )
    assert_not_reloaded(page)


def test_an_answered_call_is_transferred_to_the_suggested_manager(
    page, pbx, open_desk, key_client, operator
):
    panel = open_desk()
    pbx.event("ringing", "tr-1", from_number=KEY_CLIENT_NUMBER, extension="101", purpose="other")
    expect(panel.locator(".call-head")).to_contain_text("Ringing", timeout=RING_TO_CARD_LIMIT_MS)
    expect(panel.get_by_role("button", name="Transfer to Иванова Айгерим (201)")).to_have_count(0)

    pbx.event("answered", "tr-1", extension="101")

    expect(panel.locator(".call-head")).to_contain_text("In progress")
    suggestion = panel.get_by_role("button", name="Transfer to Иванова Айгерим (201)")
    expect(suggestion).to_be_visible()
    suggestion.click()

    expect(panel.get_by_role("status")).to_have_text("Transfer to Иванова Айгерим requested.")
    command = PhoneCommand.objects.get()
    call = Call.objects.get(call_id="tr-1")
    assert (command.kind, command.extension, command.call, command.requested_by) == (
        "transfer",
        "201",
        call,
        operator,
    )
    assert command.status == "pending"  # until the phone system acknowledges it
    assert_not_reloaded(page)


def test_the_outcome_form_comes_by_itself_when_the_call_ends(page, pbx, open_desk, key_client):
    panel = open_desk()
    pbx.event("ringing", "out-1", from_number=KEY_CLIENT_NUMBER, extension="101", purpose="other")
    expect(panel.locator(".call-head")).to_contain_text("Ringing", timeout=RING_TO_CARD_LIMIT_MS)
    pbx.event("answered", "out-1", extension="101")
    expect(panel.locator(".call-head")).to_contain_text("In progress")
    expect(panel.get_by_test_id("outcome-form")).to_have_count(0)

    pbx.event("ended", "out-1")

    form = panel.get_by_test_id("outcome-form")
    expect(form).to_be_visible(timeout=RING_TO_CARD_LIMIT_MS)
    expect(form.get_by_role("heading")).to_have_text("How did the call end?")
    outcome = form.get_by_label("Outcome", exact=True)
    expect(outcome).to_be_focused()  # autofocus: the operator can pick at once
    assert_not_reloaded(page)

    # Saving without an outcome: the browser stops it (the select is required) with its own
    # message; nothing is sent. The server's "Choose an outcome from the list." is not seen.
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    save = form.get_by_role("button", name="Save and get ready")
    save.click()
    assert outcome.evaluate("el => el.validity.valueMissing") is True
    assert outcome.evaluate("el => el.validationMessage")  # the bubble next to the field
    expect(outcome).to_be_focused()
    page.wait_for_timeout(300)  # a request would have left by now
    assert posted == []
    expect(form).to_be_visible()

    outcome.select_option(label="Information given")
    form.get_by_label("Notes").fill("прайс на декабрь")
    save.click()

    expect(panel.get_by_test_id("idle")).to_contain_text("No call right now")
    assert_not_reloaded(page)
    call = Call.objects.get(call_id="out-1")
    assert (call.outcome, call.notes) == ("information_given", "прайс на декабрь")
    assert call.wrap_up_seconds is not None
    assert AgentStatus.objects.get(user=call.operator).state == "available"
    # The state bar is drawn with the page (the stream refreshes only the call panel).
    page.reload()
    expect(page.get_by_test_id("my-state")).to_have_text("Available")
    expect(page.get_by_role("button", name="Available")).to_have_attribute("aria-pressed", "true")


def test_an_unknown_number_rings_as_a_new_caller(page, pbx, open_desk):
    panel = open_desk()

    elapsed = ring_and_time(
        page,
        lambda: pbx.event("ringing", "new-1", from_number="+77079998877", extension="101"),
        "New caller",
    )

    assert elapsed < RING_TO_CARD_LIMIT_MS
    call = panel.get_by_test_id("call-panel")
    expect(call.get_by_role("heading", level=1)).to_have_text("New caller")
    expect(call.get_by_role("alert")).to_have_text("New client — assign a manager.")
    expect(call.locator(".caller")).to_have_text("+7 707 999 8877")
    expect(call.get_by_test_id("routing")).to_contain_text("Unknown number")
    expect(call.get_by_role("region", name="Account manager")).to_have_count(0)
    assert_not_reloaded(page)


def test_pressing_break_shows_break_as_my_state(page, open_desk):
    open_desk()
    my_state = page.get_by_test_id("my-state")
    expect(my_state).to_have_text("not signed in to the phone")
    states = page.get_by_role("region", name="My state")

    states.get_by_role("button", name="Break").click()  # htmx: the panel, no page load

    expect(my_state).to_have_text("Break")
    expect(my_state).to_have_class("state state-break")
    expect(states.get_by_role("button", name="Break")).to_have_attribute("aria-pressed", "true")
    expect(states.get_by_role("button", name="Available")).not_to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#desk")).to_have_attribute("data-live", "1")  # the stream is back


def test_a_refused_outcome_is_explained_on_the_panel(page, pbx, open_desk, key_client):
    panel = open_desk()
    pbx.event("ringing", "bad-1", from_number=KEY_CLIENT_NUMBER, extension="101", purpose="info")
    expect(panel.locator(".call-head")).to_contain_text("Ringing", timeout=RING_TO_CARD_LIMIT_MS)
    pbx.event("answered", "bad-1", extension="101")
    expect(panel.locator(".call-head")).to_contain_text("In progress")
    pbx.event("ended", "bad-1")
    form = panel.get_by_test_id("outcome-form")
    expect(form).to_be_visible(timeout=RING_TO_CARD_LIMIT_MS)

    form.get_by_label("Outcome", exact=True).select_option(label="Callback promised")
    with page.expect_response("**/outcome/") as answer:
        form.get_by_role("button", name="Save and get ready").click()
    assert answer.value.status == 400

    expect(form.locator(".error")).to_have_text("When was the callback promised?", timeout=2000)


def test_my_state_follows_the_call_without_a_reload(page, pbx, open_desk, key_client):
    panel = open_desk()
    pbx.event("ringing", "st-1", from_number=KEY_CLIENT_NUMBER, extension="101", purpose="other")
    expect(panel.locator(".call-head")).to_contain_text("Ringing", timeout=RING_TO_CARD_LIMIT_MS)

    expect(page.get_by_test_id("my-state")).to_have_text("Ringing", timeout=2000)

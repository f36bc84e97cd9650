"""Live events survive Redis outages (issue #17, item 3), on a real Redis stopped and started.

A dead Redis must not turn a committed action into a 500, nor kill the desk's stream: actions
answer success and count the lost event, streams stay open, say they are paused and resume by
themselves when Redis is back. The Redis here is the test's own (the shared one is never
stopped).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from callpulse.catalog.tests.factories import make_catalog
from callpulse.core.events import (
    RedisBus,
    Subscription,
    get_bus,
    publish_health,
    reset_bus,
    user_channel,
)
from callpulse.core.models import User
from callpulse.core.tests.redis_server import PrivateRedis, redis_server_binary
from callpulse.crm.tests.factories import ClientFactory, client_type
from callpulse.orders import services as order_services
from callpulse.orders.models import Order, OrderStatus
from callpulse.telephony import views as telephony_views
from callpulse.telephony.models import (
    AgentState,
    AgentStatus,
    Callback,
    CallbackReason,
    CommandKind,
    PhoneCommand,
)

# Tuesday 24 Nov 2026, 11:00 in Almaty: inside the calling hours, so a dial is allowed.
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=ZoneInfo("Asia/Almaty"))
DELIVERY_DEADLINE_SECONDS = 20.0  # Redis back → event delivered; resubscribing waits ≤ 5 s
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def redis_server(tmp_path: Any) -> Iterator[PrivateRedis]:
    server = PrivateRedis(redis_server_binary(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def redis_bus(settings: Any, redis_server: PrivateRedis) -> Iterator[PrivateRedis]:
    """The event bus of this process goes through the private Redis."""
    settings.REDIS_URL = redis_server.url
    reset_bus()
    assert isinstance(get_bus(), RedisBus)
    try:
        yield redis_server
    finally:
        reset_bus()


@pytest.fixture
def redis_down(redis_bus: PrivateRedis) -> PrivateRedis:
    """Redis was up (the bus connected once) and has just died."""
    get_bus().publish("warm-up", {"type": "warm-up"})  # a pooled connection, soon a dead one
    redis_bus.kill()
    return redis_bus


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


def failed_publishes() -> int:
    return publish_health().failed


def api_for(user: User) -> APIClient:
    from rest_framework.authtoken.models import Token

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api


def receive(
    subscription: Subscription, publish: Callable[[], None], *, what: str
) -> dict[str, Any]:
    """Publish until the subscription hears it: pub/sub keeps nothing for the absent."""
    deadline = time.monotonic() + DELIVERY_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        publish()
        event = subscription.get(timeout=0.2)
        if event is not None:
            return event
    raise AssertionError(f"{what}: nothing arrived within {DELIVERY_DEADLINE_SECONDS} s")


# --- (a) committed actions answer success with Redis down, and the lost event is counted ------


def next_working_day(today: date) -> date:
    day = today + timedelta(days=1)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return day


def ready_order(operator: User) -> Order:
    """A draft with a line, three offers and its terms: only acceptance is left."""
    products = make_catalog()
    client = ClientFactory(client_type=client_type("key"), credit_limit=Decimal("100000"))
    order = order_services.order_start(actor=operator, client=client)
    order_services.order_set_lines(
        actor=operator,
        order=order,
        lines=[order_services.LineInput(product=products[0], quantity=Decimal("2"))],
    )
    for product in products[-3:]:
        order_services.order_offer_record(
            actor=operator, order=order, product=product, source="new", accepted=False
        )
    order_services.order_set_terms(
        actor=operator,
        order=order,
        delivery_date=next_working_day(timezone.localdate()),
        receiver="Нурлан, кладовщик",
        payment_form="bank_transfer",
        documents=["invoice"],
    )
    return order


@TRANSACTIONAL
def test_accepting_an_order_over_the_api_succeeds_with_redis_down(redis_down, make_user, caplog):
    operator = make_user("operator")
    order = ready_order(operator)
    before = failed_publishes()

    with caplog.at_level(logging.WARNING, logger="callpulse.core.events"):
        answer = api_for(operator).post(f"/api/v1/orders/{order.pk}/accept/", {}, format="json")

    assert answer.status_code == 200, answer.content
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.number
    assert failed_publishes() > before
    assert any("orders" in record.getMessage() for record in caplog.records)


@TRANSACTIONAL
def test_accepting_an_order_on_the_screen_succeeds_with_redis_down(redis_down, make_user):
    operator = make_user("operator")
    order = ready_order(operator)
    browser = Client()
    browser.force_login(operator)
    before = failed_publishes()

    answer = browser.post(f"/orders/{order.pk}/accept/", HTTP_HX_REQUEST="true")

    assert answer.status_code == 200 and answer["HX-Redirect"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.number
    assert failed_publishes() > before


@TRANSACTIONAL
def test_an_agent_changes_state_with_redis_down(redis_down, make_user, caplog):
    operator = make_user("operator", extension="101")
    desk = Client()
    desk.force_login(operator)
    before = failed_publishes()

    with caplog.at_level(logging.WARNING, logger="callpulse.core.events"):
        on_screen = desk.post("/desk/state/", {"state": "break"}, HTTP_HX_REQUEST="true")
    assert on_screen.status_code == 200
    assert AgentStatus.objects.get(user=operator).state == AgentState.BREAK
    assert failed_publishes() > before
    assert any("supervisors" in record.getMessage() for record in caplog.records)

    over_api = api_for(operator).post("/api/v1/agents/me/", {"state": "available"}, format="json")
    assert over_api.status_code == 200, over_api.content
    assert AgentStatus.objects.get(user=operator).state == AgentState.AVAILABLE


def due_callback(phone: str) -> Callback:
    return Callback.objects.create(
        phone=phone,
        reason=CallbackReason.WEBSITE,
        due_at=NOW - timedelta(minutes=10),
        first_due_at=NOW - timedelta(minutes=10),
    )


@TRANSACTIONAL
def test_dialling_a_callback_queues_the_dial_with_redis_down(redis_down, make_user, clock):
    operator = make_user("operator", extension="102")
    desk = Client()
    desk.force_login(operator)
    before = failed_publishes()

    on_screen = desk.post(f"/desk/callbacks/{due_callback('+77015551234').pk}/dial/")
    assert on_screen.status_code == 302
    colleague = make_user("operator", extension="105")  # one phone dials one number at a time
    over_api = api_for(colleague).post(
        f"/api/v1/callbacks/{due_callback('+77015559876').pk}/dial/", format="json"
    )
    assert over_api.status_code == 201, over_api.content

    dialled = PhoneCommand.objects.filter(kind=CommandKind.DIAL)
    assert sorted(dialled.values_list("number", flat=True)) == ["+77015551234", "+77015559876"]
    assert all(callback.attempts == 1 for callback in Callback.objects.all())
    assert failed_publishes() >= before + 2


@TRANSACTIONAL
def test_supervisors_see_the_lost_live_events(redis_down, make_user):
    operator = make_user("operator", extension="103")
    desk = Client()
    desk.force_login(operator)
    assert desk.post("/desk/state/", {"state": "break"}).status_code == 302
    supervisor = Client()
    supervisor.force_login(make_user("supervisor"))

    page = supervisor.get("/desk/unlogged/").content.decode()

    assert f"{publish_health().failed} live screen update" in page
    assert "the event bus (Redis) did not answer" in page


# --- (b) subscriptions outlive Redis ----------------------------------------------------------


def test_a_subscription_made_while_redis_is_down_hears_events_once_it_is_back(redis_down):
    channel = user_channel(4201)
    subscription = get_bus().subscribe([channel])  # no exception: Redis is away, not an error
    try:
        assert subscription.live is False
        assert subscription.get(timeout=0.1) is None

        redis_down.start()
        publisher = RedisBus(redis_down.url)
        event = receive(
            subscription,
            lambda: publisher.publish(channel, {"type": "ring", "call": 1}),
            what="subscribed while down",
        )

        assert event == {"type": "ring", "call": 1}
        assert subscription.live is True
    finally:
        subscription.close()


def test_a_subscription_that_loses_redis_mid_way_resubscribes(redis_bus):
    channel = user_channel(4202)
    publisher = RedisBus(redis_bus.url)
    subscription = get_bus().subscribe([channel])
    try:
        first = receive(
            subscription,
            lambda: publisher.publish(channel, {"type": "ring", "call": 1}),
            what="before the outage",
        )
        assert first == {"type": "ring", "call": 1}

        redis_bus.kill()
        deadline = time.monotonic() + DELIVERY_DEADLINE_SECONDS
        while subscription.live and time.monotonic() < deadline:
            assert subscription.get(timeout=0.2) is None  # never raises
        assert subscription.live is False

        redis_bus.start()
        after = receive(
            subscription,
            lambda: publisher.publish(channel, {"type": "ended", "call": 1}),
            what="after the restart",
        )
        assert after == {"type": "ended", "call": 1}
        assert subscription.live is True
    finally:
        subscription.close()


def test_publishing_with_redis_down_is_counted_not_raised(redis_down):
    from callpulse.core.events import publish

    before = publish_health()
    assert publish("orders", {"type": "order_accepted", "order": 1}) is False
    after = publish_health()
    assert after.failed == before.failed + 1
    assert after.last_failed_channel == "orders" and after.last_failed_at is not None


# --- (c) the desk's stream answers 200 with Redis down, says so, and resumes ---------------


def stream_events(response: Any) -> Iterator[tuple[str, str]]:
    """(event name, data) pairs of a server-sent event stream; ("", "") for a comment."""
    for chunk in response.streaming_content:
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        if text.startswith(":") or text.startswith("retry:"):
            yield "", ""
            continue
        fields = dict(line.split(": ", 1) for line in text.strip().splitlines())
        yield fields.get("event", "message"), fields.get("data", "")


def next_named(events: Iterator[tuple[str, str]], name: str) -> str:
    deadline = time.monotonic() + DELIVERY_DEADLINE_SECONDS
    for event, data in events:
        if event == name:
            return data
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"no `{name}` event on the stream within {DELIVERY_DEADLINE_SECONDS} s")


@pytest.mark.django_db
def test_the_desk_stream_stays_open_while_redis_is_down_and_resumes(
    redis_down, make_user, monkeypatch
):
    monkeypatch.setattr(telephony_views, "HEARTBEAT_SECONDS", 0.2)  # the test reads quickly
    operator = make_user("operator", extension="104")
    desk = Client()
    desk.force_login(operator)

    response = desk.get("/desk/stream/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    events = stream_events(response)
    try:
        assert json.loads(next_named(events, "live")) == {"live": False}

        redis_down.start()
        assert json.loads(next_named(events, "live")) == {"live": True}
        publisher = RedisBus(redis_down.url)
        ring = {"type": "ring", "call": 9}
        deadline = time.monotonic() + DELIVERY_DEADLINE_SECONDS
        for event, data in events:  # publish at each heartbeat until the ring comes through
            if event == "ring":
                assert json.loads(data) == ring
                break
            assert time.monotonic() < deadline, "no ring on the stream after Redis came back"
            publisher.publish(user_channel(operator.pk), ring)
    finally:
        response.close()  # the stream's subscription is closed with it

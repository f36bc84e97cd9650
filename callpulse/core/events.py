"""Live events for screens (the desk, the wallboard): publish after commit, stream to browsers.

In-process by default (one server process, e.g. `make run`); with REDIS_URL set, through Redis
pub/sub so every app server's browsers hear every event.

A live event only tells screens to look again: losing one must never fail the action it reports,
which is committed by then. A failed publish is logged with its channel and counted
(`publish_health`); a subscription whose Redis goes away keeps retrying with back-off and
subscribes again when Redis is back, so open streams resume by themselves.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# A dead Redis must not hold a request (or a publish after commit) for long.
REDIS_CONNECT_TIMEOUT_SECONDS = 0.5
REDIS_SOCKET_TIMEOUT_SECONDS = 1.0
# A lost subscription is tried again after 0.5 s, then 1, 2, 4, 5, 5… seconds.
RESUBSCRIBE_FIRST_DELAY_SECONDS = 0.5
RESUBSCRIBE_MAX_DELAY_SECONDS = 5.0


class Subscription(Protocol):
    """Events of some channels, subscribed from the moment it was made."""

    def get(self, timeout: float) -> dict[str, Any] | None:
        """The next event, or None after `timeout` seconds of silence (time for a heartbeat).

        Also None as soon as `live` changes, so a stream can tell its page at once.
        """
        ...

    @property
    def live(self) -> bool:
        """Whether events reach this subscription now (False while its Redis is away)."""
        ...

    def close(self) -> None: ...


class EventBus(Protocol):
    def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, channels: list[str]) -> Subscription: ...


class _InProcessSubscription:
    def __init__(self, bus: InProcessBus, channels: list[str]) -> None:
        self._bus = bus
        self._channels = channels
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()

    def get(self, timeout: float) -> dict[str, Any] | None:
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    @property
    def live(self) -> bool:
        return True  # the publisher is this very process

    def close(self) -> None:
        self._bus._drop(self)

    @property
    def channels(self) -> list[str]:
        return self._channels


class InProcessBus:
    """Fan-out to subscribers of this process: enough for one server on one machine."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[_InProcessSubscription]] = {}

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
        for target in targets:
            target.inbox.put(event)

    def subscribe(self, channels: list[str]) -> Subscription:
        subscription = _InProcessSubscription(self, channels)
        with self._lock:
            for channel in channels:
                self._subscribers.setdefault(channel, set()).add(subscription)
        return subscription

    def _drop(self, subscription: _InProcessSubscription) -> None:
        with self._lock:
            for channel in subscription.channels:
                self._subscribers.get(channel, set()).discard(subscription)


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.RedisError, OSError)


def _close_quietly(pubsub: Any) -> None:
    try:
        pubsub.close()
    except _redis_errors():
        pass  # its connection is gone already


class _RedisSubscription:
    """Redis pub/sub that outlives its Redis: retried with capped back-off, then resubscribed.

    Never raises for a Redis that is down: `get` waits out the back-off and answers None, and
    `live` says whether events can arrive, so the stream keeps its browser and tells it.
    """

    def __init__(self, client: Any, channels: list[str]) -> None:
        self._client = client
        self._channels = channels
        self._pubsub: Any = None
        self._delay = RESUBSCRIBE_FIRST_DELAY_SECONDS
        self._next_attempt = 0.0
        self._subscribe()

    @property
    def live(self) -> bool:
        return self._pubsub is not None

    def _subscribe(self) -> None:
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(*self._channels)
        except _redis_errors() as exc:
            _close_quietly(pubsub)
            self._lost(exc)
            return
        if self._delay > RESUBSCRIBE_FIRST_DELAY_SECONDS:
            logger.info("live events: subscribed again to %s", ", ".join(self._channels))
        self._pubsub = pubsub
        self._delay = RESUBSCRIBE_FIRST_DELAY_SECONDS

    def _lost(self, error: BaseException) -> None:
        first = self._delay == RESUBSCRIBE_FIRST_DELAY_SECONDS  # not yet retrying
        if self._pubsub is not None:
            _close_quietly(self._pubsub)
            self._pubsub = None
        # once per outage and stream as a warning: a thousand desks retrying must not flood
        logger.log(
            logging.WARNING if first else logging.DEBUG,
            "live events: subscription to %s unavailable (%s); trying again in %.1f s",
            ", ".join(self._channels),
            error,
            self._delay,
        )
        self._next_attempt = time.monotonic() + self._delay
        self._delay = min(self._delay * 2, RESUBSCRIBE_MAX_DELAY_SECONDS)

    def get(self, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while True:
            if self._pubsub is None:
                wait = self._next_attempt - time.monotonic()
                remaining = deadline - time.monotonic()
                if wait > remaining:
                    time.sleep(max(0.0, remaining))
                    return None
                time.sleep(max(0.0, wait))
                self._subscribe()
                if self._pubsub is not None:
                    return None  # back: the caller may tell its page before waiting on
                continue
            remaining = max(0.0, deadline - time.monotonic())
            try:
                message = self._pubsub.get_message(timeout=remaining)
            except _redis_errors() as exc:
                self._lost(exc)
                return None  # gone: the caller may tell its page at once
            if message is not None and message.get("type") == "message":
                data: dict[str, Any] = json.loads(message["data"])
                return data
            if time.monotonic() >= deadline:
                return None

    def close(self) -> None:
        if self._pubsub is not None:
            _close_quietly(self._pubsub)
            self._pubsub = None


class RedisBus:
    """Redis pub/sub: events reach browsers connected to any app server."""

    def __init__(self, url: str) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self._redis = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
            socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
            # one immediate retry on a fresh connection (a pooled one may predate a restart),
            # no back-off: the request that publishes must not wait for Redis
            retry=Retry(NoBackoff(), 1),
        )
        self._prefix = "callpulse:"

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._redis.publish(self._prefix + channel, json.dumps(event, default=str))

    def subscribe(self, channels: list[str]) -> Subscription:
        return _RedisSubscription(self._redis, [self._prefix + c for c in channels])


_bus: EventBus | None = None
_bus_lock = threading.Lock()


def get_bus() -> EventBus:
    global _bus
    with _bus_lock:
        if _bus is None:
            url = getattr(settings, "REDIS_URL", "")
            _bus = RedisBus(url) if url else InProcessBus()
        return _bus


def reset_bus() -> None:
    """Forget the bus (tests switch between in-process and Redis)."""
    global _bus
    with _bus_lock:
        _bus = None


@dataclass(frozen=True)
class PublishHealth:
    """Live events this server process could not publish since it started (Redis away)."""

    failed: int
    last_failed_at: datetime | None
    last_failed_channel: str


_health_lock = threading.Lock()
_failed_publishes = 0
_last_failed_at: datetime | None = None
_last_failed_channel = ""


def publish_health() -> PublishHealth:
    """How publishing went in this process: ops and supervisors read it beside the CTI feed."""
    with _health_lock:
        return PublishHealth(_failed_publishes, _last_failed_at, _last_failed_channel)


def _publish_failed(channel: str) -> None:
    global _failed_publishes, _last_failed_at, _last_failed_channel
    with _health_lock:
        _failed_publishes += 1
        _last_failed_at = timezone.now()
        _last_failed_channel = channel


def publish(channel: str, event: dict[str, Any]) -> bool:
    """Publish now; False when it failed, which is logged and counted but never raised.

    Callers publish after their change committed: a lost live event only means screens catch
    up at their next refresh, so it must not turn a done action into an error.
    """
    try:
        get_bus().publish(channel, event)
    except Exception as exc:  # whatever the bus raises, the committed action stands
        _publish_failed(channel)
        logger.warning(
            "live event %r on channel %s not published: %s", event.get("type"), channel, exc
        )
        return False
    return True


def publish_on_commit(channel: str, event: dict[str, Any]) -> None:
    """Publish once the surrounding transaction commits: screens never see rolled-back work."""
    transaction.on_commit(lambda: publish(channel, event))


def user_channel(user_id: int) -> str:
    return f"user.{user_id}"

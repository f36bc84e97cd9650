"""Live events for screens (the desk, the wallboard): publish after commit, stream to browsers.

In-process by default (one server process, e.g. `make run`); with REDIS_URL set, through Redis
pub/sub so every app server's browsers hear every event.
"""

from __future__ import annotations

import json
import queue
import threading
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction


class Subscription(Protocol):
    """Events of some channels, subscribed from the moment it was made."""

    def get(self, timeout: float) -> dict[str, Any] | None:
        """The next event, or None after `timeout` seconds of silence (time for a heartbeat)."""
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


class _RedisSubscription:
    def __init__(self, pubsub: Any) -> None:
        self._pubsub = pubsub

    def get(self, timeout: float) -> dict[str, Any] | None:
        message = self._pubsub.get_message(timeout=timeout)
        if message is None or message.get("type") != "message":
            return None
        data: dict[str, Any] = json.loads(message["data"])
        return data

    def close(self) -> None:
        self._pubsub.close()


class RedisBus:
    """Redis pub/sub: events reach browsers connected to any app server."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._prefix = "callpulse:"

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._redis.publish(self._prefix + channel, json.dumps(event, default=str))

    def subscribe(self, channels: list[str]) -> Subscription:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(*[self._prefix + c for c in channels])
        return _RedisSubscription(pubsub)


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


def publish_on_commit(channel: str, event: dict[str, Any]) -> None:
    """Publish once the surrounding transaction commits: screens never see rolled-back work."""
    transaction.on_commit(lambda: get_bus().publish(channel, event))


def user_channel(user_id: int) -> str:
    return f"user.{user_id}"

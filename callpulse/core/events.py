"""Live events for screens (the desk, the wallboard): publish after commit, stream to browsers.

In-process by default (one server process, e.g. `make run`); with REDIS_URL set, through Redis
pub/sub so every app server's browsers hear every event.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction


class EventBus(Protocol):
    def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    def listen(self, channels: list[str], *, timeout: float) -> Iterator[dict[str, Any] | None]:
        """Yield events as they come; None after `timeout` seconds of silence (a heartbeat)."""
        ...


class InProcessBus:
    """Fan-out to subscribers of this process: enough for one server on one machine."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[queue.Queue[dict[str, Any]]]] = {}

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
        for target in targets:
            target.put(event)

    def listen(self, channels: list[str], *, timeout: float) -> Iterator[dict[str, Any] | None]:
        inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        with self._lock:
            for channel in channels:
                self._subscribers.setdefault(channel, set()).add(inbox)
        try:
            while True:
                try:
                    yield inbox.get(timeout=timeout)
                except queue.Empty:
                    yield None
        finally:
            with self._lock:
                for channel in channels:
                    self._subscribers.get(channel, set()).discard(inbox)


class RedisBus:
    """Redis pub/sub: events reach browsers connected to any app server."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._prefix = "callpulse:"

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._redis.publish(self._prefix + channel, json.dumps(event, default=str))

    def listen(self, channels: list[str], *, timeout: float) -> Iterator[dict[str, Any] | None]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(*[self._prefix + c for c in channels])
        try:
            while True:
                message = pubsub.get_message(timeout=timeout)
                if message is None:
                    yield None
                elif message["type"] == "message":
                    yield json.loads(message["data"])
        finally:
            pubsub.close()


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

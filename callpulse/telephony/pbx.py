"""A virtual PBX: realistic inbound traffic as a stream of timed CTI events, from one seed.

This module is the simulator's logic only: no Django, no HTTP, no clock. `VirtualPBX.run()` is a
generator of `PbxEvent`s in simulated time; whoever drives it (the `simulate_calls` command over
HTTP, a test with a fake router) delivers each event and, for the first `ringing` of a call,
sends back the routing answer, because where the call goes next depends on it:

- a target that is a person with an extension: the call rings that extension (if the simulator
  believes it is free; a busy person's call falls to the operators' queue);
- the queue: the call waits until an operator is free (the longest idle one gets it).

Callers arrive as a Poisson process; ~80% call from a known client's number, the rest from valid
Kazakhstan mobiles nobody has. Each caller has a patience: whoever waits (queue or ringing) longer
hangs up, which the phone system reports as `ended` without `answered` (an abandon). Answered
calls are sometimes held and sometimes transferred, and end after a lognormal talk time (mean
about three minutes). Everything a caller will do is drawn from the seed when the call arrives,
so the same seed gives the same callers whatever the server answers.
"""

from __future__ import annotations

import heapq
import math
import random
import re
from collections import deque
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from callpulse.demo.identities import kazakhstan_mobile

RINGING = "ringing"
ANSWERED = "answered"
TRANSFERRED = "transferred"
HELD = "held"
ENDED = "ended"
INBOUND = "inbound"

PURPOSES = ("order", "info", "other", "")  # "" = the caller skipped the IVR menu
DEFAULT_QUEUE = "operators"


def parse_rate(text: str) -> float:
    """Calls per second from `60/min`, `3600/h`, `1/s` or a bare number (per minute).

    The issue and people speak in calls per minute or per hour; the simulator thinks in seconds.
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|m|min|h|hr|hour)\s*)?", text.lower())
    if match is None:
        raise ValueError(f"“{text}” is not a rate: write e.g. 60/min or 600/h.")
    count = float(match.group(1))
    unit = match.group(2) or "min"
    per = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "hour": 3600}[unit]
    if count <= 0:
        raise ValueError("The rate must be above zero.")
    return count / per


def _lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    """A lognormal draw with the given mean (not median): durations of human things."""
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


@dataclass(frozen=True)
class KnownNumber:
    """A number the center knows, with what the simulator needs to act like its client."""

    number: str  # E.164
    client: str
    manager_extension: str | None = None


@dataclass(frozen=True)
class Directory:
    """Who is there: the operators' extensions (the queue), the managers', the known callers."""

    operators: Sequence[str]
    managers: Sequence[str] = ()
    known: Sequence[KnownNumber] = ()
    taken_numbers: frozenset[str] = frozenset()  # every number in the DB, staff mobiles too


@dataclass(frozen=True)
class TrafficConfig:
    """What the traffic looks like. Defaults are a plausible sales line; tests shrink them."""

    rate_per_second: float = 1.0
    duration_seconds: float = 600.0  # arrivals stop then; calls in progress run to their end
    known_share: float = 0.8
    purpose_weights: tuple[float, ...] = (0.45, 0.25, 0.22, 0.08)  # order, info, other, none
    national_format_share: float = 0.15  # some trunks send 8XXXXXXXXXX, not +7XXXXXXXXXX
    mean_talk_seconds: float = 180.0
    mean_patience_seconds: float = 75.0
    mean_ring_seconds: float = 6.0
    mean_wrap_up_seconds: float = 20.0
    hold_share: float = 0.15
    transfer_share: float = 0.10
    transfer_share_without_purpose: float = 0.35  # the operator asks, then passes it on
    line_number: str = "+77272501122"  # the center's number the clients dial
    delivery_seconds: float = 1.0  # from the routing answer to the extension ringing


@dataclass(frozen=True)
class Route:
    """The part of the routing answer a phone system acts on."""

    kind: str  # "user" or "queue"
    extension: str | None = None
    name: str | None = None
    queue: str | None = None
    summary: str = ""
    client: int | None = None
    new_client: bool = False

    @classmethod
    def from_answer(cls, answer: dict[str, Any] | None) -> Route | None:
        """Read `routing` from the CTI endpoint's answer; None when it carries none."""
        routing = (answer or {}).get("routing")
        if not isinstance(routing, dict):
            return None
        target = routing.get("target") or {}
        return cls(
            kind=str(target.get("kind") or "queue"),
            extension=target.get("extension") or None,
            name=target.get("name") or None,
            queue=target.get("queue") or None,
            summary=str(routing.get("summary") or ""),
            client=routing.get("client"),
            new_client=bool(routing.get("new_client")),
        )

    @property
    def short(self) -> str:
        if self.kind == "user" and self.extension:
            return f"{self.name or 'ext.'} ({self.extension})"
        return f"queue {self.queue or DEFAULT_QUEUE}"


QUEUE_ROUTE = Route(kind="queue", queue=DEFAULT_QUEUE, summary="no routing answer: the queue")


@dataclass(frozen=True)
class PbxEvent:
    """One CTI event, at simulated second `t` (`at` is the same moment on the center's clock)."""

    t: float
    at: datetime
    event_id: str
    call_id: str
    type: str
    from_number: str
    to_number: str
    extension: str = ""
    queue: str = ""
    purpose: str = ""
    direction: str = INBOUND

    @property
    def asks_route(self) -> bool:
        """The inbound ring the phone system asks the route with (no extension rings yet)."""
        return self.type == RINGING and not self.extension

    def body(self) -> dict[str, str]:
        """The JSON body of POST /api/v1/cti/events (empty optional fields left out)."""
        data = {
            "event_id": self.event_id,
            "call_id": self.call_id,
            "type": self.type,
            "direction": self.direction,
            "from_number": self.from_number,
            "to_number": self.to_number,
            "at": self.at.isoformat(timespec="milliseconds"),
        }
        for key in ("extension", "queue", "purpose"):
            if value := getattr(self, key):
                data[key] = value
        return data


@dataclass
class SimCall:
    """One caller: what they will do (drawn on arrival) and what happened so far."""

    call_id: str
    seq: int
    number: str  # as the trunk sends it
    client: str | None  # None: a new caller
    manager_extension: str | None
    purpose: str
    arrived: float
    patience: float
    ring_seconds: float
    talk_seconds: float
    hold_fraction: float | None  # when in the first leg the caller is held, if at all
    transfer: bool
    transfer_fraction: float
    after_transfer_seconds: float
    wrap_up_seconds: float
    pick: float  # which free colleague takes a transfer, drawn on arrival like the rest
    route: Route | None = None
    extension: str | None = None  # ringing or holding the call now
    rang: list[str] = field(default_factory=list)
    queued: bool = False
    answered_at: float | None = None
    ended_at: float | None = None
    transferred_to: str | None = None
    held: bool = False
    cut_off: bool = False  # still going when the simulator stopped
    note: str = ""
    events: int = 0

    @property
    def live(self) -> bool:
        return self.ended_at is None

    @property
    def outcome(self) -> str:
        if self.ended_at is None:
            return "live"
        return "answered" if self.answered_at is not None else "abandoned"

    @property
    def wait(self) -> float | None:
        """Seconds from arrival to answer (or to hanging up, for an abandon)."""
        until = self.answered_at if self.answered_at is not None else self.ended_at
        return None if until is None else until - self.arrived

    def line(self, start: datetime) -> str:
        """One line for the console: caller, client, route, outcome."""
        clock = (start + timedelta(seconds=self.arrived)).strftime("%H:%M:%S")
        who = self.client or "new"
        if len(who) > 34:
            who = who[:33] + "…"
        route = self.route.short if self.route else "no route"
        why = f" [{self.route.summary}]" if self.route and self.route.summary else ""
        if self.answered_at is not None:
            talk = (self.ended_at or self.answered_at) - self.answered_at
            result = (
                f"answered by {self.rang[-1] if self.rang else '?'} after "
                f"{_seconds(self.wait)}, talk {_seconds(talk)}"
            )
            if self.held:
                result += ", held"
            if self.transferred_to:
                result += f", transferred to {self.transferred_to}"
        elif self.cut_off:
            result = f"cut off after {_seconds(self.wait)} waiting"
        elif self.ended_at is not None:
            where = f"ringing {self.rang[-1]}" if self.rang else "in the queue"
            result = f"ABANDONED after {_seconds(self.wait)} {where}"
        else:
            result = "still going"
        note = f" ({self.note})" if self.note else ""
        return (
            f"{clock} {self.number:<13} {who:<34} {self.purpose or '-':<5} → {route}{note}: "
            f"{result}{why}"
        )


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    whole = round(value)
    return f"{whole} s" if whole < 60 else f"{whole // 60}:{whole % 60:02d}"


@dataclass
class _Extension:
    """The simulator's belief about one phone: free, ringing/on a call, or in wrap-up."""

    number: str
    is_operator: bool
    call: str | None = None
    free_at: float = 0.0
    order: float = 0.0  # tie-break among equally idle operators (drawn from the seed)

    def free(self, now: float) -> bool:
        return self.call is None and self.free_at <= now


@dataclass(frozen=True)
class Summary:
    """What the run did, for the closing lines of the command and for tests."""

    calls: int
    answered: int
    abandoned: int
    live: int
    transferred: int
    held: int
    mean_wait_answered: float | None
    mean_wait_abandoned: float | None
    longest_wait: float | None

    def lines(self) -> list[str]:
        def share(n: int) -> str:
            return f"{n} ({100 * n / self.calls:.0f}%)" if self.calls else str(n)

        first = (
            f"{self.calls} calls: {share(self.answered)} answered, {share(self.abandoned)} "
            f"abandoned, {self.transferred} transferred, {self.held} held"
        )
        if self.live:
            first += f", {self.live} cut off"
        return [
            first,
            f"mean wait {_seconds(self.mean_wait_answered)} before an answer, "
            f"{_seconds(self.mean_wait_abandoned)} before abandoning; "
            f"longest {_seconds(self.longest_wait)}",
        ]


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


class VirtualPBX:
    """A discrete-event model of a phone system with an operators' queue and personal extensions.

    `run()` yields events in time order; send the routing answer (a `Route`, or None for "no
    answer") back into the generator after an event whose `asks_route` is true.
    """

    def __init__(
        self,
        *,
        config: TrafficConfig,
        directory: Directory,
        rng: random.Random,
        start: datetime,
        run_id: str,
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("`start` must be aware: events carry the center's UTC offset.")
        self.config = config
        self.directory = directory
        self.rng = rng
        self.start = start
        self.run_id = run_id
        self.now = 0.0
        self.calls: dict[str, SimCall] = {}
        self._agenda: list[tuple[float, int, str, str]] = []
        self._counter = 0
        self._queue: deque[str] = deque()
        self._arrivals = 0
        self._known_numbers = frozenset(k.number for k in directory.known) | set(
            directory.taken_numbers
        )
        self.extensions: dict[str, _Extension] = {}
        for number in directory.operators:
            self.extensions[number] = _Extension(number, True, order=rng.random())
        for number in directory.managers:
            self.extensions.setdefault(number, _Extension(number, False))

    # --- the stream ------------------------------------------------------------------------

    def run(self) -> Generator[PbxEvent, Route | None, None]:
        """Events in simulated time until every call has ended."""
        self._schedule(self.rng.expovariate(self.config.rate_per_second), "arrive", "")
        handlers: dict[str, Callable[[str], PbxEvent | None]] = {
            "arrive": self._arrive,
            "deliver": self._deliver,
            "ring": self._ring,
            "answer": self._answer,
            "hold": self._hold,
            "transfer": self._transfer,
            "end": self._end,
            "patience": self._patience,
            "free": self._free,
        }
        while self._agenda:
            t, _, kind, key = heapq.heappop(self._agenda)
            self.now = max(self.now, t)
            event = handlers[kind](key)
            if event is None:
                continue
            answer = yield event
            if event.asks_route:
                self._dispatch(self.calls[event.call_id], answer)

    def hang_up_all(self, t: float | None = None) -> list[PbxEvent]:
        """Stop: every live call ends now (Ctrl-C), so no call is left ringing on the desk."""
        self.now = max(self.now, t if t is not None else self.now)
        self._agenda.clear()
        self._queue.clear()
        events = []
        for call in self.calls.values():
            if call.live:
                call.cut_off = True
                events.append(self._finish(call))
        return events

    def summary(self) -> Summary:
        calls = list(self.calls.values())
        answered = [c for c in calls if c.outcome == "answered"]
        abandoned = [c for c in calls if c.outcome == "abandoned" and not c.cut_off]
        waits = [c.wait for c in calls if c.wait is not None]
        return Summary(
            calls=len(calls),
            answered=len(answered),
            abandoned=len(abandoned),
            live=sum(1 for c in calls if c.live or (c.cut_off and c.answered_at is None)),
            transferred=sum(1 for c in calls if c.transferred_to),
            held=sum(1 for c in calls if c.held),
            mean_wait_answered=_mean(c.wait for c in answered if c.wait is not None),
            mean_wait_abandoned=_mean(c.wait for c in abandoned if c.wait is not None),
            longest_wait=max(waits) if waits else None,
        )

    # --- the agenda ------------------------------------------------------------------------

    def _schedule(self, t: float, kind: str, key: str) -> None:
        self._counter += 1
        heapq.heappush(self._agenda, (t, self._counter, kind, key))

    def _event(self, call: SimCall, type_: str, extension: str | None = None) -> PbxEvent:
        call.events += 1
        queue = ""
        if call.queued:
            queue = (call.route.queue if call.route else None) or DEFAULT_QUEUE
        return PbxEvent(
            t=self.now,
            at=self.start + timedelta(seconds=self.now),
            event_id=f"{call.call_id}-{call.events}",
            call_id=call.call_id,
            type=type_,
            from_number=call.number,
            to_number=self.config.line_number,
            extension=extension or "",
            queue=queue,
            purpose=call.purpose,
        )

    # --- what happens ----------------------------------------------------------------------

    def _arrive(self, _key: str) -> PbxEvent:
        """A caller dials in; everything they will do is drawn now, from the seed alone."""
        cfg, rng = self.config, self.rng
        self._arrivals += 1
        gap = rng.expovariate(cfg.rate_per_second)
        if self.now + gap < cfg.duration_seconds:
            self._schedule(self.now + gap, "arrive", "")
        known: KnownNumber | None = None
        if self.directory.known and rng.random() < cfg.known_share:
            known = rng.choice(self.directory.known)
            number = known.number
        else:
            number = self._new_number()
        if rng.random() < cfg.national_format_share and number.startswith("+7"):
            number = "8" + number[2:]
        purpose = rng.choices(PURPOSES, weights=cfg.purpose_weights)[0]
        transfer_share = cfg.transfer_share if purpose else cfg.transfer_share_without_purpose
        call = SimCall(
            call_id=f"vpbx-{self.run_id}-{self._arrivals:05d}",
            seq=self._arrivals,
            number=number,
            client=known.client if known else None,
            manager_extension=known.manager_extension if known else None,
            purpose=purpose,
            arrived=self.now,
            patience=max(5.0, _lognormal(rng, cfg.mean_patience_seconds, 0.7)),
            ring_seconds=min(30.0, max(2.0, _lognormal(rng, cfg.mean_ring_seconds, 0.4))),
            talk_seconds=max(15.0, _lognormal(rng, cfg.mean_talk_seconds, 0.6)),
            hold_fraction=rng.uniform(0.2, 0.7) if rng.random() < cfg.hold_share else None,
            transfer=rng.random() < transfer_share,
            transfer_fraction=rng.uniform(0.2, 0.6),
            after_transfer_seconds=max(15.0, _lognormal(rng, cfg.mean_talk_seconds * 0.7, 0.6)),
            wrap_up_seconds=max(3.0, _lognormal(rng, cfg.mean_wrap_up_seconds, 0.5)),
            pick=rng.random(),
        )
        self.calls[call.call_id] = call
        self._schedule(self.now + call.patience, "patience", call.call_id)
        return self._event(call, RINGING)

    def _new_number(self) -> str:
        """A valid Kazakhstan mobile that no client, contact or colleague has."""
        number = kazakhstan_mobile(self.rng)
        while number in self._known_numbers:
            number = kazakhstan_mobile(self.rng)
        return number

    def _dispatch(self, call: SimCall, route: Route | None) -> None:
        """Keep the routing answer; the call reaches its target a moment later."""
        call.route = route or QUEUE_ROUTE
        if call.live:
            self._schedule(self.now + self.config.delivery_seconds, "deliver", call.call_id)

    def _deliver(self, key: str) -> None:
        """Act on the routing answer: ring the person if free, else queue for an operator."""
        call = self.calls[key]
        if not call.live or call.route is None:
            return
        target = call.route.extension if call.route.kind == "user" else None
        if target:
            phone = self.extensions.setdefault(target, _Extension(target, False))
            if phone.free(self.now):
                phone.call = call.call_id
                call.extension = target
                self._schedule(self.now, "ring", call.call_id)
                return
            call.note = f"{target} busy → queue"
        call.queued = True
        self._queue.append(call.call_id)
        self._assign()

    def _assign(self) -> None:
        """Hand waiting calls to free operators, longest idle first, in arrival order."""
        while self._queue:
            free = [e for e in self.extensions.values() if e.is_operator and e.free(self.now)]
            if not free:
                return
            call = self.calls[self._queue.popleft()]
            if not call.live:
                continue
            phone = min(free, key=lambda e: (e.free_at, e.order))
            phone.call = call.call_id
            call.extension = phone.number
            self._schedule(self.now, "ring", call.call_id)

    def _ring(self, key: str) -> PbxEvent | None:
        call = self.calls[key]
        if not call.live or call.extension is None:
            return None
        call.rang.append(call.extension)
        self._schedule(self.now + call.ring_seconds, "answer", key)
        return self._event(call, RINGING, call.extension)

    def _patience(self, key: str) -> PbxEvent | None:
        """The caller gives up if nobody has answered yet."""
        call = self.calls[key]
        if not call.live or call.answered_at is not None:
            return None
        return self._finish(call)

    def _answer(self, key: str) -> PbxEvent | None:
        call = self.calls[key]
        if not call.live or call.answered_at is not None or call.extension is None:
            return None
        call.answered_at = self.now
        first_leg = call.talk_seconds
        if call.transfer:
            first_leg = call.talk_seconds * call.transfer_fraction
            self._schedule(self.now + first_leg, "transfer", key)
            end = self.now + first_leg + call.after_transfer_seconds
        else:
            end = self.now + call.talk_seconds
        if call.hold_fraction is not None:
            self._schedule(self.now + first_leg * call.hold_fraction, "hold", key)
        self._schedule(end, "end", key)
        return self._event(call, ANSWERED, call.extension)

    def _hold(self, key: str) -> PbxEvent | None:
        call = self.calls[key]
        if not call.live:
            return None
        call.held = True
        return self._event(call, HELD, call.extension)

    def _transfer(self, key: str) -> PbxEvent | None:
        """Pass the call on: to the routing target, else the client's manager, else any manager.

        Nobody free: the holder keeps the call (and talks for as long as the other would have).
        """
        call = self.calls[key]
        if not call.live or call.extension is None:
            return None
        candidates = []
        if call.route and call.route.kind == "user" and call.route.extension:
            candidates.append(call.route.extension)
        if call.manager_extension:
            candidates.append(call.manager_extension)
        managers = list(self.directory.managers)
        turn = int(call.pick * len(managers))
        candidates += managers[turn:] + managers[:turn]
        for number in candidates:
            if number == call.extension:
                continue
            phone = self.extensions.setdefault(number, _Extension(number, False))
            if phone.free(self.now):
                self._release(call.extension, call.wrap_up_seconds)
                phone.call = call.call_id
                call.extension = number
                call.transferred_to = number
                return self._event(call, TRANSFERRED, number)
        return None

    def _end(self, key: str) -> PbxEvent | None:
        call = self.calls[key]
        if not call.live:
            return None
        return self._finish(call)

    def _finish(self, call: SimCall) -> PbxEvent:
        """The line goes down; its phone is free after wrap-up (at once if it was unanswered)."""
        call.ended_at = self.now
        extension = call.extension
        if extension is not None:
            wrap = call.wrap_up_seconds if call.answered_at is not None else 0.0
            self._release(extension, wrap)
            if call.answered_at is None and extension not in call.rang[-1:]:
                extension = None  # reserved for the call, but it never rang there
        if call.call_id in self._queue:
            self._queue.remove(call.call_id)
        return self._event(call, ENDED, extension)

    def _release(self, extension: str, wrap_up: float) -> None:
        phone = self.extensions[extension]
        phone.call = None
        phone.free_at = self.now + wrap_up
        self._schedule(phone.free_at, "free", extension)

    def _free(self, _extension: str) -> None:
        self._assign()
        return None


def drive(pbx: VirtualPBX, deliver: Callable[[PbxEvent], Route | None]) -> None:
    """Run the PBX to the end, handing each event to `deliver` (which returns the route, if any).

    The command's sender and the tests' fake routers both plug in here.
    """
    events = pbx.run()
    try:
        event = next(events)
        while True:
            event = events.send(deliver(event))
    except StopIteration:
        return

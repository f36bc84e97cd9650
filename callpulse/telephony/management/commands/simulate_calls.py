"""`manage.py simulate_calls`: a virtual PBX driving the real CTI endpoint with demo traffic.

The traffic itself (arrivals, answers, holds, transfers, abandons) comes from
`callpulse.telephony.pbx`, which knows nothing of HTTP or Django. This command feeds it the
center's directory from the database, paces its events in real time, POSTs them to
`/api/v1/cti/events` like a phone system would, and hands the routing answers back to it.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from argparse import ArgumentParser
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.utils import timezone

from callpulse.core.models import ServiceToken, User
from callpulse.core.roles import RoleCode
from callpulse.core.service_auth import service_token_create
from callpulse.crm.models import Phone
from callpulse.telephony.models import AgentStatus
from callpulse.telephony.pbx import (
    ENDED,
    QUEUE_ROUTE,
    Directory,
    KnownNumber,
    PbxEvent,
    Route,
    TrafficConfig,
    VirtualPBX,
    drive,
    parse_rate,
)
from callpulse.telephony.routing import call_route, reasons_text
from callpulse.telephony.selectors import staff_reachable

TOKEN_NAME = "virtual-pbx"
ENDPOINT = "/api/v1/cti/events"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# About what the demo center's ~20 operators answer with three-minute calls (see the header's
# load warning): the desk is busy, and callers are not lost by the dozen.
DEFAULT_RATE = "5/min"


class DeliveryError(Exception):
    """An event the server did not take; `fatal` when no later event can fare better."""

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


class CTISender:
    """POSTs events with the standard library, retrying what a retry can fix.

    Connection errors, timeouts and 5xx/429 answers are retried twice with a short back-off
    (a dev server restarting, a worker busy); a 400 is the event's fault and is not; 401/403
    mean the token is wrong, so nothing else will get through either.
    """

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        retries: int = 2,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = base_url.rstrip("/") + ENDPOINT
        self.key = key
        self.retries = retries
        self.timeout = timeout
        self.sleep = sleep
        host = urllib.parse.urlsplit(self.endpoint).hostname or ""
        # A proxy from the environment must not swallow requests to this very machine.
        proxies: dict[str, str] | None = {} if host in LOOPBACK else None
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))

    def post(self, body: dict[str, str]) -> dict[str, Any]:
        request = urllib.request.Request(
            self.endpoint,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.key}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(0.5 * attempt)
            try:
                with self.opener.open(request, timeout=self.timeout) as response:
                    answer = json.loads(response.read() or b"{}")
                    return answer if isinstance(answer, dict) else {}
            except urllib.error.HTTPError as exc:
                detail = exc.read()[:300].decode(errors="replace")
                problem = f"HTTP {exc.code}: {detail}"
                if exc.code in (401, 403):
                    raise DeliveryError(problem, fatal=True) from exc
                if exc.code < 500 and exc.code != 429:
                    raise DeliveryError(problem) from exc
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                problem = str(getattr(exc, "reason", exc))
        raise DeliveryError(f"{problem} (after {self.retries + 1} attempts)")


class Pacer:
    """Maps simulated seconds to the wall clock: second `t` is sent at start + t / speed."""

    def __init__(
        self,
        speed: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.speed = speed
        self.clock = clock
        self.sleep = sleep
        self.origin = clock()
        self.behind = 0.0  # the worst lag behind schedule, in real seconds

    def wait_until(self, t: float) -> None:
        delay = self.origin + t / self.speed - self.clock()
        if delay > 0:
            self.sleep(delay)
        else:
            self.behind = max(self.behind, -delay)

    def elapsed(self) -> float:
        return self.clock() - self.origin

    def simulated_now(self) -> float:
        return self.elapsed() * self.speed


def load_directory(*, at: datetime) -> Directory:
    """Who takes calls now, by the same rules routing uses (no absence, not offline or on break).

    Read once at the start: the simulator then keeps its own belief of who is busy.
    """

    def extensions(role: str) -> list[str]:
        users = staff_reachable(at=at, role=role).exclude(extension__isnull=True)
        numbers = {u.extension for u in users if u.extension}
        return sorted(numbers, key=lambda n: (len(n), n))

    known = [
        KnownNumber(number=number, client=name, manager_extension=manager_extension)
        for number, name, manager_extension in Phone.objects.filter(client__is_active=True)
        .order_by("pk")
        .values_list("number", "client__name", "client__manager__extension")
    ]
    taken = set(Phone.objects.values_list("number", flat=True))
    taken |= set(User.objects.exclude(mobile_phone="").values_list("mobile_phone", flat=True))
    return Directory(
        operators=extensions(RoleCode.OPERATOR),
        managers=extensions(RoleCode.ACCOUNT_MANAGER),
        known=known,
        taken_numbers=frozenset(taken),
    )


def agent_states_ahead(*, now: datetime) -> datetime | None:
    """The latest agent-state moment still in the future (an earlier run at --speed > 1).

    The server ignores state changes older than an agent's current state, so until then the
    desk shows calls ringing but agent states do not follow.
    """
    latest = AgentStatus.objects.aggregate(latest=Max("since"))["latest"]
    return latest if latest is not None and latest > now else None


def pbx_token_key() -> str:
    """The key of the "virtual-pbx" service token, created with the cti scope on first use."""
    token = ServiceToken.objects.filter(name=TOKEN_NAME).first()
    if token is None:
        return service_token_create(name=TOKEN_NAME, scopes=["cti"]).key
    if not token.is_active:
        raise CommandError(
            f"The service token “{TOKEN_NAME}” was revoked; reactivate it or give --token."
        )
    if "cti" not in token.scope_set:
        token.scopes = ",".join(sorted(token.scope_set | {"cti"}))
        token.save(update_fields=["scopes"])
    return token.key


def local_route(event: PbxEvent) -> Route:
    """The routing decision from this database, for --dry-run (reads only, writes nothing)."""
    try:
        decision = call_route(
            phone=event.from_number, purpose=event.purpose or None, at=event.at
        ).as_dict()
    except ValidationError:
        return QUEUE_ROUTE
    decision["summary"] = reasons_text(decision["reasons"])
    return Route.from_answer({"routing": decision}) or QUEUE_ROUTE


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


class Command(BaseCommand):
    help = (
        "A virtual PBX: realistic inbound calls from the demo clients, POSTed as CTI events to "
        "a running callpulse (the desk, the registry and agent states react as to a real one)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        # Every default is in its help text (`--help`); the server is the one of these settings.
        parser.add_argument(
            "--rate",
            default=DEFAULT_RATE,
            help="Arrivals, Poisson: 5/min, 300/h (default: %(default)s, which the demo center's "
            "operators answer; at 60/min most callers hang up waiting).",
        )
        parser.add_argument(
            "--minutes",
            type=float,
            default=10.0,
            help="Simulated minutes of arrivals (default: %(default)g).",
        )
        parser.add_argument(
            "--url",
            default=settings.CALLPULSE_SERVER_URL,
            help="The callpulse server to call (default: %(default)s, the CALLPULSE_SERVER_URL "
            "setting: that variable, else http://HOST:PORT from the environment, as `make run` "
            "serves).",
        )
        parser.add_argument(
            "--token",
            help=f"A cti service token (default: the token “{TOKEN_NAME}”, created on first use).",
        )
        parser.add_argument(
            "--seed", type=int, help="Same seed, same callers (default: a random seed, printed)."
        )
        parser.add_argument(
            "--speed",
            type=float,
            default=1.0,
            help="Time compression: 10 = ten times faster (default: %(default)g).",
        )
        parser.add_argument(
            "--mean-talk",
            type=float,
            default=180.0,
            help="Mean talk time, seconds (default: %(default)g).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the events (routed by this database) without sending them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rate = parse_rate(options["rate"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        minutes: float = options["minutes"]
        speed: float = options["speed"]
        if minutes <= 0 or speed <= 0 or options["mean_talk"] <= 0:
            raise CommandError("--minutes, --speed and --mean-talk must be above zero.")
        dry_run: bool = options["dry_run"]
        seed: int = (
            options["seed"]
            if options["seed"] is not None
            else random.SystemRandom().randrange(10**6)
        )
        now = timezone.localtime()
        start = now.replace(microsecond=now.microsecond // 1000 * 1000)
        directory = load_directory(at=start)
        sender = None
        if not dry_run:
            sender = CTISender(options["url"], options["token"] or pbx_token_key())
        config = TrafficConfig(
            rate_per_second=rate,
            duration_seconds=minutes * 60,
            mean_talk_seconds=options["mean_talk"],
        )
        pbx = VirtualPBX(
            config=config,
            directory=directory,
            rng=random.Random(seed),
            start=start,
            run_id=f"{start:%y%m%d-%H%M%S}{start.microsecond // 1000:03d}",
        )
        self._header(options, seed, directory, config, dry_run)
        ahead = agent_states_ahead(now=start)
        if ahead is not None and not dry_run:
            self.stdout.write(
                self.style.WARNING(
                    f"  Agent states run ahead until {timezone.localtime(ahead):%H:%M:%S} "
                    "(an earlier run at --speed > 1): until then the server ignores older state "
                    "changes, so agents' states will lag behind these calls."
                )
            )

        pacer = Pacer(speed)
        counts = {"sent": 0, "failed": 0}

        def deliver(event: PbxEvent, *, paced: bool = True) -> Route | None:
            if dry_run:
                self.stdout.write(f"  {_event_line(event)}")
                route = local_route(event) if event.asks_route else None
            else:
                assert sender is not None
                if paced:
                    pacer.wait_until(event.t)
                route = self._send(sender, event, counts)
            if event.type == ENDED:
                self.stdout.write(pbx.calls[event.call_id].line(start))
                self.stdout.flush()
            return route

        interrupted = False
        try:
            drive(pbx, deliver)
        except KeyboardInterrupt:
            interrupted = True
            self.stdout.write("Stopping: hanging up the calls in progress…")
            try:
                for event in pbx.hang_up_all(pacer.simulated_now()):
                    deliver(event, paced=False)
            except KeyboardInterrupt:
                self.stdout.write("Stopped without hanging up the rest.")
        self._footer(pbx, counts, pacer, dry_run=dry_run, interrupted=interrupted)

    def _send(self, sender: CTISender, event: PbxEvent, counts: dict[str, int]) -> Route | None:
        try:
            answer = sender.post(event.body())
        except DeliveryError as exc:
            counts["failed"] += 1
            if exc.fatal:
                raise CommandError(f"{sender.endpoint} refused the token: {exc}") from exc
            self.stderr.write(f"{event.event_id} ({event.type}) not delivered: {exc}")
            if counts["sent"] == 0 and counts["failed"] >= 3:
                raise CommandError(
                    f"Nothing reaches {sender.endpoint}; is the server running? Give its "
                    "address with --url (or HOST and PORT as for `make run`)."
                ) from exc
            return None
        counts["sent"] += 1
        return Route.from_answer(answer) if event.asks_route else None

    def _header(
        self,
        options: dict[str, Any],
        seed: int,
        directory: Directory,
        config: TrafficConfig,
        dry_run: bool,
    ) -> None:
        target = "dry run, nothing sent" if dry_run else options["url"].rstrip("/") + ENDPOINT
        per_minute = config.rate_per_second * 60
        self.stdout.write(
            self.style.SUCCESS(f"Virtual PBX ({target}), seed {seed}")
            + f"\n  {per_minute:g} calls/min for {options['minutes']:g} simulated min at "
            f"×{options['speed']:g}; {_count(len(directory.operators), 'operator')}, "
            f"{_count(len(directory.managers), 'manager')}, "
            f"{_count(len(directory.known), 'known number')}"
        )
        if not directory.operators:
            self.stdout.write(
                self.style.WARNING("  No operator has an extension: run `manage.py demo` first.")
            )
        load = config.rate_per_second * config.mean_talk_seconds
        staff = len(directory.operators) + len(directory.managers)
        if load > staff * 0.9:
            coping = max(1, round(len(directory.operators) * 0.85 / config.mean_talk_seconds * 60))
            self.stdout.write(
                self.style.WARNING(
                    f"  Offered load ≈ {load:.0f} Erlang for {staff} people: most callers will "
                    f"wait and hang up (about {coping}/min keeps the operators busy but coping)."
                )
            )

    def _footer(
        self,
        pbx: VirtualPBX,
        counts: dict[str, int],
        pacer: Pacer,
        *,
        dry_run: bool,
        interrupted: bool,
    ) -> None:
        lines = pbx.summary().lines()
        title = "Summary (interrupted)" if interrupted else "Summary"
        self.stdout.write(self.style.SUCCESS(f"{title}: {lines[0]}"))
        self.stdout.write("  " + "\n  ".join(lines[1:]))
        if not dry_run:
            late = f"; fell behind by up to {pacer.behind:.1f} s" if pacer.behind > 1 else ""
            self.stdout.write(
                f"  events sent {counts['sent']}, failed {counts['failed']}; "
                f"{_duration(pbx.now)} simulated in {_duration(pacer.elapsed())} real{late}"
            )


def _event_line(event: PbxEvent) -> str:
    """An event as the dry run prints it."""
    extras = " ".join(
        f"{key}={value}"
        for key, value in (
            ("ext", event.extension),
            ("queue", event.queue),
            ("purpose", event.purpose),
        )
        if value
    )
    return (
        f"{event.at.isoformat(timespec='seconds')} {event.type:<11} {event.call_id} "
        f"from {event.from_number} {extras}".rstrip()
    )

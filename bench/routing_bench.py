"""Routing decisions and CTI events over HTTP against the framework's floor (issue 3, item 7).

For each database (a fresh SQLite file, a fresh PostgreSQL database on 127.0.0.1:5432) this
migrates, loads the demo center (`manage.py demo --seed 42`), creates a staff token and a `cti`
service token, starts gunicorn with the production settings on a loopback port, and then drives,
with N concurrent callers on keep-alive HTTP/1.1 connections, for a warm-up and a measured window:

  floor    GET  /api/v1/ping              an empty JSON answer (no auth, no database)
  routing  GET  /api/v1/routing/suggest   demo numbers and unknown ones; order/info/other
  cti      POST /api/v1/cti/events        whole calls: ringing (answered with the routing
                                          decision), answered at an extension, ended

It prints p50/p90/p99 latency, requests per second, errors, the ratios to the floor, who used the
CPU, and the issue's goals (p99 ≤ 25 ms, ≥ 60 % of the floor's throughput) as PASS or MISS. It
never asserts. The load generator, the app server and the database share this machine's cores.

    .venv/bin/python bench/routing_bench.py                    # both databases, ~3 minutes
    .venv/bin/python bench/routing_bench.py --db sqlite --seconds 5 --warmup 1
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import (
    NCPU,
    AppServer,
    BenchError,
    Client,
    Database,
    PhaseResult,
    Req,
    app_server,
    background_load,
    fresh_database,
    install_sigterm_as_interrupt,
    manage,
    manage_json,
    redis_answers,
    run_phase,
    wait_for_quiet,
)

P99_GOAL_MS = 25.0
FLOOR_SHARE_GOAL = 0.60
PURPOSES = ("order", "info", "other")
SHOWCASE = "+77011234567"
STAFF_USER = "operator1"

# Runs inside `manage.py shell`: numbers of demo clients, numbers nobody has, extensions.
FIXTURE_CODE = """
import json, random
import phonenumbers
from callpulse.core.models import User
from callpulse.crm.models import Client, Phone
rng = random.Random(%(seed)d)
numbers = sorted(Phone.objects.values_list("number", flat=True))
taken = set(numbers)
known = rng.sample(numbers, min(%(known)d, len(numbers)))
unknown = []
prefixes = ["700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778"]
while len(unknown) < %(unknown)d:
    number = "+7" + rng.choice(prefixes) + "%%07d" %% rng.randrange(10**7)
    if number not in taken and phonenumbers.is_valid_number(phonenumbers.parse(number)):
        taken.add(number)
        unknown.append(number)
extensions = sorted(
    User.objects.filter(is_active=True, roles__code="operator")
    .exclude(extension=None).values_list("extension", flat=True).distinct()
)
print("BENCH-JSON " + json.dumps({
    "known": known, "unknown": unknown, "extensions": extensions,
    "clients": Client.objects.count(), "phones": len(numbers),
}))
"""


@dataclass
class Fixture:
    known: list[str]
    unknown: list[str]
    extensions: list[str]
    clients: int
    phones: int
    staff_token: str
    cti_token: str


@dataclass
class DbReport:
    db: Database
    server: str
    setup: str
    showcase: str
    background: float
    floor: PhaseResult
    routing: PhaseResult
    cti: PhaseResult
    paced: list[PhaseResult]
    registry: dict[str, Any]  # how the journal of the cti phase reached the call registry
    paced_registry: dict[str, Any]  # the same for the open-loop cti phase (empty if none)
    server_log: str = ""  # the end of gunicorn's log, kept when a phase had errors


def _national(e164: str) -> str:
    """+77011234567 → 8 (701) 123-45-67: numbers arrive in any form."""
    d = e164[2:]
    return f"8 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}"


def _has_target(body: bytes) -> bool:
    return b'"target"' in body


def _has_routing(body: bytes) -> bool:
    return b'"routing"' in body and b'"target"' in body


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def prepare(db: Database, args: argparse.Namespace) -> tuple[Fixture, str]:
    started = time.perf_counter()
    manage(db.env, "migrate", "--no-input", "-v", "0")
    migrated = time.perf_counter()
    manage(db.env, "demo", "--seed", str(args.seed))
    demo = time.perf_counter()
    token_out = manage(db.env, "drf_create_token", STAFF_USER).split()
    staff_token = token_out[2] if len(token_out) > 2 else ""
    cti_token = manage(db.env, "service_token", "bench-pbx", "--scope", "cti").strip()
    data = manage_json(db.env, FIXTURE_CODE % {"seed": args.seed, "known": 400, "unknown": 200})
    known = [SHOWCASE, *[n for n in data["known"] if n != SHOWCASE]]
    fixture = Fixture(
        known=known,
        unknown=data["unknown"],
        extensions=data["extensions"] or ["101"],
        clients=data["clients"],
        phones=data["phones"],
        staff_token=staff_token,
        cti_token=cti_token.splitlines()[-1] if cti_token else "",
    )
    if not fixture.staff_token or not fixture.cti_token:
        raise BenchError(f"tokens not created: {token_out!r} / {cti_token!r}")
    setup = (
        f"migrate {migrated - started:.1f} s, demo --seed {args.seed} {demo - migrated:.1f} s"
        f" ({fixture.clients:,} clients, {fixture.phones:,} numbers); routing mix"
        f" {1 - args.unknown_share:.0%} demo numbers ({len(known)} distinct, a third typed"
        f" as 8 (7xx) …) / {args.unknown_share:.0%} unknown ({len(fixture.unknown)} distinct);"
        f" CTI answers at {len(fixture.extensions)} operators' extensions"
    )
    return fixture, setup


def routing_callers(
    port: int, fixture: Fixture, args: argparse.Namespace
) -> Callable[[int], Iterator[Req]]:
    client = Client(port, authorization=f"Token {fixture.staff_token}")

    def caller(i: int) -> Iterator[Req]:
        rng = random.Random(args.seed * 1000 + i)
        while True:
            unknown = rng.random() < args.unknown_share
            number = rng.choice(fixture.unknown if unknown else fixture.known)
            if rng.random() < 1 / 3:
                number = _national(number)
            purpose = rng.choice(PURPOSES)
            data = client.get("/api/v1/routing/suggest", {"phone": number, "purpose": purpose})
            tag = f"{'unknown' if unknown else 'known'}/{purpose}"
            yield Req(data, tag, _has_target)

    return caller


def floor_callers(port: int) -> Callable[[int], Iterator[Req]]:
    data = Client(port).get("/api/v1/ping")

    def caller(i: int) -> Iterator[Req]:
        while True:
            yield Req(data, "ping", lambda body: body == b"{}")

    return caller


def cti_callers(
    port: int, fixture: Fixture, args: argparse.Namespace, run: str
) -> Callable[[int], Iterator[Req]]:
    client = Client(port, authorization=f"Bearer {fixture.cti_token}")
    path = "/api/v1/cti/events"

    def caller(i: int) -> Iterator[Req]:
        rng = random.Random(args.seed * 7919 + i)
        extension = fixture.extensions[i % len(fixture.extensions)]
        n = 0
        while True:
            n += 1
            call_id = f"bench-{run}-{i}-{n}"
            unknown = rng.random() < args.unknown_share
            call: dict[str, Any] = {
                "call_id": call_id,
                "direction": "inbound",
                "from_number": rng.choice(fixture.unknown if unknown else fixture.known),
                "to_number": "+77272501122",
                "queue": "sales",
            }
            ring = {
                **call,
                "event_id": f"{call_id}-r",
                "type": "ringing",
                "purpose": rng.choice(PURPOSES),
                "at": _now(),
            }
            yield Req(client.post_json(path, ring), "ringing", _has_routing)
            answer = {**call, "event_id": f"{call_id}-a", "type": "answered", "at": _now()}
            yield Req(client.post_json(path, {**answer, "extension": extension}), "answered")
            end = {**call, "event_id": f"{call_id}-e", "type": "ended", "at": _now()}
            yield Req(client.post_json(path, {**end, "extension": extension}), "ended")

    return caller


REGISTRY_CODE = """
import json, time
from django.db.models import Max, Min
from callpulse.telephony.models import Call, CTIEvent
events = CTIEvent.objects.filter(call_ref__startswith=PREFIX)
deadline = time.monotonic() + TIMEOUT
while events.filter(applied_at__isnull=True).exists() and time.monotonic() < deadline:
    time.sleep(0.1)
applied = events.exclude(applied_at=None)
lags = sorted(
    (a - r).total_seconds() for r, a in applied.values_list("received_at", "applied_at")
)
span = applied.aggregate(
    first=Min("received_at"), last_in=Max("received_at"), last=Max("applied_at")
)
calls = Call.objects.filter(call_id__startswith=PREFIX)
pick = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))] if lags else None
print("BENCH-JSON " + json.dumps({
    "events": events.count(),
    "applied": len(lags),
    "pending": events.filter(applied_at__isnull=True).count(),
    "set_aside": events.exclude(apply_error="").count(),
    "seconds": (span["last"] - span["first"]).total_seconds() if lags else None,
    "drain": (span["last"] - span["last_in"]).total_seconds() if lags else None,
    "lag_p50": pick(0.5), "lag_p99": pick(0.99), "lag_max": lags[-1] if lags else None,
    "calls": calls.count(),
    "ended": calls.filter(status="ended", talk_seconds__isnull=False).count(),
}))
"""


def registry_check(env: dict[str, str], prefix: str, timeout: float = 120.0) -> dict[str, Any]:
    """Wait for the journal of one phase to be applied; how fast and how late it was applied.

    Everything comes from the database's own timestamps: received_at (the event journaled, the
    phone system answered) and applied_at (the event in the registry).
    """
    code = f"PREFIX = {prefix!r}\nTIMEOUT = {timeout!r}\n" + REGISTRY_CODE
    result: dict[str, Any] = manage_json(env, code)
    return result


def showcase_decision(server: AppServer, fixture: Fixture) -> str:
    """One routing answer as a person reads it, to show what is being measured."""
    import http.client
    import json
    from urllib.parse import quote

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(
        "GET",
        f"/api/v1/routing/suggest?phone={quote(SHOWCASE)}&purpose=other",
        headers={"Authorization": f"Token {fixture.staff_token}"},
    )
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        return f"HTTP {response.status}: {body[:200]!r}"
    return str(json.loads(body).get("summary", ""))


def bench_database(kind: str, args: argparse.Namespace, extra_env: dict[str, str]) -> DbReport:
    with fresh_database(kind, extra_env=extra_env) as db:
        print(f"\n… {db.label}: migrate, demo, tokens", flush=True)
        fixture, setup = prepare(db, args)
        with app_server(db.env, workers=args.workers, threads=args.threads) as server:
            showcase = showcase_decision(server, fixture)
            background = background_load(2.0)
            run = f"{int(time.time()):x}"

            def phase(
                name: str, callers: Callable[[int], Iterator[Req]], rate: float | None = None
            ) -> PhaseResult:
                load = wait_for_quiet(args.quiet_wait)
                paced = f" at {rate:.0f} req/s offered" if rate else ""
                print(f"… {name}{paced} (other programs: {load:.2f} cores)", flush=True)
                return run_phase(
                    name,
                    server.port,
                    callers,
                    concurrency=args.concurrency,
                    warmup=args.warmup,
                    seconds=args.seconds if rate is None else max(1.0, args.seconds / 2),
                    rate=rate,
                    worker_pids=server.worker_pids,
                    db_marker=db.server_marker,
                )

            print(f"… {server.description}", flush=True)
            port = server.port
            floor = phase("floor", floor_callers(port))
            routing = phase("routing", routing_callers(port, fixture, args))
            cti = phase("cti", cti_callers(port, fixture, args, run))
            print("… cti: waiting for the registry to apply the journal", flush=True)
            registry = registry_check(db.env, f"bench-{run}-", args.registry_timeout)
            paced: list[PhaseResult] = []
            if args.paced_share > 0:
                for name, closed, callers in (
                    ("routing", routing, routing_callers(port, fixture, args)),
                    ("cti", cti, cti_callers(port, fixture, args, run + "p")),
                ):
                    if closed.rps > 0:
                        rate = max(1.0, closed.rps * args.paced_share)
                        paced.append(phase(name, callers, rate))
            paced_registry: dict[str, Any] = {}
            if any(p.name == "cti" for p in paced):
                paced_registry = registry_check(db.env, f"bench-{run}p-", args.registry_timeout)
            failed = any(p.error_count for p in (floor, routing, cti, *paced))
            return DbReport(
                db,
                server.description,
                setup,
                showcase,
                background,
                floor,
                routing,
                cti,
                paced,
                registry,
                paced_registry,
                server.log_tail(2500) if failed else "",
            )


# --- the report -------------------------------------------------------------------------


def _ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1f}"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_report(report: DbReport, args: argparse.Namespace) -> None:
    floor, routing, cti = report.floor, report.routing, report.cti
    title = f"=== {report.db.label} ==="
    print(f"\n{title}\n{'=' * len(title)}")
    print(f"server : {report.server}")
    print(f"setup  : {report.setup}")
    print(f"showcase {SHOWCASE}, purpose other → {report.showcase}")
    print(
        f"load   : {args.concurrency} callers, one keep-alive connection each, back to back"
        f" (closed loop), arriving over the first half of a {args.warmup:g} s warm-up, then"
        f" {args.seconds:g} s measured per phase; rows marked @ are open loop at the offered rate"
        f" for {max(1.0, args.seconds / 2):g} s, latency counted from the scheduled moment"
    )
    header = (
        f"{'phase':<13} {'endpoint':<30} {'ok':>7} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7}"
        f" {'p99 ms':>7} {'max ms':>7} {'errors':>6} {'×floor':>7} {'CPU ms':>7} {'others':>6}"
    )
    print(header)
    print("-" * len(header))
    endpoints = {
        "floor": "GET  /api/v1/ping",
        "routing": "GET  /api/v1/routing/suggest",
        "cti": "POST /api/v1/cti/events",
    }
    for phase in (floor, routing, cti, *report.paced):
        ratio = f"{phase.rps / floor.rps:.2f}" if floor.rps and phase.rate is None else ""
        label = phase.name if phase.rate is None else f"{phase.name}@{phase.rate:.0f}/s"
        print(
            f"{label:<13} {endpoints[phase.name]:<30} {phase.succeeded:>7} {phase.rps:>8.0f}"
            f" {_ms(phase.pct(50)):>7} {_ms(phase.pct(90)):>7} {_ms(phase.pct(99)):>7}"
            f" {_ms(phase.pct(100)):>7} {phase.error_count:>6} {ratio:>7}"
            f" {_ms(_cpu_ms(phase)):>7} {phase.cpu.other if phase.cpu else float('nan'):>6.2f}"
        )
    print(
        "CPU ms: server CPU per answered request (gunicorn workers + PostgreSQL backends + Redis),"
        " whatever else runs; others: cores other programs took meanwhile"
    )
    by_purpose = "  ".join(
        f"{p} {_ms(routing.pct(50, _ends(p)))}/{_ms(routing.pct(99, _ends(p)))}" for p in PURPOSES
    )
    by_known = "  ".join(
        f"{k} {_ms(routing.pct(50, _starts(k)))}/{_ms(routing.pct(99, _starts(k)))}"
        for k in ("known", "unknown")
    )
    print(f"routing p50/p99 ms by purpose: {by_purpose};  by caller: {by_known}")
    by_type = "  ".join(
        f"{t} {_ms(cti.pct(50, _is(t)))}/{_ms(cti.pct(99, _is(t)))}"
        for t in ("ringing", "answered", "ended")
    )
    calls = len(cti.latencies.get("ended", [])) / cti.window if cti.window else 0.0
    print(f"cti p50/p99 ms by event: {by_type};  ≈{calls:.0f} whole calls/s")
    for label, reg in (("cti", report.registry), ("cti@", report.paced_registry)):
        if reg.get("seconds"):
            print_registry(label, reg, floor)
    print(
        f"CPU cores busy with other programs before the phases (2 s idle): {report.background:.2f}"
        f" of {NCPU}"
        + ("  ← the machine is not quiet: figures are low" if report.background > 0.3 else "")
    )
    for phase in (floor, routing, cti, *report.paced):
        if phase.cpu is not None:
            cpu = phase.cpu.describe(database=report.db.kind == "postgres")
            label = phase.name if phase.rate is None else f"{phase.name}@"
            print(f"CPU cores during {label:<8}: {cpu}")
    for phase in (floor, routing, cti, *report.paced):
        for error, count in phase.errors.most_common(5):
            print(f"  {phase.name} error ×{count}: {error}")
    if report.server_log:
        print("the end of gunicorn's log:\n  " + report.server_log.replace("\n", "\n  "))
    print(f"goals (issue 3, item 7): p99 ≤ {P99_GOAL_MS:g} ms, ≥ {FLOOR_SHARE_GOAL:.0%} of floor")
    reg = report.registry
    if reg.get("seconds") and floor.rps:
        share = reg["applied"] / reg["seconds"] / floor.rps
        print(
            f"  {'registry':<8} applied end to end {share:>4.0%} of floor"
            f" ({reg['applied'] / reg['seconds']:.0f} vs {floor.rps:.0f} events/s)"
            f"  {_verdict(share >= FLOOR_SHARE_GOAL and not reg['pending'])}"
        )
    for phase in (routing, cti):
        p99 = phase.pct(99)
        share = phase.rps / floor.rps if floor.rps else 0.0
        print(
            f"  {phase.name:<8} p99 {_ms(p99):>6} ms  {_verdict(p99 <= P99_GOAL_MS)}"
            f"   throughput {share:>4.0%} of floor ({phase.rps:.0f} vs {floor.rps:.0f} req/s)"
            f"  {_verdict(share >= FLOOR_SHARE_GOAL)}"
            + (f"   ({phase.error_count} errors)" if phase.error_count else "")
        )
        cost, floor_cost = _cpu_ms(phase), _cpu_ms(floor)
        if not (math.isnan(cost) or math.isnan(floor_cost)):
            print(
                f"  {'':<8} by CPU per request (robust to other programs): {cost:.2f} ms vs the"
                f" floor's {floor_cost:.2f} ms → {floor_cost / cost:.0%} of the floor's throughput"
                f" on equal CPU  {_verdict(floor_cost / cost >= FLOOR_SHARE_GOAL)}"
            )
    print(
        f"  context: the floor itself has p99 {_ms(floor.pct(99))} ms"
        f" ({_verdict(floor.pct(99) <= P99_GOAL_MS)} against 25 ms). With {args.concurrency}"
        " callers back to back a request waits for the ones ahead of it: mean latency ≈"
        f" callers / throughput, here {1000 * args.concurrency / floor.rps:.0f} ms for the floor"
        if floor.rps
        else "  context: the floor answered nothing"
    )
    for phase in report.paced:
        print(
            f"  not saturated: {phase.name} open loop at {phase.rate or 0:.0f} req/s offered"
            f" ({args.paced_share:.0%} of its capacity above): p50 {_ms(phase.pct(50))} ms,"
            f" p99 {_ms(phase.pct(99))} ms  {_verdict(phase.pct(99) <= P99_GOAL_MS)}"
            " (informative; not the issue's set-up)"
        )


def print_registry(label: str, reg: dict[str, Any], floor: PhaseResult) -> None:
    rate = reg["applied"] / reg["seconds"]
    print(
        f"{label} registry: {reg['applied']} of {reg['events']} events applied"
        f" ({reg['pending']} still waiting, {reg['set_aside']} set aside) in"
        f" {reg['seconds']:.1f} s from the first received to the last applied →"
        f" {rate:.0f} events/s end to end ({rate / floor.rps:.2f} × floor);"
        f" lag received → applied p50 {1000 * reg['lag_p50']:.0f} ms,"
        f" p99 {1000 * reg['lag_p99']:.0f} ms, max {1000 * reg['lag_max']:.0f} ms;"
        f" the last applied {reg['drain']:.2f} s after the last received;"
        f" {reg['ended']} of {reg['calls']} calls ended with their talk time"
    )


def _cpu_ms(phase: PhaseResult) -> float:
    """Server CPU milliseconds per answered request during the measured window."""
    if phase.cpu is None or not phase.succeeded:
        return float("nan")
    cpu = phase.cpu.app + phase.cpu.database + phase.cpu.redis
    return 1000 * cpu * phase.window / phase.succeeded


def _ends(suffix: str) -> Callable[[str], bool]:
    return lambda tag: tag.endswith("/" + suffix)


def _starts(prefix: str) -> Callable[[str], bool]:
    return lambda tag: tag.startswith(prefix + "/")


def _is(name: str) -> Callable[[str], bool]:
    return lambda tag: tag == name


def print_summary(reports: list[DbReport]) -> None:
    print("\n=== summary ===")
    print(
        f"{'database':<11} {'phase':<8} {'req/s':>7} {'p50':>6} {'p99':>6} {'×floor':>7}"
        f" {'p99≤25ms':>9} {'≥60%':>5} {'errors':>6}"
    )
    for r in reports:
        for phase in (r.routing, r.cti):
            share = phase.rps / r.floor.rps if r.floor.rps else 0.0
            print(
                f"{r.db.kind:<11} {phase.name:<8} {phase.rps:>7.0f} {_ms(phase.pct(50)):>6}"
                f" {_ms(phase.pct(99)):>6} {share:>7.2f}"
                f" {_verdict(phase.pct(99) <= P99_GOAL_MS):>9}"
                f" {_verdict(share >= FLOOR_SHARE_GOAL):>5} {phase.error_count:>6}"
            )
        print(
            f"{r.db.kind:<11} {'floor':<8} {r.floor.rps:>7.0f} {_ms(r.floor.pct(50)):>6}"
            f" {_ms(r.floor.pct(99)):>6}"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured window per phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="discarded seconds per phase")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent callers")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--seed", type=int, default=42, help="demo center and request mix")
    parser.add_argument(
        "--registry-timeout",
        type=float,
        default=120.0,
        help="seconds to wait for the CTI journal to reach the registry after the cti phase",
    )
    parser.add_argument(
        "--unknown-share", type=float, default=0.25, help="share of callers with unknown numbers"
    )
    parser.add_argument(
        "--paced-share",
        type=float,
        default=0.5,
        help="then routing and CTI again, open loop, at this share of the throughput just "
        "measured, for half of --seconds: latency when not saturated (0: skip)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=3.0,
        help="before each phase, wait up to this many seconds for other programs to go quiet",
    )
    parser.add_argument(
        "--redis",
        choices=["auto", "on", "off"],
        default="auto",
        help="live events through Redis on 127.0.0.1:6379 (production with several workers) "
        "or in-process; auto: Redis when it answers",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    install_sigterm_as_interrupt()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    extra_env: dict[str, str] = {}
    use_redis = args.redis == "on" or (args.redis == "auto" and redis_answers())
    if use_redis:
        extra_env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    print("callpulse routing benchmark (issue 3, item 7): figures only, loopback only")
    print(
        f"machine: {NCPU} CPU cores, shared by the load generator (this Python process, asyncio,"
        " a minimal HTTP/1.1 client), the gunicorn workers and the database server; every"
        " figure below is therefore lower than on a dedicated server"
    )
    print(
        "settings: callpulse.settings.prod, DEBUG off, CALLPULSE_SSL_REDIRECT=0 (plain http on"
        f" loopback), live events {'via Redis 127.0.0.1:6379' if use_redis else 'in-process'};"
        " no collectstatic (the API serves no static files)"
    )
    print(
        f"server: {args.workers} gthread workers × {args.threads} threads: one process per core"
        " (Python runs one thread at a time per process), threads to overlap database waits and"
        " to serve many keep-alive connections; SQLite: WAL, busy timeout 20 s, BEGIN IMMEDIATE"
        " (the project's settings) so concurrent writers queue instead of failing"
    )
    reports: list[DbReport] = []
    try:
        for kind in kinds:
            report = bench_database(kind, args, extra_env)
            reports.append(report)
            print_report(report, args)
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, databases removed", file=sys.stderr)
        return 130
    except BenchError as exc:
        print(f"\nbenchmark set-up failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if len(reports) > 1:
            print_summary(reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())

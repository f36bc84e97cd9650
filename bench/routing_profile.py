"""Where the time of one routing decision, and of one CTI event, goes (figures only).

    .venv/bin/python bench/routing_profile.py [--db sqlite|postgres] [--n 400]

Builds a fresh demo database the way routing_bench.py does, then, in a child process with the
production settings and no HTTP server (Django's test client drives the full middleware and DRF
stack in-process, one request at a time):

- counts the SQL queries of one decision for every routing branch, and of each CTI event;
- times whole requests (the floor, routing, CTI events);
- times each part of a decision on its own, so the parts can be compared: token auth, number
  parsing, the client lookup split into ORM compilation and SQL execution, the absence and
  agent-state checks, the output serializer and the reasons text, and (SQLite) opening the
  connection that CONN_MAX_AGE=0 opens for every request.

Timings on a machine shared with other programs are noisy; the ratios are what to read.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import PYTHON, ROOT, BenchError, fresh_database, manage

STAFF_USER = "operator1"
SHOWCASE = "+77011234567"


def outer(args: argparse.Namespace) -> int:
    with fresh_database(args.db) as db:
        print(f"… {db.label}: migrate, demo, tokens", flush=True)
        manage(db.env, "migrate", "--no-input", "-v", "0")
        manage(db.env, "demo", "--seed", str(args.seed))
        manage(db.env, "drf_create_token", STAFF_USER)
        manage(db.env, "service_token", "bench-pbx", "--scope", "cti")
        env = {
            **db.env,
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "PYTHONPATH": str(ROOT),
        }
        inner_args = ["--inner", "--n", str(args.n), "--seed", str(args.seed), "--db", args.db]
        done = subprocess.run([PYTHON, __file__, *inner_args], cwd=ROOT, env=env, check=False)
        return done.returncode


def per_call_ms(fn: Callable[[int], object], n: int) -> float:
    """Mean wall time of fn(i) for i in range(n), in milliseconds, after a short warm-up."""
    for i in range(min(20, n)):
        fn(i)
    started = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - started) / n * 1000


def inner(args: argparse.Namespace) -> int:
    import django

    django.setup()

    from django.conf import settings
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.authtoken.models import Token

    from callpulse.core.models import ServiceToken
    from callpulse.core.phones import normalize_phone
    from callpulse.core.selectors import user_absence_at
    from callpulse.crm.models import Client, Phone
    from callpulse.crm.selectors import client_find_by_phone, clients_with_card_relations
    from callpulse.telephony.cti import cti_events_apply
    from callpulse.telephony.directory import routing_directory
    from callpulse.telephony.models import AgentStatus, CTIEvent
    from callpulse.telephony.routing import call_route, reasons_text
    from callpulse.telephony.serializers import RoutingDecisionSerializer

    n = args.n
    rng = random.Random(args.seed)
    staff_key = Token.objects.get(user__username=STAFF_USER).key
    cti_key = ServiceToken.objects.get(name="bench-pbx").key
    staff = HttpClient(HTTP_AUTHORIZATION=f"Token {staff_key}")
    pbx = HttpClient(HTTP_AUTHORIZATION=f"Bearer {cti_key}")
    now = timezone.now()
    past = now - timedelta(hours=2)  # outside the live snapshot's minute: rebuilt every time

    # One number per routing branch (purpose "other" is the one that walks the rules).
    branches: dict[str, str] = {}
    for client in clients_with_card_relations().filter(phones__isnull=False).order_by("pk")[:600]:
        manager = client.manager
        if manager is None:
            name = "no manager (new client)"
        else:
            away = user_absence_at(user=manager, at=now) is not None
            kind = "key" if client.client_type.is_key else "non-key"
            name = f"{kind}, manager {'absent' if away else 'in'}"
        if name not in branches:
            first = client.phones.order_by("pk").first()
            if first is not None:
                branches[name] = first.number
    branches["unknown number"] = "+77059990011"
    known = list(Phone.objects.values_list("number", flat=True))
    mix = [
        (rng.choice(known) if rng.random() >= 0.25 else f"+7705999{rng.randrange(10**4):04d}",
         rng.choice(["order", "info", "other"]))
        for _ in range(997)
    ]  # fmt: skip

    print(f"\n=== SQL queries per request ({args.db}) ===")
    for branch, number in branches.items():
        counts = []
        for purpose in ("order", "info", "other"):
            with CaptureQueriesContext(connection) as queries:
                answer = staff.get("/api/v1/routing/suggest", {"phone": number, "purpose": purpose})
            counts.append(f"{purpose} {len(queries)}")
        summary = answer.json().get("summary", "")[:70] if answer.status_code == 200 else answer
        print(f"  routing  {branch:<26} {', '.join(counts):<26} ({summary})")
    with CaptureQueriesContext(connection) as queries:
        staff.get("/api/v1/routing/suggest", {"phone": SHOWCASE, "purpose": "other"})
    print("  the showcase decision, query by query:")
    for query in queries.captured_queries:
        print(f"    {query['sql'][:150]}")

    def cti(call: str, kind: str, number: str, extension: str = "") -> Any:
        body = {
            "event_id": f"{call}-{kind}",
            "call_id": call,
            "type": kind,
            "direction": "inbound",
            "from_number": number,
            "to_number": "+77272501122",
            "queue": "sales",
            "purpose": "other",
            "at": timezone.now().isoformat(),
        }
        if extension:
            body["extension"] = extension
        return pbx.post("/api/v1/cti/events", json.dumps(body), content_type="application/json")

    # Counted and timed here as one synchronous step: received, then applied as a batch of one
    # (the server applies in batches in the background; see the last CTI row for that cost).
    settings.CALLPULSE_CTI_APPLY = "inline"
    for kind, extension in (("ringing", ""), ("answered", "101"), ("ended", "101")):
        with CaptureQueriesContext(connection) as queries:
            answer = cti("profile-1", kind, SHOWCASE, extension)
        writes = sum(
            1 for q in queries.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE")
        )
        print(
            f"  cti      {kind:<9} {len(queries)} queries ({writes} writes)"
            f" HTTP {answer.status_code}"
        )

    print(f"\n=== whole requests in-process, {n} each (ms per request) ===")
    ping = per_call_ms(lambda i: staff.get("/api/v1/ping"), n)
    print(f"  floor GET /api/v1/ping                 {ping:6.2f}")

    def route(i: int, purpose: str | None = None) -> object:
        number, mixed = mix[i % len(mix)]
        params = {"phone": number, "purpose": purpose or mixed}
        return staff.get("/api/v1/routing/suggest", params)

    routing = per_call_ms(route, n)
    print(f"  routing, the bench's mix               {routing:6.2f}   {routing / ping:4.1f}× floor")
    for purpose in ("order", "other"):
        ms = per_call_ms(lambda i, p=purpose: route(i, p), n)  # type: ignore[misc]
        print(f"  routing, purpose={purpose:<6}                {ms:6.2f}")
    calls = max(n // 3, 1)
    base = f"profile-{os.getpid()}"
    for kind, extension in (("ringing", ""), ("answered", "101"), ("ended", "101")):
        ms = per_call_ms(
            lambda i, k=kind, e=extension: cti(f"{base}-{i}", k, mix[i % len(mix)][0], e),  # type: ignore[misc]
            calls,
        )
        print(f"  cti {kind:<9} (received and applied)   {ms:6.2f}")
    settings.CALLPULSE_CTI_APPLY = "worker"  # received only; applied below in batches
    base = f"profile-batch-{os.getpid()}"
    received = 0.0
    for kind, extension in (("ringing", ""), ("answered", "101"), ("ended", "101")):
        received += per_call_ms(
            lambda i, k=kind, e=extension: cti(f"{base}-{i}", k, mix[i % len(mix)][0], e),  # type: ignore[misc]
            calls,
        )
    waiting = CTIEvent.objects.filter(applied_at__isnull=True).count()
    started = time.perf_counter()
    while cti_events_apply(limit=100):
        pass
    applied = 1000 * (time.perf_counter() - started) / max(waiting, 1)
    print(f"  cti, received only (mean of the three)      {received / 3:6.2f}")
    print(f"  cti, applied in batches of 100, per event   {applied:6.2f}")

    print(f"\n=== the parts of one decision, each on its own ({n} each, ms) ===")
    numbers = [number for number, _ in mix]
    auth = TokenAuthentication()
    parts: list[tuple[str, float]] = []
    parts.append(
        ("DRF token auth (token + user, select_related)",
         per_call_ms(lambda i: auth.authenticate_credentials(staff_key), n))
    )  # fmt: skip
    parts.append(
        ("normalize_phone (phonenumbers parse + validate)",
         per_call_ms(lambda i: normalize_phone(numbers[i % len(numbers)]), n))
    )  # fmt: skip

    def lookup_query(i: int) -> Any:
        number = normalize_phone(numbers[i % len(numbers)])
        queryset = clients_with_card_relations().filter(phones__number=number)
        return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]

    def compile_only(i: int) -> tuple[str, Any]:
        sql, params = lookup_query(i).query.get_compiler(using="default").as_sql()
        return str(sql), params

    compiled = [compile_only(i) for i in range(len(numbers))]

    def execute_only(i: int) -> object:
        sql, params = compiled[i % len(compiled)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    parts.append(
        ("client lookup, whole (client_find_by_phone)",
         per_call_ms(lambda i: client_find_by_phone(numbers[i % len(numbers)]), n))
    )  # fmt: skip
    parts.append(("  of which: ORM builds + compiles the SQL", per_call_ms(compile_only, n)))
    parts.append(("  of which: the database runs it", per_call_ms(execute_only, n)))
    manager_ids = list(
        Client.objects.exclude(manager=None).values_list("manager_id", flat=True).distinct()
    )
    from callpulse.core.models import User

    managers = list(User.objects.filter(pk__in=manager_ids))
    parts.append(
        ("absence check (user_absence_at)",
         per_call_ms(lambda i: user_absence_at(user=managers[i % len(managers)], at=now), n))
    )  # fmt: skip
    parts.append(
        ("agent state check (AgentStatus … first())",
         per_call_ms(lambda i: AgentStatus.objects.filter(user=managers[i % len(managers)])
                     .values_list("state", flat=True).first(), n))
    )  # fmt: skip
    decisions = [
        call_route(phone=numbers[i], purpose=mix[i][1], at=now).as_dict() for i in range(50)
    ]
    parts.append(
        ("routing directory, rebuilt (5 queries; once a second per process)",
         per_call_ms(lambda i: routing_directory(past), max(n // 10, 5)))
    )  # fmt: skip
    parts.append(
        ("call_route, whole (no HTTP, no auth, no output; directory reused)",
         per_call_ms(lambda i: call_route(phone=numbers[i % len(numbers)],
                                          purpose=mix[i % len(mix)][1]), n))
    )  # fmt: skip
    parts.append(
        ("call_route at a past moment (directory rebuilt every time)",
         per_call_ms(lambda i: call_route(phone=numbers[i % len(numbers)],
                                          purpose=mix[i % len(mix)][1], at=past),
                     max(n // 10, 5)))
    )  # fmt: skip
    parts.append(
        ("RoutingDecisionSerializer(decision).data",
         per_call_ms(lambda i: RoutingDecisionSerializer(decisions[i % 50]).data, n))
    )  # fmt: skip
    parts.append(
        ("  of which: reasons_text (summary)",
         per_call_ms(lambda i: reasons_text(decisions[i % 50]["reasons"]), n))
    )  # fmt: skip
    parts.append(
        ("plain dict + reasons_text instead of the serializer",
         per_call_ms(lambda i: {**decisions[i % 50],
                                "summary": reasons_text(decisions[i % 50]["reasons"])}, n))
    )  # fmt: skip
    if connection.vendor == "sqlite":

        def reconnect(i: int) -> None:
            connection.close()
            connection.ensure_connection()

        parts.append(("SQLite: open a connection (every request, CONN_MAX_AGE=0)",
                      per_call_ms(reconnect, n)))  # fmt: skip
    for label, ms in parts:
        print(f"  {label:<58} {ms:6.3f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--n", type=int, default=400, help="repetitions per timing")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        return inner(args) if args.inner else outer(args)
    except BenchError as exc:
        print(f"profile set-up failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

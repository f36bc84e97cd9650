"""Orders taken by phone over HTTP: accepted per second and credit-limit safety (issue 4, item 9).

A fresh database (PostgreSQL on 127.0.0.1:5432 by default, or SQLite), `migrate`, the demo
center (`manage.py demo --seed 42`), then, in one `manage.py shell` script: a catalog if the
demo has none (`make_catalog`), a pool of bench clients of one non-regional type with small
credit limits (no debt), one token per operator (operator1..N) and the next working day.
gunicorn serves the production settings on a loopback port, and N operators, each with its own
token on its own keep-alive connection, take orders back to back for clients drawn at random
from the shared pool, as the order screen does:

  POST  /api/v1/orders/                  client and lines [{sku, quantity}]
  POST  /api/v1/orders/{id}/offers/      three offers (sku, source, accepted: one in three)
  PATCH /api/v1/orders/{id}/terms/       delivery date, receiver, payment form
  POST  /api/v1/orders/{id}/accept/      200 accepted, or 400 with `credit` when refused

The credit limits hold only a few orders each, so the pool runs into its limits while many
operators accept orders for the same client at once. It prints orders accepted per second,
p50/p99 latency of the accept call and of the whole order, refusals by reason, errors, and then,
from the database, the credit-limit violations (clients whose debt + open orders exceed the
limit where they did not before the run: must be 0) and whether each client's open-orders total
equals the sum of its accepted orders. It never asserts.

    .venv/bin/python bench/orders_bench.py                              # PostgreSQL, 20 operators
    .venv/bin/python bench/orders_bench.py --clients 500 --limit-orders 1000   # a large pool
    .venv/bin/python bench/orders_bench.py --db sqlite --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import (
    LOOPBACK,
    NCPU,
    BenchError,
    CpuSample,
    CpuShare,
    Database,
    _read_response,
    app_server,
    background_load,
    fresh_database,
    install_sigterm_as_interrupt,
    manage,
    manage_json,
    percentile_ms,
    redis_answers,
    wait_for_quiet,
)

OFFER_SOURCES = ("new", "promoted", "traditional", "bought_together")

# Runs inside `manage.py shell` after the demo: catalog, pool clients, tokens, delivery day.
SETUP_CODE = """
import json, random
from datetime import timedelta
from decimal import Decimal
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.authtoken.models import Token
from callpulse.catalog.models import Price, Product
from callpulse.catalog.pricing import active_price_list, price_order
from callpulse.core.models import User
from callpulse.crm.models import Client, ClientType
from callpulse.orders.services import delivery_date_problem

P = json.loads(%(params)r)
rng = random.Random(P["seed"])
today = timezone.localdate()
catalog = "demo"
try:
    price_list = active_price_list(today)
    priced = Price.objects.filter(price_list=price_list, product__is_active=True).exists()
except ValidationError:
    priced = False
if not priced:
    from callpulse.catalog.tests.factories import make_catalog
    make_catalog(skus=12)
    catalog = "make_catalog(skus=12), bench-made"
types = {t.code: t for t in ClientType.objects.all()}
ctype = next((types[c] for c in ("wholesale", "retail", "outlet") if c in types), None)
if ctype is None:
    ctype = next(t for code, t in types.items() if code != "regional")
manager_id = (
    Client.objects.filter(client_type=ctype, manager__isnull=False)
    .values_list("manager_id", flat=True).first()
)
probe = Client.objects.create(name="Bench probe", client_type=ctype, manager_id=manager_id)
products = list(Product.objects.filter(is_active=True).order_by("sku"))
rng.shuffle(products)
skus, prices = [], []
for product in products:
    try:
        line = price_order(client=probe, lines=[(product, Decimal(1))], on=today).lines[0]
    except ValidationError:
        continue
    skus.append(product.sku)
    prices.append(line.unit_price)
    if len(skus) >= P["skus"]:
        break
probe.delete()
if len(skus) < P["lines"] + 3:
    raise SystemExit(f"only {len(skus)} priced products: need {P['lines'] + 3}")
mean_price = sum(prices) / len(prices)
# lines of 1..5 units (3 on average), three offers of one unit each, one in three accepted
mean_order = mean_price * (3 * P["lines"] + 3 * Decimal(str(P["accept_share"])))
limit = max(1, round(Decimal(str(P["limit_orders"])) * mean_order / 1000)) * Decimal(1000)
first = Client.objects.count()
Client.objects.bulk_create(
    Client(name=f"Bench client {n:04d}", client_type=ctype, manager_id=manager_id,
           credit_limit=limit)
    for n in range(1, P["clients"] + 1)
)
pool = list(Client.objects.filter(name__startswith="Bench client ").order_by("pk"))
tokens = []
for n in range(1, P["operators"] + 1):
    user = User.objects.filter(username=f"operator{n}", is_active=True).first()
    if user is None:
        raise SystemExit(f"no active user operator{n}")
    tokens.append(Token.objects.get_or_create(user=user)[0].key)
day = today + timedelta(days=1)
while delivery_date_problem(day, today=today):
    day += timedelta(days=1)
print("BENCH-JSON " + json.dumps({
    "catalog": catalog, "skus": skus, "mean_price": str(mean_price),
    "mean_order": str(mean_order.quantize(Decimal("0.01"))), "limit": str(limit),
    "client_type": ctype.code, "manager": manager_id, "tokens": tokens,
    "delivery_date": day.isoformat(), "today": today.isoformat(),
    "demo_clients": first, "products": len(products),
    "pool": [c.pk for c in pool],
}))
"""

# Runs inside `manage.py shell` (before and after the run): each pool client's exposure.
STATE_CODE = """
import json
from decimal import Decimal
from django.db.models import Count, Q, Sum
from callpulse.crm.models import Client
from callpulse.orders.models import Order, OrderStatus

ids = json.loads(%(ids)r)
rows = {}
for c in Client.objects.filter(pk__in=ids).annotate(
    accepted_sum=Sum("orders__total", filter=Q(orders__status=OrderStatus.ACCEPTED)),
    accepted_n=Count("orders", filter=Q(orders__status=OrderStatus.ACCEPTED)),
    orders_n=Count("orders"),
):
    rows[c.pk] = {
        "limit": str(c.credit_limit), "debt": str(c.debt), "open": str(c.open_orders_total),
        "accepted_sum": str(c.accepted_sum or Decimal("0.00")), "accepted": c.accepted_n,
        "orders": c.orders_n,
    }
statuses = dict(
    Order.objects.filter(client_id__in=ids).values_list("status").annotate(n=Count("pk"))
)
print("BENCH-JSON " + json.dumps({"clients": rows, "statuses": statuses}))
"""


@dataclass
class Setup:
    catalog: str
    skus: list[str]
    mean_price: str
    mean_order: str
    limit: str
    client_type: str
    manager: int | None
    tokens: list[str]
    delivery_date: str
    today: str
    demo_clients: int
    products: int
    pool: list[int]


@dataclass
class Outcomes:
    """What the operators saw: latencies in seconds by step, orders by outcome."""

    window: float
    t_measure: float = 0.0
    t_end: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    accepted: int = 0  # in the measured window
    refused: Counter[str] = field(default_factory=Counter)  # by reason, in the window
    errors: Counter[str] = field(default_factory=Counter)  # in the window
    refusal_samples: dict[str, str] = field(default_factory=dict)
    # the whole run (warm-up, window, drain): to hold against the database
    all_accepted: int = 0
    all_accepted_total: Decimal = Decimal(0)
    all_errors: int = 0
    by_client: dict[int, Counter[str]] = field(default_factory=dict)
    cpu: CpuShare | None = None

    def in_window(self, t0: float, t1: float) -> bool:
        return t0 >= self.t_measure and t1 <= self.t_end

    def pct(self, tag: str, q: float) -> float:
        return percentile_ms(sorted(self.latencies.get(tag, [])), q)


class Conn:
    """One operator's keep-alive HTTP/1.1 connection with its token."""

    def __init__(self, port: int, token: str, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.head = (
            f"Host: {LOOPBACK}:{port}\r\nAuthorization: Token {token}\r\n"
            "Accept: application/json\r\nAccept-Language: en\r\n"
        )
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, method: str, path: str, payload: dict[str, Any]) -> tuple[int, bytes]:
        body = json.dumps(payload, separators=(",", ":")).encode()
        data = (
            f"{method} {path} HTTP/1.1\r\n{self.head}Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        try:
            async with asyncio.timeout(self.timeout):
                if self.reader is None or self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(LOOPBACK, self.port)
                self.writer.write(data)
                status, answer, close = await _read_response(self.reader)
        except BaseException:
            self.close()
            raise
        if close:
            self.close()
        return status, answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _refusal(body: bytes) -> tuple[str, str]:
    """(reason, message) of a 400 from accept: credit/over_limit, credit/overdue or other."""
    try:
        data = json.loads(body)
    except ValueError:
        return "other: not JSON", body[:160].decode(errors="replace")
    if isinstance(data, dict) and "credit" in data:
        credit = data["credit"]
        message = " ".join(map(str, credit)) if isinstance(credit, list) else str(credit)
        return ("credit: overdue" if "overdue" in message else "credit: over limit"), message
    keys = ",".join(sorted(data)) if isinstance(data, dict) else "?"
    return f"other: {keys}", body[:160].decode(errors="replace")


async def _operator(
    i: int, port: int, setup: Setup, args: argparse.Namespace, out: Outcomes, start_at: float
) -> None:
    rng = random.Random(args.seed * 7919 + i)
    conn = Conn(port, setup.tokens[i], args.timeout)
    clock = time.perf_counter
    terms = {
        "delivery_date": setup.delivery_date,
        "receiver": f"Bench receiver {i + 1}",
        "payment_form": "deferred",
    }
    await asyncio.sleep(max(0.0, start_at - clock()))
    try:
        while clock() < out.t_end:
            client = rng.choice(setup.pool)
            chosen = rng.sample(setup.skus, args.lines + 3)
            lines = [{"sku": s, "quantity": str(rng.randint(1, 5))} for s in chosen[: args.lines]]
            steps: list[tuple[str, str, str, dict[str, Any]]] = [
                ("create", "POST", "/api/v1/orders/", {"client": client, "lines": lines})
            ]
            for sku in chosen[args.lines :]:
                offer = {
                    "sku": sku,
                    "source": rng.choice(OFFER_SOURCES),
                    "accepted": rng.random() < args.accept_share,
                    "quantity": "1",
                }
                steps.append(("offer", "POST", "/api/v1/orders/{id}/offers/", offer))
            steps.append(("terms", "PATCH", "/api/v1/orders/{id}/terms/", terms))
            steps.append(("accept", "POST", "/api/v1/orders/{id}/accept/", {}))
            order_id = None
            began = clock()
            for tag, method, path, payload in steps:
                t0 = clock()
                try:
                    status, body = await conn.send(method, path.format(id=order_id), payload)
                except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError) as exc:
                    status, body = 0, type(exc).__name__.encode()
                t1 = clock()
                counted = out.in_window(t0, t1)
                if tag == "create" and status == 201:
                    order_id = json.loads(body)["id"]
                if tag == "accept" and status in (200, 400):
                    outcome = "accepted"
                    if status == 400:
                        outcome, message = _refusal(body)
                        out.refusal_samples.setdefault(outcome, message)
                    else:
                        out.all_accepted += 1
                        out.all_accepted_total += Decimal(json.loads(body)["total"])
                    out.by_client.setdefault(client, Counter())[outcome] += 1
                    if counted:
                        out.latencies.setdefault("accept", []).append(t1 - t0)
                        if out.in_window(began, t1):
                            out.latencies.setdefault("order", []).append(t1 - began)
                        if status == 200:
                            out.accepted += 1
                        else:
                            out.refused[outcome] += 1
                    break
                if status not in (200, 201):
                    out.all_errors += 1
                    if counted:
                        snippet = body[:120].decode(errors="replace")
                        out.errors[f"{tag}: HTTP {status} {snippet}"] += 1
                    await asyncio.sleep(0.01)
                    break  # the order is abandoned as a draft; the operator takes the next
                if counted:
                    out.latencies.setdefault(tag, []).append(t1 - t0)
    finally:
        conn.close()


async def _drive(
    port: int, setup: Setup, args: argparse.Namespace, pids: Any, db: Database
) -> Outcomes:
    out = Outcomes(window=args.seconds)
    start = time.perf_counter()
    out.t_measure = start + args.warmup
    out.t_end = out.t_measure + args.seconds
    step = args.warmup / 2 / max(args.operators, 1)  # arrive over the first half of the warm-up
    samples: list[CpuSample] = []

    async def sample_cpu() -> None:
        for moment in (out.t_measure, out.t_end):
            await asyncio.sleep(max(0.0, moment - time.perf_counter()))
            samples.append(CpuSample.take(pids(), db.server_marker))

    await asyncio.gather(
        sample_cpu(),
        *(_operator(i, port, setup, args, out, start + i * step) for i in range(args.operators)),
    )
    if len(samples) == 2:
        out.cpu = CpuShare.between(samples[0], samples[1])
    return out


def _state(db: Database, pool: list[int]) -> dict[str, Any]:
    data: dict[str, Any] = manage_json(db.env, STATE_CODE % {"ids": json.dumps(pool)})
    return data


def run(args: argparse.Namespace, extra_env: dict[str, str]) -> int:
    with fresh_database(args.db, extra_env=extra_env) as db:
        print(
            f"\n… {db.label}: migrate, demo --seed {args.seed}, catalog, pool, tokens", flush=True
        )
        t0 = time.perf_counter()
        manage(db.env, "migrate", "--no-input", "-v", "0")
        t1 = time.perf_counter()
        manage(db.env, "demo", "--seed", str(args.seed), "--clients", str(args.demo_clients))
        t2 = time.perf_counter()
        params = {
            "seed": args.seed,
            "clients": args.clients,
            "operators": args.operators,
            "limit_orders": args.limit_orders,
            "lines": args.lines,
            "accept_share": args.accept_share,
            "skus": args.skus,
        }
        setup = Setup(**manage_json(db.env, SETUP_CODE % {"params": json.dumps(params)}))
        before = _state(db, setup.pool)
        t3 = time.perf_counter()
        with app_server(db.env, workers=args.workers, threads=args.threads) as server:
            idle = background_load(2.0)
            load = wait_for_quiet(args.quiet_wait)
            print(f"… {server.description}; other programs {load:.2f} cores", flush=True)
            out = asyncio.run(_drive(server.port, setup, args, server.worker_pids, db))
            log = server.log_tail(2500) if out.all_errors else ""
        after = _state(db, setup.pool)  # the server is stopped: every request has finished
        print_report(db, args, setup, out, before, after, idle, log)
        print(
            f"setup: migrate {t1 - t0:.1f} s, demo {t2 - t1:.1f} s, catalog/pool/tokens"
            f" {t3 - t2:.1f} s"
        )
    return 0


# --- the report -------------------------------------------------------------------------


def _ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1f}"


def _dec(value: str) -> Decimal:
    return Decimal(value)


def print_report(
    db: Database,
    args: argparse.Namespace,
    setup: Setup,
    out: Outcomes,
    before: dict[str, Any],
    after: dict[str, Any],
    idle: float,
    log: str,
) -> None:
    title = f"=== {db.label} ==="
    print(f"\n{title}\n{'=' * len(title)}")
    print(
        f"catalog: {setup.catalog} ({setup.products} active products, {len(setup.skus)} priced"
        f" SKUs used, mean unit price {_dec(setup.mean_price):,.2f}); demo clients"
        f" {setup.demo_clients:,}"
    )
    print(
        f"pool   : {len(setup.pool)} bench clients of type '{setup.client_type}', no debt, credit"
        f" limit {_dec(setup.limit):,.0f} each (≈{args.limit_orders:g} orders of ≈"
        f"{_dec(setup.mean_order):,.0f}); delivery {setup.delivery_date} (today {setup.today})"
    )
    print(
        f"load   : {args.operators} operators (operator1..{args.operators}, a token each, one"
        f" keep-alive connection each), back to back: create with {args.lines} lines (1–5 units)"
        f" → 3 offers (one in {1 / args.accept_share:.0f} accepted, 1 unit) → terms → accept;"
        f" {args.warmup:g} s warm-up, {args.seconds:g} s measured"
    )
    window = out.window or 1.0
    tried = out.accepted + sum(out.refused.values())
    credit = sum(n for r, n in out.refused.items() if r.startswith("credit"))
    other = sum(n for r, n in out.refused.items() if not r.startswith("credit"))
    header = f"{'step':<8} {'calls':>7} {'per s':>7}" + "".join(
        f" {h:>7}" for h in ("p50 ms", "p90 ms", "p99 ms", "max ms")
    )
    print(header)
    print("-" * len(header))
    for tag in ("create", "offer", "terms", "accept", "order"):
        n = len(out.latencies.get(tag, []))
        print(
            f"{tag:<8} {n:>7} {n / window:>7.1f} {_ms(out.pct(tag, 50)):>7}"
            f" {_ms(out.pct(tag, 90)):>7} {_ms(out.pct(tag, 99)):>7} {_ms(out.pct(tag, 100)):>7}"
        )
    print(
        "order: the whole order, create to the accept answer (all six calls); accept and order"
        " count accepted and refused alike"
    )
    print(
        f"ORDERS ACCEPTED PER SECOND: {out.accepted / window:.1f}  ({out.accepted} accepted in"
        f" {window:g} s; {tried / window:.1f} orders/s completed, accepted or refused)"
    )
    print(
        f"accept p50 {_ms(out.pct('accept', 50))} ms, p99 {_ms(out.pct('accept', 99))} ms;"
        f" whole order p50 {_ms(out.pct('order', 50))} ms, p99 {_ms(out.pct('order', 99))} ms"
    )
    print(
        f"refusals: credit {credit}, other {other}"
        + "".join(f"; {r} {n}" for r, n in out.refused.most_common())
    )
    for reason, message in out.refusal_samples.items():
        print(f"  e.g. {reason}: {message[:200]}")
    print(f"errors : {sum(out.errors.values())} in the window ({out.all_errors} in the whole run)")
    for error, count in out.errors.most_common(5):
        print(f"  ×{count} {error}")
    if out.cpu is not None:
        print(f"CPU cores during the window: {out.cpu.describe(database=db.kind == 'postgres')}")
    print(f"CPU cores busy with other programs before the run (2 s idle): {idle:.2f} of {NCPU}")
    if log:
        print("the end of gunicorn's log:\n  " + log.replace("\n", "\n  "))

    # --- the database after the run ---
    rows_before: dict[str, Any] = before["clients"]
    rows_after: dict[str, Any] = after["clients"]
    violations, mismatches, at_limit = [], [], 0
    for pk, row in rows_after.items():
        limit = _dec(row["limit"])
        exposure = _dec(row["debt"]) + _dec(row["open"])
        old = rows_before.get(pk, row)
        was_over = _dec(old["debt"]) + _dec(old["open"]) > _dec(old["limit"])
        if exposure > limit and not was_over:
            violations.append((pk, exposure, limit))
        if _dec(row["open"]) != _dec(row["accepted_sum"]):
            mismatches.append((pk, row["open"], row["accepted_sum"]))
        if limit - exposure < _dec(setup.mean_order):
            at_limit += 1
    db_accepted = sum(int(r["accepted"]) for r in rows_after.values())
    db_total = sum((_dec(r["accepted_sum"]) for r in rows_after.values()), Decimal(0))
    print("\n" + "#" * 78)
    print(
        f"#  CREDIT-LIMIT VIOLATIONS: {len(violations)}   (clients whose debt + open orders"
        f" exceed the limit now but did not before; of {len(rows_after)} pool clients)"
    )
    print(f"#  OPEN-ORDERS TOTAL ≠ SUM OF ACCEPTED ORDERS: {len(mismatches)} clients   (must be 0)")
    print("#" * 78)
    for pk, exposure, limit in violations[:10]:
        print(f"  violation: client {pk} exposure {exposure:,.2f} > limit {limit:,.2f}")
    for pk, stored, summed in mismatches[:10]:
        print(f"  mismatch : client {pk} open_orders_total {stored} ≠ accepted orders {summed}")
    print(
        f"accepted orders: {out.all_accepted} answered 200 over the whole run (warm-up and the"
        f" orders finished after the window included), {db_accepted} accepted in the database;"
        f" totals {out.all_accepted_total:,.2f} vs {db_total:,.2f}"
    )
    print(f"pool orders by status in the database: {after['statuses']}")
    print(f"{at_limit} of {len(rows_after)} pool clients have less headroom left than a mean order")
    if len(rows_after) <= 20:
        print(
            f"{'client':>8} {'limit':>12} {'exposure':>12} {'headroom':>11}"
            f" {'acc':>4} {'refused':>7}"
        )
        for pk, row in sorted(rows_after.items(), key=lambda kv: int(kv[0])):
            exposure = _dec(row["debt"]) + _dec(row["open"])
            seen = out.by_client.get(int(pk), Counter())
            refused = sum(n for r, n in seen.items() if r != "accepted")
            print(
                f"{pk:>8} {_dec(row['limit']):>12,.0f} {exposure:>12,.0f}"
                f" {_dec(row['limit']) - exposure:>11,.0f} {row['accepted']:>4} {refused:>7}"
            )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured window")
    parser.add_argument("--warmup", type=float, default=3.0, help="discarded seconds first")
    parser.add_argument("--operators", type=int, default=20, help="concurrent operators (≤ 21)")
    parser.add_argument("--clients", type=int, default=10, help="clients in the shared pool")
    parser.add_argument(
        "--limit-orders",
        type=float,
        default=8.0,
        help="each client's credit limit holds about this many mean orders (large: no refusals)",
    )
    parser.add_argument("--lines", type=int, default=2, help="lines per order at creation")
    parser.add_argument(
        "--accept-share", type=float, default=1 / 3, help="share of offers the client accepts"
    )
    parser.add_argument("--skus", type=int, default=24, help="priced products to draw from")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--seed", type=int, default=42, help="demo center and order mix")
    parser.add_argument(
        "--demo-clients", type=int, default=2000, help="clients of the demo center (its default)"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument(
        "--quiet-wait", type=float, default=3.0, help="wait this long for other programs to idle"
    )
    parser.add_argument("--redis", choices=["auto", "on", "off"], default="auto")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    install_sigterm_as_interrupt()
    extra_env: dict[str, str] = {}
    use_redis = args.redis == "on" or (args.redis == "auto" and redis_answers())
    if use_redis:
        extra_env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    print("callpulse orders benchmark (issue 4, item 9): figures only, loopback only")
    print(
        f"machine: {NCPU} CPU cores shared by the load generator, gunicorn and the database;"
        f" settings callpulse.settings.prod, live events"
        f" {'via Redis 127.0.0.1:6379' if use_redis else 'in-process'}"
    )
    try:
        return run(args, extra_env)
    except KeyboardInterrupt:
        print("\ninterrupted: server stopped, database removed", file=sys.stderr)
        return 130
    except BenchError as exc:
        print(f"\nbenchmark set-up failed: {exc}", file=sys.stderr)
        return 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())

"""Next-record hand-out for a campaign worked by many operators at once (issue 7, item 7).

A fresh PostgreSQL database (benchkit), `migrate`, then in one `manage.py shell` script: N
operators with extensions, one active campaign (an imported list, so no segment query) of
R records, all due and all in Kazakhstan's time zone. Then `--processes` worker processes
(`manage.py shell`, production settings; default one per core, so Python's GIL is not the
limit) share the N operators: one thread per operator, each with its own database connection,
calling the service layer directly, as the preview screen and the API do,

    record = campaigns.services.campaign_next_record(actor=operator, campaign=campaign, at=t)
    CampaignRecord.objects.filter(pk=record.pk).update(status="done")   # the call is over

back to back for the measured window (after a warm-up). Only `campaign_next_record` is timed.
It prints records handed out per second, p50/p95/p99 latency of the hand-out, and the count of
records handed to two operators (every record is finished before its operator asks again, so
any record handed out twice is a double hand-out: must be 0), checked once more from the
database afterwards (records handed out but not done). It never asserts.

PostgreSQL's `max_connections` (100 by default) bounds the operators: with other sessions on the
server, `--operators 100` may need `--operators 90`; the script says so when connections fail.

    .venv/bin/python bench/campaign_bench.py          # 100 operators, 100,000 records
    .venv/bin/python bench/campaign_bench.py --operators 20 --records 20000 --seconds 5
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import (
    NCPU,
    PYTHON,
    ROOT,
    BenchError,
    background_load,
    fresh_database,
    install_sigterm_as_interrupt,
    manage,
    manage_json,
)

SETUP_CODE = """
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from callpulse.campaigns import services
from callpulse.campaigns.models import Campaign, CampaignRecord, CampaignStatus, Segment
from callpulse.core.models import Role, User

OPERATORS, RECORDS = {operators}, {records}
at = datetime(2026, 11, 24, 11, 0, tzinfo=ZoneInfo("Asia/Almaty"))
operator_role = Role.objects.get(code="operator")
head = User.objects.create(username="bench-head", full_name="Bench head")
head.roles.add(Role.objects.get(code="head_of_sales"))
ops = User.objects.bulk_create(
    User(username=f"bench-op{{n}}", full_name=f"Operator {{n}}", extension=str(7000 + n))
    for n in range(OPERATORS)
)
for user in ops:
    user.roles.add(operator_role)
campaign = services.campaign_create(
    actor=head,
    data=services.CampaignInput(name="bench", segment=Segment.IMPORT, operators=ops),
)
CampaignRecord.objects.bulk_create(
    (
        CampaignRecord(
            campaign=campaign,
            phone=f"+7701{{n:07d}}",
            name=f"Contact {{n}}",
            timezone="Asia/Almaty",
            list_day=at.date(),
            next_attempt_at=at - timedelta(hours=1, seconds=n % 3600),
        )
        for n in range(RECORDS)
    ),
    batch_size=5000,
)
Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.ACTIVE, started_at=at)
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
print("BENCH-JSON " + json.dumps({{"campaign": campaign.pk, "operators": [u.pk for u in ops]}}))
"""

RUN_CODE = """
import json, threading, time
from datetime import datetime
from zoneinfo import ZoneInfo
from django.db import connections
from callpulse.campaigns import services
from callpulse.campaigns.models import Campaign, CampaignRecord, RecordStatus
from callpulse.core.models import User

CAMPAIGN, OPERATOR_IDS = {campaign}, {operator_ids}
START_AT, WARMUP, SECONDS = {start_at}, {warmup}, {seconds}
at = datetime(2026, 11, 24, 11, 0, tzinfo=ZoneInfo("Asia/Almaty"))
campaign = Campaign.objects.get(pk=CAMPAIGN)
operators = list(User.objects.filter(pk__in=OPERATOR_IDS).prefetch_related("roles"))
connections.close_all()
lock = threading.Lock()
latencies, handed, errors = [], [], []
measure_from, end_at = START_AT + WARMUP, START_AT + WARMUP + SECONDS

def work(operator):
    mine_lat, mine_handed = [], []
    try:
        time.sleep(max(0.0, START_AT - time.time()))
        while time.time() < end_at:
            t0 = time.time()
            record = services.campaign_next_record(actor=operator, campaign=campaign, at=at)
            t1 = time.time()
            if record is None:
                break
            if measure_from <= t0 and t1 <= end_at:
                mine_lat.append(t1 - t0)
            mine_handed.append(record.pk)
            CampaignRecord.objects.filter(pk=record.pk).update(status=RecordStatus.DONE)
    except Exception as exc:
        with lock:
            errors.append(f"{{type(exc).__name__}}: {{str(exc)[:200]}}")
    finally:
        connections.close_all()
        with lock:
            latencies.extend(mine_lat)
            handed.extend(mine_handed)

late = time.time() > START_AT
threads = [threading.Thread(target=work, args=(op,)) for op in operators]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("BENCH-JSON " + json.dumps({{
    "latencies": latencies, "handed": handed, "errors": errors[:10],
    "error_count": len(errors), "late": late,
}}))
"""

CHECK_CODE = """
import json
from callpulse.campaigns.models import CampaignRecord, RecordStatus
left = CampaignRecord.objects.filter(campaign_id={campaign}, status=RecordStatus.IN_PROGRESS)
print("BENCH-JSON " + json.dumps({{"left_in_progress": left.count()}}))
"""


def run_processes(env: dict[str, str], codes: list[str], timeout: float) -> list[dict]:
    """Run `manage.py shell -c code` children at once; their BENCH-JSON answers."""
    children = [
        subprocess.Popen(
            [PYTHON, "manage.py", "shell", "-v", "0", "-c", code],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for code in codes
    ]
    answers = []
    try:
        for child in children:
            out, err = child.communicate(timeout=timeout)
            line = next((x for x in out.splitlines() if x.startswith("BENCH-JSON ")), None)
            if child.returncode != 0 or line is None:
                raise BenchError(f"a worker process failed:\n{err[-3000:]}")
            answers.append(json.loads(line.removeprefix("BENCH-JSON ")))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    return answers


def pct(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operators", type=int, default=100)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument(
        "--processes", type=int, default=NCPU, help="worker processes sharing the operators"
    )
    parser.add_argument(
        "--start-delay", type=float, default=20.0, help="seconds for the workers to start up"
    )
    args = parser.parse_args()
    install_sigterm_as_interrupt()
    started = time.monotonic()
    try:
        with fresh_database("postgres", extra_env={"CALLPULSE_DB_CONN_MAX_AGE": "0"}) as db:
            print(f"database: {db.label}")
            manage(db.env, "migrate", "--no-input", timeout=600)
            setup = manage_json(
                db.env, SETUP_CODE.format(operators=args.operators, records=args.records)
            )
            print(
                f"campaign: {args.records:,} records due, {args.operators} operators assigned"
                f" (set-up {time.monotonic() - started:.0f} s)"
            )
            load = background_load(1.0)
            ids = setup["operators"]
            start_at = time.time() + args.start_delay
            codes = [
                RUN_CODE.format(
                    campaign=setup["campaign"],
                    operator_ids=json.dumps(ids[p :: args.processes]),
                    start_at=start_at,
                    warmup=args.warmup,
                    seconds=args.seconds,
                )
                for p in range(args.processes)
            ]
            parts = run_processes(db.env, codes, timeout=args.start_delay + 600)
            check = manage_json(db.env, CHECK_CODE.format(campaign=setup["campaign"]))
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    latencies = sorted(x for part in parts for x in part["latencies"])
    handed = Counter(pk for part in parts for pk in part["handed"])
    errors = [e for part in parts for e in part["errors"]]
    error_count = sum(part["error_count"] for part in parts)
    print(
        f"hand-out: {args.operators} operators = threads in {args.processes} processes, each"
        f" thread with its own PostgreSQL connection, calling campaign_next_record back to back;"
        f" {args.warmup:.0f} s warm-up, {args.seconds:.0f} s measured; other programs used"
        f" {load:.2f} of {NCPU} cores before the run"
    )
    if any(part["late"] for part in parts):
        print("  (a worker process started late: raise --start-delay)")
    print(f"  records handed out per second: {len(latencies) / args.seconds:,.0f}")
    print(
        f"  latency ms: p50 {pct(latencies, 50):.1f}  p95 {pct(latencies, 95):.1f}"
        f"  p99 {pct(latencies, 99):.1f}  max {pct(latencies, 100):.1f}"
    )
    doubles = sum(1 for n in handed.values() if n > 1)
    print(f"  records handed out in all (incl. warm-up): {sum(handed.values()):,}")
    print(f"  records handed to two operators: {doubles} (must be 0)")
    print(f"  records left with an operator after the run: {check['left_in_progress']}")
    if error_count:
        print(f"  errors: {error_count}, e.g. {errors[:3]}")
        if any("too many clients" in e or "connection" in e.lower() for e in errors):
            print("  (PostgreSQL ran out of connections: try fewer --operators)")
    print(f"total time {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared pieces of callpulse's HTTP benchmarks (loopback only, figures only, never asserts).

- `fresh_database`: a new SQLite file in a temporary folder, or a new PostgreSQL database on
  127.0.0.1:5432 (user postgres, trust auth) that is dropped again on the way out.
- `manage`: `manage.py <command>` in a child process, with the production settings.
- `AppServer`: gunicorn serving `callpulse.wsgi` as production would, on a free loopback port.
- `run_phase`: N callers, each on its own keep-alive HTTP/1.1 connection (asyncio streams, a
  minimal client so that the load generator spends as little of the shared CPU as it can),
  a warm-up, then a measured window: latencies, errors and who used the CPU meanwhile.

Run benchmarks with the project's interpreter: `.venv/bin/python bench/<name>.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VENV_BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"
CLK_TCK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


class BenchError(RuntimeError):
    """A step of the set-up failed; the message says which and why."""


def install_sigterm_as_interrupt() -> None:
    """SIGTERM unwinds like Ctrl-C, so every `finally` (servers, databases) still runs."""

    def _raise(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _raise)


# --- databases and management commands ------------------------------------------------


@dataclass
class Database:
    kind: str  # "sqlite" or "postgres"
    label: str  # what the report prints
    env: dict[str, str]  # the environment every child process of this database gets
    server_marker: str | None = None  # in the process titles of its server's backends


def base_env() -> dict[str, str]:
    """The production settings for plain http on loopback; nothing inherited that picks a DB."""
    dropped = {"DATABASE_URL", "CALLPULSE_VAR_DIR", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="callpulse.settings.prod",
        SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CALLPULSE_SSL_REDIRECT="0",  # no TLS proxy in front on loopback
        PYTHONUNBUFFERED="1",
    )
    return env


@contextlib.contextmanager
def fresh_database(kind: str, *, extra_env: dict[str, str] | None = None) -> Iterator[Database]:
    """A new, empty database of `kind`, removed (file) or dropped (PostgreSQL) afterwards."""
    env = {**base_env(), **(extra_env or {})}
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="callpulse-bench-"))
        env["CALLPULSE_VAR_DIR"] = str(folder)
        try:
            yield Database(kind, f"SQLite, fresh file {folder / 'callpulse.sqlite3'}", env)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if kind != "postgres":
        raise ValueError(kind)
    import psycopg

    name = f"callpulse_bench_{os.getpid()}_{int(time.time())}"
    try:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            version = admin.execute("SHOW server_version").fetchone()
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise BenchError(f"PostgreSQL on 127.0.0.1:5432 as postgres: {exc}") from exc
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    try:
        server = version[0] if version else "?"
        label = f"PostgreSQL {server}, fresh database {name} on 127.0.0.1:5432"
        yield Database(kind, label, env, server_marker=f" {name} ")
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """`manage.py *args` with the database's environment; its standard output."""
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def manage_json(env: dict[str, str], code: str) -> Any:
    """Run `code` in `manage.py shell`; it prints one line `BENCH-JSON <json>`, returned parsed."""
    out = manage(env, "shell", "-v", "0", "-c", code)
    for line in out.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line.removeprefix("BENCH-JSON "))
    raise BenchError(f"no BENCH-JSON line in:\n{out[-2000:]}")


def redis_answers(host: str = LOOPBACK, port: int = 6379) -> bool:
    """True when a Redis server on loopback answers PING."""
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# --- the app server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class AppServer:
    """gunicorn callpulse.wsgi with gthread workers (keep-alive), as production runs it."""

    def __init__(self, env: dict[str, str], *, workers: int, threads: int) -> None:
        self.env = env
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.log_dir = Path(tempfile.mkdtemp(prefix="callpulse-bench-log-"))
        self.log_path = self.log_dir / "gunicorn.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def description(self) -> str:
        return (
            f"gunicorn callpulse.wsgi, gthread, {self.workers} workers × {self.threads} threads,"
            f" keep-alive, {LOOPBACK}:{self.port}"
        )

    def start(self) -> None:
        command = [
            str(VENV_BIN / "gunicorn"),
            "callpulse.wsgi",
            "--bind",
            f"{LOOPBACK}:{self.port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--keep-alive",
            "5",
            "--no-control-socket",
            "--log-level",
            "warning",
        ]
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us; we stop it ourselves
            )

    def wait_ready(self, path: str = "/api/v1/ping", timeout: float = 40) -> None:
        import http.client

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited early:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=2)
                conn.request("GET", path)
                if conn.getresponse().status == 200:
                    conn.close()
                    if len(self.worker_pids()) >= self.workers:
                        return
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"{path} did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        return _children(self.proc.pid)

    def stop(self) -> None:
        """SIGTERM to the master (graceful), then SIGKILL to its own process group if needed."""
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=15)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # the group start_new_session made for it
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        shutil.rmtree(self.log_dir, ignore_errors=True)


@contextlib.contextmanager
def app_server(env: dict[str, str], *, workers: int, threads: int) -> Iterator[AppServer]:
    server = AppServer(env, workers=workers, threads=threads)
    try:
        server.start()
        server.wait_ready()
        yield server
    finally:
        server.stop()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


# --- CPU accounting ---------------------------------------------------------------------


def _process_cpu(pid: int) -> float | None:
    """User + system seconds a process has used (Linux /proc), None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _machine_cpu() -> tuple[float, float, float]:
    """(busy, interrupts, total) seconds of all cores since boot, from /proc/stat; interrupts
    (irq + softirq) are mostly the kernel moving loopback packets, charged to no process."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0, 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    interrupts = sum(values[5:7])
    total = sum(values[:8])
    return (total - idle) / CLK_TCK, interrupts / CLK_TCK, total / CLK_TCK


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _services_cpu(marker: str | None) -> tuple[dict[int, float], dict[int, float]]:
    """CPU seconds of the PostgreSQL backends serving one database (their process titles name
    it), and of Redis servers."""
    database: dict[int, float] = {}
    redis: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker is not None and title.startswith("postgres:") and marker in title:
            target = database
        elif title.startswith(("redis-server", "/usr/bin/redis-server")):
            target = redis
        else:
            continue
        cpu = _process_cpu(int(entry.name))
        if cpu is not None:
            target[int(entry.name)] = cpu
    return database, redis


def _grown(a: dict[int, float], b: dict[int, float]) -> float:
    """CPU seconds used between two readings (a process that appeared counts from zero)."""
    return sum(cpu - a.get(pid, 0.0) for pid, cpu in b.items())


@dataclass
class CpuSample:
    at: float
    loadgen: float
    workers: dict[int, float]
    database: dict[int, float]
    redis: dict[int, float]
    machine_busy: float
    machine_interrupts: float
    machine_total: float

    @classmethod
    def take(cls, worker_pids: list[int], db_marker: str | None = None) -> CpuSample:
        workers = {pid: cpu for pid in worker_pids if (cpu := _process_cpu(pid)) is not None}
        database, redis = _services_cpu(db_marker)
        busy, interrupts, total = _machine_cpu()
        return cls(
            time.perf_counter(), _self_cpu(), workers, database, redis, busy, interrupts, total
        )


@dataclass
class CpuShare:
    """Cores used during a window (of NCPU): the load generator, each app worker, PostgreSQL's
    backends for the bench database, Redis, the kernel's interrupt work (loopback traffic), and
    everything else busy meanwhile: other programs on the machine."""

    loadgen: float
    workers: list[float]
    database: float
    redis: float
    interrupts: float
    machine: float

    @property
    def app(self) -> float:
        return sum(self.workers)

    @property
    def other(self) -> float:
        ours = self.loadgen + self.app + self.database + self.redis + self.interrupts
        return max(0.0, self.machine - ours)

    @classmethod
    def between(cls, a: CpuSample, b: CpuSample) -> CpuShare:
        wall = max(b.at - a.at, 1e-9)
        workers = [(b.workers[p] - a.workers[p]) / wall for p in a.workers if p in b.workers]
        machine_wall = (b.machine_total - a.machine_total) / NCPU  # seconds per core
        if machine_wall <= 0:
            machine = interrupts = 0.0
        else:
            machine = (b.machine_busy - a.machine_busy) / machine_wall
            interrupts = (b.machine_interrupts - a.machine_interrupts) / machine_wall
        return cls(
            loadgen=(b.loadgen - a.loadgen) / wall,
            workers=workers,
            database=_grown(a.database, b.database) / wall,
            redis=_grown(a.redis, b.redis) / wall,
            interrupts=interrupts,
            machine=machine,
        )

    def describe(self, *, database: bool) -> str:
        per_worker = "/".join(f"{w:.2f}" for w in self.workers)
        db = f"postgres {self.database:.2f}, " if database else ""
        redis = f"redis {self.redis:.2f}, " if self.redis >= 0.005 else ""
        return (
            f"load generator {self.loadgen:.2f}, app {self.app:.2f} (workers {per_worker}),"
            f" {db}{redis}kernel irq {self.interrupts:.2f}, other programs {self.other:.2f};"
            f" busy {self.machine:.2f} of {NCPU}"
        )


def wait_for_quiet(max_wait: float, threshold: float = 0.3) -> float:
    """Wait (at most `max_wait` s) until other programs use under `threshold` cores; the load
    last seen."""
    deadline = time.monotonic() + max_wait
    load = background_load(0.5)
    while load > threshold and time.monotonic() < deadline:
        load = background_load(1.0)
    return load


def background_load(seconds: float = 1.0) -> float:
    """Cores busy while we do nothing: other programs on this machine."""
    a = CpuSample.take([])
    time.sleep(seconds)
    return CpuShare.between(a, CpuSample.take([])).machine


# --- the load generator -----------------------------------------------------------------


@dataclass(frozen=True)
class Req:
    """One HTTP request as bytes, a tag for the breakdown, and a check of the answer's body."""

    data: bytes
    tag: str
    check: Callable[[bytes], bool] | None = None


class Client:
    """Builds request bytes for one server and credentials."""

    def __init__(self, port: int, *, authorization: str | None = None) -> None:
        self.host = f"{LOOPBACK}:{port}"
        self.auth = f"Authorization: {authorization}\r\n" if authorization else ""

    def get(self, path: str, params: dict[str, str] | None = None) -> bytes:
        if params:
            path += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
        return (
            f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.auth}"
            "Accept: application/json\r\n\r\n"
        ).encode()

    def post_json(self, path: str, payload: dict[str, Any]) -> bytes:
        body = json.dumps(payload, separators=(",", ":")).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.auth}"
            "Accept: application/json\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        return head + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, server closes) of one HTTP/1.1 response."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    close = b"\r\nconnection: close" in lower
    at = lower.find(b"\r\ncontent-length:")
    if at >= 0:
        end = lower.index(b"\r\n", at + 2)
        body = await reader.readexactly(int(lower[at + 17 : end]))
    elif b"\r\ntransfer-encoding: chunked" in lower:
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            chunks.append((await reader.readexactly(size + 2))[:-2])
        body = b"".join(chunks)
    else:
        body, close = await reader.read(), True
    return status, body, close


@dataclass
class PhaseResult:
    name: str
    window: float  # measured seconds
    concurrency: int
    rate: float | None = None  # offered requests/s (open loop); None: as fast as answers come
    latencies: dict[str, list[float]] = field(default_factory=dict)  # seconds, by tag
    errors: Counter[str] = field(default_factory=Counter)
    cpu: CpuShare | None = None

    def ok(self, tag: str, seconds: float) -> None:
        self.latencies.setdefault(tag, []).append(seconds)

    def merged(self, tags: Callable[[str], bool] | None = None) -> list[float]:
        out = [s for t, v in self.latencies.items() if tags is None or tags(t) for s in v]
        out.sort()
        return out

    @property
    def succeeded(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def rps(self) -> float:
        """Successful requests per second of the measured window."""
        return self.succeeded / self.window if self.window else 0.0

    def pct(self, q: float, tags: Callable[[str], bool] | None = None) -> float:
        """The q-th percentile latency in milliseconds (nearest rank); NaN without data."""
        return percentile_ms(self.merged(tags), q)


def percentile_ms(sorted_seconds: list[float], q: float) -> float:
    if not sorted_seconds:
        return float("nan")
    rank = max(0, min(len(sorted_seconds) - 1, round(q / 100 * len(sorted_seconds) + 0.5) - 1))
    return sorted_seconds[rank] * 1000


async def _caller(
    port: int,
    requests: Iterator[Req],
    result: PhaseResult,
    window: tuple[float, float],
    timeout: float,
    start_at: float,
    interval: float | None,
) -> None:
    """Send the caller's requests one after another on one connection: as soon as the answer
    comes (closed loop), or every `interval` seconds from `start_at` (open loop; latency then
    counts from the scheduled moment, so a late server is not let off the time it made us wait).
    """
    t_measure, t_end = window
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    clock = time.perf_counter
    scheduled = start_at
    await asyncio.sleep(max(0.0, start_at - clock()))
    try:
        while (scheduled if interval else clock()) < t_end:
            if interval:
                await asyncio.sleep(max(0.0, scheduled - clock()))
            req = next(requests)
            t0 = scheduled if interval else clock()
            if interval:
                scheduled += interval
            try:
                async with asyncio.timeout(timeout):
                    if writer is None or reader is None:
                        reader, writer = await asyncio.open_connection(LOOPBACK, port)
                    writer.write(req.data)
                    status, body, close = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
                    TimeoutError) as exc:  # fmt: skip
                if writer is not None:
                    writer.close()
                reader = writer = None
                if t0 >= t_measure and clock() <= t_end:
                    result.errors[f"{req.tag}: {type(exc).__name__}"] += 1
                await asyncio.sleep(0.01)
                continue
            t1 = clock()
            if t0 >= t_measure and t1 <= t_end:
                if status >= 300:
                    result.errors[f"{req.tag}: HTTP {status} {body[:120]!r}"] += 1
                elif req.check is not None and not req.check(body):
                    result.errors[f"{req.tag}: unexpected body {body[:120]!r}"] += 1
                else:
                    result.ok(req.tag, t1 - t0)
            if close and writer is not None:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def _phase(
    name: str,
    port: int,
    callers: Callable[[int], Iterator[Req]],
    *,
    concurrency: int,
    warmup: float,
    seconds: float,
    rate: float | None,
    worker_pids: Callable[[], list[int]],
    db_marker: str | None,
    timeout: float,
) -> PhaseResult:
    result = PhaseResult(name, seconds, concurrency, rate=rate)
    start = time.perf_counter()
    window = (start + warmup, start + warmup + seconds)
    interval = concurrency / rate if rate else None
    # Closed loop: callers arrive over the first half of the warm-up, not in one burst (a burst
    # of connects lands most connections on whichever gunicorn worker wakes first, for good).
    # Open loop: the callers' schedules interleave evenly.
    step = (interval if interval else warmup / 2) / max(concurrency, 1)
    samples: list[CpuSample] = []

    async def sample_cpu() -> None:
        for moment in window:
            await asyncio.sleep(max(0.0, moment - time.perf_counter()))
            samples.append(CpuSample.take(worker_pids(), db_marker))

    tasks = [
        asyncio.create_task(
            _caller(port, callers(i), result, window, timeout, start + i * step, interval)
        )
        for i in range(concurrency)
    ]
    await asyncio.gather(sample_cpu(), *tasks)
    if len(samples) == 2:
        result.cpu = CpuShare.between(samples[0], samples[1])
    return result


def run_phase(
    name: str,
    port: int,
    callers: Callable[[int], Iterator[Req]],
    *,
    concurrency: int,
    warmup: float,
    seconds: float,
    worker_pids: Callable[[], list[int]],
    rate: float | None = None,
    db_marker: str | None = None,
    timeout: float = 10.0,
) -> PhaseResult:
    """`concurrency` callers, caller i sending the requests of `callers(i)` one after another on
    its own keep-alive connection, as fast as answers come (or, with `rate`, at that many
    requests per second in all, open loop); `warmup` seconds are discarded.
    `db_marker` picks the PostgreSQL backends whose CPU is counted as the database's."""
    return asyncio.run(
        _phase(
            name,
            port,
            callers,
            concurrency=concurrency,
            warmup=warmup,
            seconds=seconds,
            rate=rate,
            worker_pids=worker_pids,
            db_marker=db_marker,
            timeout=timeout,
        )
    )

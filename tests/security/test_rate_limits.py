"""The website form's rate limits hold across processes and restarts (issue #17, item 4).

Two real gunicorn servers with the production settings share one Redis (db 15 of the local one,
or REDIS_URL, under a key prefix of this run's own): requests sent to both at once, alternately,
let exactly the limit through, and a restarted server still remembers the count. On LocMem each
process counted for itself and twice the limit got through.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
ENDPOINT = "/api/v1/public/callback-requests"
LIMIT = 4  # per address per hour, for this test
READY_DEADLINE_SECONDS = 60.0
CENTER_ZONE = ZoneInfo("Asia/Almaty")


@pytest.fixture
def redis_url() -> Iterator[tuple[str, str]]:
    """(URL, key prefix) of a reachable Redis; this run's keys are deleted afterwards."""
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis server reachable")
    prefix = f"callpulse-test-{uuid.uuid4().hex}"
    try:
        yield url, prefix
    finally:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """One gunicorn process of the production settings on a port of its own."""

    env: dict[str, str]
    log: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "gunicorn", "callpulse.wsgi", "--workers", "1"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--worker-class", "gthread"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*command, "--threads", "8"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.wait_ready()

    def wait_ready(self) -> None:
        """Poll until the server answers HTTP (405 to a GET on the form), within a deadline."""
        deadline = time.monotonic() + READY_DEADLINE_SECONDS
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited:\n{self.log.read_text()}")
            try:
                urllib.request.urlopen(self.url(), timeout=2)
                return
            except urllib.error.HTTPError:
                return  # any HTTP answer: the server is up
            except OSError:
                time.sleep(0.05)  # not listening yet: poll again
        pytest.fail(f"the server did not answer within {READY_DEADLINE_SECONDS} s")

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{ENDPOINT}"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


@pytest.fixture
def production_env(tmp_path: Path, redis_url: tuple[str, str]) -> dict[str, str]:
    """The environment of a production server: a migrated SQLite file, the shared Redis."""
    url, prefix = redis_url
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLPULSE_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="callpulse.settings.prod",
        SECRET_KEY="x" * 64 + "-rate-limit-test-key",
        REDIS_URL=url,
        CALLPULSE_CACHE_KEY_PREFIX=prefix,
        DATABASE_URL=f"sqlite:///{tmp_path / 'callpulse.sqlite3'}",
        CALLPULSE_VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="127.0.0.1",
        CALLPULSE_SSL_REDIRECT="0",
        CALLPULSE_CTI_APPLY="worker",
        CALLPULSE_TIME_ZONE=CENTER_ZONE.key,
        CALLPULSE_CENTER_HOURS="09:00,20:00",
        CALLPULSE_CALLBACK_FORM_PER_IP=str(LIMIT),
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return env


@pytest.fixture
def two_servers(production_env: dict[str, str], tmp_path: Path) -> Iterator[list[Server]]:
    servers = [Server(production_env, tmp_path / f"server-{n}.log") for n in (1, 2)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def ask_callback(url: str, number: int) -> int:
    """Post the form as the snippet does; the answer's status code."""
    day = (datetime.now(CENTER_ZONE) + timedelta(days=1)).date().isoformat()
    payload: dict[str, Any] = {
        "name": "Aigerim",
        "phone": f"+7701555{number:04d}",
        "window_from": f"{day}T10:00",
        "window_to": f"{day}T12:00",
        "timezone": CENTER_ZONE.key,
    }
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


@pytest.mark.slow
def test_two_servers_let_exactly_the_limit_through_and_a_restart_keeps_the_count(
    two_servers: list[Server], tmp_path: Path
) -> None:
    first, second = two_servers
    targets = [(first if n % 2 == 0 else second).url() for n in range(2 * LIMIT)]
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        answers = list(pool.map(ask_callback, targets, range(len(targets))))
    assert sorted(answers) == [201] * LIMIT + [429] * LIMIT, answers
    with sqlite3.connect(tmp_path / "callpulse.sqlite3") as db:
        (stored,) = db.execute("SELECT COUNT(*) FROM telephony_callback").fetchone()
    assert stored == LIMIT

    first.stop()
    first.start()  # a restart: the count lives in Redis, not in the process
    assert ask_callback(first.url(), 100) == 429
    assert ask_callback(second.url(), 101) == 429


def settings_import(**env: str) -> subprocess.CompletedProcess[str]:
    """Import a settings module in a fresh interpreter with this environment."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("CALLPULSE_", "DJANGO_"))
    }
    environment.pop("REDIS_URL", None)
    environment.pop("SECRET_KEY", None)
    environment.update(env)
    module = environment.pop("SETTINGS", "callpulse.settings.prod")
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_redis() -> None:
    """Per-process counters would let each worker take the whole limit: no silent LocMem."""
    refused = settings_import(SECRET_KEY="x" * 64 + "-rate-limit-test-key")
    assert refused.returncode != 0
    assert "REDIS_URL" in refused.stderr
    started = settings_import(
        SECRET_KEY="x" * 64 + "-rate-limit-test-key", REDIS_URL="redis://127.0.0.1:6379/15"
    )
    assert started.returncode == 0, started.stderr


def test_with_redis_url_the_default_cache_is_redis_and_without_it_locmem() -> None:
    show = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    for redis_url, backend in [
        ("redis://127.0.0.1:6379/15", "django.core.cache.backends.redis.RedisCache"),
        ("", "django.core.cache.backends.locmem.LocMemCache"),
    ]:
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CALLPULSE_DEBUG"}}
        env.update(DJANGO_SETTINGS_MODULE="callpulse.settings.dev", REDIS_URL=redis_url)
        shown = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {show}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert shown.stdout.strip() == backend


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CALLPULSE_CALLBACK_FORM_NUMBER_TYPES", "MOBILE,PREMIUM_RATE"),
        ("CALLPULSE_CALLBACK_FORM_NUMBER_TYPES", "MOBLIE"),
        ("CALLPULSE_CALLBACK_FORM_COUNTRIES", "KZ,XX"),
    ],
)
def test_form_number_settings_that_make_no_sense_refuse_to_start(variable: str, value: str) -> None:
    refused = settings_import(SETTINGS="callpulse.settings.base", **{variable: value})
    assert refused.returncode != 0
    assert variable in refused.stderr

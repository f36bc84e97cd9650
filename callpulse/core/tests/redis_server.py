"""A redis-server of a test's own, which the test may kill and start again on the same port.

The shared Redis (6379) serves other work on the machine and must never be stopped by a test;
outage tests stop this one instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

START_DEADLINE_SECONDS = 10.0


def redis_server_binary() -> str:
    """The redis-server to run; skips the test without one, except in CI where it must exist."""
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if found is None:
        if os.environ.get("CI"):
            raise RuntimeError("redis-server is required in CI for the Redis outage tests")
        pytest.skip("redis-server is not installed")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PrivateRedis:
    """One redis-server on 127.0.0.1 and a free port, without persistence."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start (again, on the same port) and return once it answers PING."""
        assert self._process is None, "already running"
        self._process = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.workdir),
                "--daemonize", "no",
                "--loglevel", "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        while not self.answers():
            if self._process.poll() is not None:
                raise RuntimeError(f"redis-server on port {self.port} exited at start")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} did not answer in time")
            time.sleep(0.05)

    def kill(self) -> None:
        """Die as a crashed server does: at once, its connections cut."""
        if self._process is None:
            return
        self._process.kill()
        self._process.wait(timeout=START_DEADLINE_SECONDS)
        self._process = None

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

"""Set-up text tells the truth (issue 14, item 12): `make run` prints the address it serves, and
`simulate_calls` shows its defaults and calls the server of the current settings by default."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from callpulse.demo.generator import generate_center
from callpulse.server_url import browse_url, server_url
from callpulse.telephony.management.commands import simulate_calls

ROOT = Path(__file__).resolve().parent.parent


def clean_environment(**env: str) -> dict[str, str]:
    """This process's environment without the variables that choose the server, plus `env`."""
    chosen = {"HOST", "PORT", "CALLPULSE_SERVER_URL", "DJANGO_SETTINGS_MODULE"}
    return {**{k: v for k, v in os.environ.items() if k not in chosen}, **env}


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://127.0.0.1:9000"),  # every interface
        ({"HOST": "localhost"}, "http://localhost:8000"),
        ({"HOST": "::"}, "http://[::1]:8000"),
        ({"CALLPULSE_SERVER_URL": "https://cc.example/", "PORT": "8123"}, "https://cc.example"),
    ],
)
def test_the_server_url_follows_host_and_port(environ: dict[str, str], url: str) -> None:
    assert server_url(environ) == url


def test_browse_url_brackets_an_ipv6_address() -> None:
    assert browse_url("fe80::1", 8000) == "http://[fe80::1]:8000"


def test_make_run_serves_and_prints_the_same_port() -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    plan = subprocess.run(
        [make, "-n", "run", "PORT=8123"],
        cwd=ROOT,
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    logins = next(line for line in plan if "demo_logins" in line)
    serve = next(line for line in plan if "runserver" in line)
    assert "PORT='8123'" in logins and "HOST='127.0.0.1'" in logins
    assert serve.endswith("runserver 127.0.0.1:8123")


def test_demo_logins_prints_the_address_of_the_settings(db: None, settings) -> None:
    settings.CALLPULSE_SERVER_URL = "http://127.0.0.1:8123"
    generate_center(seed=2, clients=20)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "Sign in at http://127.0.0.1:8123/" in out.getvalue()
    assert ":8000" not in out.getvalue()


def test_simulate_calls_help_shows_its_defaults_and_the_server_from_port() -> None:
    """Run as a user would: PORT in the environment, `manage.py simulate_calls --help`."""
    answer = subprocess.run(
        [sys.executable, "manage.py", "simulate_calls", "--help"],
        cwd=ROOT,
        env=clean_environment(PORT="8123", DJANGO_SETTINGS_MODULE="callpulse.settings.test"),
        capture_output=True,
        text=True,
        check=True,
    )
    text = " ".join(answer.stdout.split())  # argparse wraps the help at the terminal's width
    assert "(default: http://127.0.0.1:8123," in text
    assert "(default: 5/min," in text
    assert "Simulated minutes of arrivals (default: 10)" in text
    assert "ten times faster (default: 1)" in text
    assert "Mean talk time, seconds (default: 180)" in text
    assert "(default: a random seed" in text
    assert "(default: the token “virtual-pbx”" in text


def test_simulate_calls_calls_the_server_of_the_settings_by_default(
    db: None, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CALLPULSE_SERVER_URL = "http://127.0.0.1:8123"
    targets: list[str] = []

    class Recorder:
        """Stands in for the HTTP sender: notes where the events would go, answers nothing."""

        def __init__(self, base_url: str, key: str, **_: Any) -> None:
            self.endpoint = base_url.rstrip("/") + simulate_calls.ENDPOINT
            targets.append(base_url)

        def post(self, body: dict[str, str]) -> dict[str, Any]:
            return {}

    monkeypatch.setattr(simulate_calls, "CTISender", Recorder)
    out = StringIO()
    call_command(
        "simulate_calls", "--minutes", "0.2", "--speed", "10000", "--seed", "3",
        stdout=out, stderr=out,
    )  # fmt: skip
    assert targets == ["http://127.0.0.1:8123"]
    assert "Virtual PBX (http://127.0.0.1:8123/api/v1/cti/events)" in out.getvalue()
    assert "5 calls/min" in out.getvalue()

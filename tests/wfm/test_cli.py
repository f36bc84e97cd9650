"""The command-line contract: `python -m callpulse.wfm erlang-c|erlang-a ...`."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from callpulse.wfm import erlang_a, erlang_c

ROOT = Path(__file__).resolve().parents[2]
C_KEYS = ["raw_agents", "agents", "service_level", "asa", "occupancy", "wait_probability"]
A_KEYS = [*C_KEYS, "abandon_probability"]
STANDARD = ["--interval", "1800", "--target-sl", "0.8", "--answer-time", "20"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callpulse.wfm", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_erlang_c_json_contract() -> None:
    done = run("erlang-c", "--calls", "100", "--aht", "180", *STANDARD, "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert list(payload) == C_KEYS
    expected = erlang_c(calls=100, aht=180, interval=1800, target_sl=0.8, answer_time=20)
    assert payload == expected.records()[0]
    assert isinstance(payload["raw_agents"], int)
    assert payload["raw_agents"] == 14


def test_erlang_c_shrinkage_and_occupancy() -> None:
    done = run(
        "erlang-c",
        "--calls",
        "100",
        "--aht",
        "180",
        *STANDARD,
        "--shrinkage",
        "0.3",
        "--max-occupancy",
        "0.85",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert (payload["raw_agents"], payload["agents"]) == (14, 20)


def test_erlang_a_json_contract() -> None:
    done = run(
        "erlang-a", "--calls", "2000", "--aht", "180", "--patience", "120", *STANDARD, "--json"
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert list(payload) == A_KEYS
    assert payload["raw_agents"] == 187
    expected = erlang_a(
        calls=2000, aht=180, patience=120, interval=1800, target_sl=0.8, answer_time=20
    ).records()[0]
    assert payload == {key: expected[key] for key in A_KEYS}


def test_erlang_a_sl_variant() -> None:
    done = run(
        "erlang-a",
        "--calls",
        "2000",
        "--aht",
        "180",
        "--patience",
        "120",
        *STANDARD,
        "--sl-variant",
        "answered",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["raw_agents"] < 187


def test_single_result_as_csv() -> None:
    done = run("erlang-c", "--calls", "100", "--aht", "180", *STANDARD)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 1
    assert list(rows[0]) == ["calls", "aht", *C_KEYS]
    assert rows[0]["calls"] == "100"
    assert rows[0]["raw_agents"] == "14"


def test_erlang_c_input_csv(tmp_path: Path) -> None:
    source = tmp_path / "week.csv"
    source.write_text(
        "start,calls,aht\n"
        "2026-01-05T09:00,100,180\n"
        "2026-01-05T09:30,0,200\n"
        "2026-01-05T10:00,2000,180\n"
        "2026-01-05T10:30,37.5,240\n"
    )
    done = run("erlang-c", "--input", str(source), *STANDARD)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == ["start", "calls", "aht", *C_KEYS]
    assert [r["start"] for r in rows] == [
        "2026-01-05T09:00",
        "2026-01-05T09:30",
        "2026-01-05T10:00",
        "2026-01-05T10:30",
    ]
    assert [r["calls"] for r in rows] == ["100", "0", "2000", "37.5"]  # as typed
    expected = erlang_c(
        calls=[100, 0, 2000, 37.5],
        aht=[180, 200, 180, 240],
        interval=1800,
        target_sl=0.8,
        answer_time=20,
    ).records()
    for row, want in zip(rows, expected, strict=True):
        assert int(row["raw_agents"]) == want["raw_agents"]
        assert int(row["agents"]) == want["agents"]
        for key in ("service_level", "asa", "occupancy", "wait_probability"):
            assert float(row[key]) == want[key]


def test_erlang_a_input_csv_from_stdin_as_json() -> None:
    done = run(
        "erlang-a",
        "--input",
        "-",
        "--patience",
        "120",
        *STANDARD,
        "--json",
        stdin="calls,aht\n2000,180\n100,180\n",
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["raw_agents"] for r in rows] == [187, 12]
    assert all(set(A_KEYS) <= set(r) for r in rows)
    assert rows[0]["calls"] == 2000.0


def test_input_csv_aht_falls_back_to_flag(tmp_path: Path) -> None:
    source = tmp_path / "calls.csv"
    source.write_text("calls\n100\n200\n")
    out = tmp_path / "out.csv"
    done = run("erlang-c", "--input", str(source), "--aht", "180", *STANDARD, "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    rows = list(csv.DictReader(out.open()))
    assert [r["raw_agents"] for r in rows] == ["14", "24"]


@pytest.mark.parametrize(
    ("args", "stdin", "mentions"),
    [
        (["erlang-c", "--calls", "-5", "--aht", "180", *STANDARD], None, "--calls"),
        (["erlang-c", "--calls", "nan", "--aht", "180", *STANDARD], None, "calls"),
        (["erlang-c", "--calls", "5", "--aht", "0", *STANDARD], None, "--aht"),
        (
            [
                "erlang-c",
                "--calls",
                "5",
                "--aht",
                "180",
                "--interval",
                "0",
                "--target-sl",
                "0.8",
                "--answer-time",
                "20",
            ],
            None,
            "--interval",
        ),
        (
            ["erlang-c", "--calls", "5", "--aht", "180", "--target-sl", "1", "--answer-time", "0"],
            None,
            "--target-sl",
        ),
        (
            ["erlang-c", "--calls", "5", "--aht", "180", *STANDARD, "--shrinkage", "1"],
            None,
            "--shrinkage",
        ),
        (["erlang-c", "--calls", "5", *STANDARD], None, "--aht"),
        (
            ["erlang-a", "--calls", "5", "--aht", "180", "--patience", "0", *STANDARD],
            None,
            "--patience",
        ),
        (["erlang-a", "--calls", "5", "--aht", "180", *STANDARD], None, "--patience"),
        (["erlang-c", "--input", "-", *STANDARD], "calls,aht\n5,180\n-3,180\n", "data row 2"),
        (["erlang-c", "--input", "-", *STANDARD], "calls,aht\n5,180\nmany,180\n", "'many'"),
        (["erlang-c", "--input", "-", *STANDARD], "volume,aht\n5,180\n", "'calls'"),
        (["erlang-c", "--input", "/nonexistent/week.csv", *STANDARD], None, "--input"),
    ],
)
def test_bad_input_exits_2_naming_it(args: list[str], stdin: str | None, mentions: str) -> None:
    done = run(*args, stdin=stdin)
    assert done.returncode == 2
    assert mentions in done.stderr
    assert done.stdout == ""


def test_help_lists_commands() -> None:
    done = run("--help")
    assert done.returncode == 0
    assert "erlang-c" in done.stdout
    assert "erlang-a" in done.stdout

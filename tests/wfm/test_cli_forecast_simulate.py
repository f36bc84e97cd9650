"""The command line: `python -m callpulse.wfm forecast|simulate ...`."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from callpulse.wfm import forecast_series, simulate
from callpulse.wfm.cli import main

ROOT = Path(__file__).resolve().parents[2]
MONDAY = datetime(2026, 1, 5)


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def history_csv(tmp_path: Path, *, aht: bool = False, offset: str = "+03:00") -> str:
    lines = ["start,calls" + (",aht" if aht else "")]
    for d in range(28):
        if d % 7 == 6:
            continue  # closed on Sundays: no rows
        for s in range(16, 36):  # 08:00-18:00
            start = (MONDAY + timedelta(days=d, minutes=30 * s)).isoformat() + offset
            calls = 10 + s % 5 + (d % 7)
            lines.append(f"{start},{calls}" + (f",{200 + s}" if aht else ""))
    return write(tmp_path / "history.csv", "\n".join(lines) + "\n")


def at_csv(tmp_path: Path, offset: str = "+03:00", day: int = 28) -> tuple[str, list[str]]:
    starts = [
        (MONDAY + timedelta(days=day, minutes=30 * s)).isoformat() + offset for s in range(14, 20)
    ]
    return write(tmp_path / "at.csv", "start\n" + "\n".join(starts) + "\n"), starts


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_forecast_prints_csv_with_start_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = history_csv(tmp_path)
    at, starts = at_csv(tmp_path)
    status, out, err = run_main(capsys, "forecast", "--history", history, "--at", at)
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["start", "calls", "method"]
    assert [r["start"] for r in rows] == starts
    # 07:00 and 07:30 were never open; 08:00.. follow the (exactly repeating) pattern.
    assert [float(r["calls"]) for r in rows] == pytest.approx([0, 0, 11, 12, 13, 14], abs=1e-6)
    assert {r["method"] for r in rows} <= {"seasonal_naive", "slot_mean", "holt_winters", "mstl"}


def test_forecast_matches_the_engine_and_reports_wape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(1)
    lines = ["start,calls"]
    history = []
    for d in range(35):
        for s in range(16, 36):
            start = MONDAY + timedelta(days=d, minutes=30 * s)
            calls = int(rng.poisson(20 + s))
            history.append((start, float(calls)))
            lines.append(f"{start.isoformat()},{calls}")
    path = write(tmp_path / "h.csv", "\n".join(lines))
    at, starts = at_csv(tmp_path, offset="", day=35)
    status, out, err = run_main(capsys, "forecast", "--history", path, "--at", at, "--report")
    assert status == 0, err
    expected = forecast_series(history, [datetime.fromisoformat(s) for s in starts])
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [float(r["calls"]) for r in rows] == pytest.approx(expected.values, abs=1e-6)
    assert rows[0]["method"] == expected.method
    for name, value in expected.wape.items():
        assert f"{name}" in err and f"{value:.4f}" in err
    assert "<- chosen" in err


def test_forecast_aht_json_methods_and_special_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = history_csv(tmp_path, aht=True)
    at, starts = at_csv(tmp_path)
    days = write(tmp_path / "days.csv", "date\n2026-02-02\n")
    status, out, err = run_main(
        capsys, "forecast", "--history", history, "--at", at, "--json",
        "--methods", "slot_mean", "--special-days", days, "--report",
    )  # fmt: skip
    assert status == 0, err
    rows = json.loads(out)
    assert [r["start"] for r in rows] == starts
    assert set(rows[0]) == {"start", "calls", "method", "aht", "aht_method"}
    assert {r["method"] for r in rows} == {"slot_mean"}
    assert [r["aht"] for r in rows] == pytest.approx([0, 0, 216, 217, 218, 219])
    assert "special days" in err


@pytest.mark.parametrize(
    ("history", "at", "message"),
    [
        ("when,calls\n2026-01-05T08:00,1\n", None, "--history: no column 'start'"),
        (
            "start,calls\n2026-01-05T08:00,1\n2026-01-05T08:30,x\n",
            None,
            "column 'calls', data row 2",
        ),
        ("start,calls\n2026-01-05T08:00,1\nmonday,2\n", None, "column 'start', data row 2"),
        ("start,calls\n2026-01-05T08:00,1\n2026-01-05T08:30,-2\n", None, "data row 2"),
        ("start,calls\n2026-01-05T08:00,1\n2026-01-05T08:00,2\n", None, "--history, data row 2"),
        ("start,calls\n2026-01-05T08:00,1\n", None, "--history"),
        (None, "start\n2026-01-06T08:00\n2026-01-06T08:10\n", "--at: column 'start', data row 2"),
        (None, "when\n2026-01-06T08:00\n", "--at: no column 'start'"),
        (None, "start\n2026-01-06T08:00+01:00\n", "--at: column 'start', data row 1"),
    ],
)
def test_forecast_bad_input_exits_2_naming_column_and_row(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    history: str | None,
    at: str | None,
    message: str,
) -> None:
    good_history = "start,calls\n2026-01-05T08:00,1\n2026-01-05T08:30,2\n"
    h = write(tmp_path / "h.csv", history or good_history)
    t = write(tmp_path / "t.csv", at or "start\n2026-01-06T08:00\n")
    status, out, err = run_main(capsys, "forecast", "--history", h, "--at", t)
    assert status == 2
    assert out == ""
    assert message in err


def test_forecast_bad_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    h = write(tmp_path / "h.csv", "start,calls\n2026-01-05T08:00,1\n2026-01-05T08:30,2\n")
    t = write(tmp_path / "t.csv", "start\n2026-01-06T08:00\n")
    status, _, err = run_main(capsys, "forecast", "--history", h, "--at", t, "--methods", "arima")
    assert status == 2 and "--methods: unknown method 'arima'" in err
    days = write(tmp_path / "d.csv", "date\n2026-13-01\n")
    status, _, err = run_main(capsys, "forecast", "--history", h, "--at", t, "--special-days", days)
    assert status == 2 and "--special-days: column 'date', data row 1" in err
    status, _, err = run_main(
        capsys, "forecast", "--history", str(tmp_path / "nope.csv"), "--at", t
    )
    assert status == 2 and "--history: cannot read" in err


def test_simulate_prints_per_interval_estimates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "in.csv", "calls,aht,agents\n100,180,14\n0,180,3\n50,200,0\n")
    status, out, err = run_main(
        capsys, "simulate", "--input", path, "--interval", "1800", "--answer-time", "20",
        "--patience", "120", "--replications", "8", "--seed", "3", "--report",
    )  # fmt: skip
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[:3] == ["calls", "aht", "agents"]
    expected = simulate(
        calls=[100, 0, 50], aht=[180, 180, 200], agents=[14, 3, 0], interval=1800,
        answer_time=20, patience=120, replications=8, seed=3,
    )  # fmt: skip
    for name in ("service_level", "asa", "abandon_rate", "occupancy"):
        for suffix in ("", "_low", "_high"):
            assert f"{name}{suffix}" in rows[0]
    assert float(rows[0]["service_level"]) == pytest.approx(expected.service_level.mean[0])
    assert rows[1]["service_level"] == ""  # no calls: nothing to measure
    assert float(rows[2]["abandon_rate"]) == 1.0
    assert "service_level" in err and "replications" in err


def test_semicolon_csv_with_decimal_commas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "in.csv", "calls;aht;agents\n60,5;180;8\n")
    status, out, err = run_main(capsys, "simulate", "--input", path, "--answer-time", "20")
    assert status == 0, err
    assert next(iter(csv.DictReader(io.StringIO(out))))["calls"] == "60,5"


def test_simulate_json_and_aht_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "in.csv", "calls,agents\n60,8\n60,8\n")
    status, out, err = run_main(
        capsys, "simulate", "--input", path, "--aht", "180", "--answer-time", "20",
        "--replications", "4", "--json",
    )  # fmt: skip
    assert status == 0, err
    payload = json.loads(out)
    assert payload["replications"] == 4
    assert set(payload["overall"]) == {"service_level", "asa", "abandon_rate", "occupancy"}
    assert set(payload["overall"]["asa"]) == {"mean", "low", "high"}
    assert len(payload["intervals"]) == 2
    assert payload["intervals"][0]["calls"] == 60.0


@pytest.mark.parametrize(
    ("text", "extra", "message"),
    [
        ("calls,aht,agents\n10,180,2\n10,180,x\n", [], "--input: column 'agents', data row 2"),
        ("calls,aht,agents\n10,180,2\n10,180,1.5\n", [], "column 'agents', data row 2"),
        ("calls,aht,agents\n10,180,2\n-1,180,1\n", [], "column 'calls', data row 2"),
        ("calls,agents\n10,2\n", [], "no column 'aht'"),
        ("calls,aht\n10,180\n", [], "no column 'agents'"),
        ("calls,aht,agents\n10,180,2\n", ["--replications", "1"], "--replications"),
        ("calls,aht,agents\n10,180,2\n", ["--patience", "0"], "--patience"),
    ],
)
def test_simulate_bad_input_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    extra: list[str],
    message: str,
) -> None:
    path = write(tmp_path / "in.csv", text)
    status, out, err = run_main(capsys, "simulate", "--input", path, "--answer-time", "20", *extra)
    assert status == 2
    assert out == ""
    assert message in err


def test_python_dash_m_runs_both_commands(tmp_path: Path) -> None:
    history = history_csv(tmp_path)
    at, _ = at_csv(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "callpulse.wfm", "forecast", "--history", history, "--at", at],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "start,calls,method"
    sim = write(tmp_path / "sim.csv", "calls,aht,agents\n10,180,2\n")
    done = subprocess.run(
        [sys.executable, "-m", "callpulse.wfm", "simulate", "--input", sim, "--answer-time", "20"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("calls,aht,agents,service_level,")

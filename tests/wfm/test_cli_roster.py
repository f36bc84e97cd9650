"""The ``roster`` command: CSV in, shifts and coverage out, errors naming file, column and row."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from callpulse.wfm.cli import main

START = "2026-11-30T00:00+05:00"


def day_requirement(days: int = 2) -> list[int]:
    one = [0] * 24
    for h in range(8, 20):
        one[h] = 2
    for h in (22, 23, 0, 1):
        one[h] = 1
    return one * days


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    required = tmp_path / "R.csv"
    required.write_text("required\n" + "\n".join(map(str, day_requirement())) + "\n")
    templates = tmp_path / "S.csv"
    templates.write_text(
        "name,start,length,breaks,cost\nDay,08:00,360,,1\nLate,14:00,360,,1\nNight,22:00,240,,1.5\n"
    )
    agents = tmp_path / "A.csv"
    agents.write_text(
        "id,max_minutes,min_minutes,min_rest_minutes,max_consecutive_days,templates,unavailable\n"
        "ann,720,,660,5,,\n"
        "bob,720,,,,Day;Late,2026-12-01T00:00/2026-12-02T00:00\n"
        "cat,720,,,,,\n"
        "dan,720,,,,,\n"
        "eve,480,,,,Night,\n"
        "fay,720,,,,,\n"
    )
    return {"R": required, "S": templates, "A": agents, "dir": tmp_path}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["roster", *args])
    out, err = capsys.readouterr()
    return code, out, err


def common(files: dict[str, Path]) -> list[str]:
    return [
        "--required",
        str(files["R"]),
        "--templates",
        str(files["S"]),
        "--interval",
        "60",
        "--start",
        START,
        "--time-limit",
        "5",
    ]


def test_named_roster_as_csv_with_coverage(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    coverage = files["dir"] / "cov.csv"
    code, out, err = run(
        capsys, *common(files), "--agents", str(files["A"]), "--coverage", str(coverage)
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and list(rows[0]) == ["agent", "template", "start", "end"]
    assert {r["agent"] for r in rows} <= {"ann", "bob", "cat", "dan", "eve", "fay"}
    assert all(r["template"] == "Night" for r in rows if r["agent"] == "eve")
    assert not any(r["agent"] == "bob" and r["start"].startswith("2026-12-01") for r in rows)
    cov = list(csv.DictReader(coverage.open()))
    assert [list(cov[0])] == [["start", "required", "scheduled", "gap"]]
    assert len(cov) == 48 and cov[8]["start"] == "2026-11-30T08:00:00+05:00"
    for row in cov:
        assert int(row["gap"]) == int(row["required"]) - int(row["scheduled"])
    # the coverage agrees with the printed shifts
    origin = datetime.fromisoformat(START)
    on = [0] * 48
    for r in rows:
        first = int((datetime.fromisoformat(r["start"]) - origin).total_seconds() // 3600)
        last = int((datetime.fromisoformat(r["end"]) - origin).total_seconds() // 3600)
        for h in range(first, min(last, 48)):
            on[h] += 1
    assert [int(row["scheduled"]) for row in cov] == on
    assert "under-staffed" in err


def test_anonymous_roster_as_json(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *common(files), "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert set(payload) == {"status", "under", "over", "shifts", "gaps"}
    assert payload["status"] == "optimal"
    assert all(s["agent"] is None for s in payload["shifts"])
    # Monday 00:00-02:00 has no shift that could cover it (no night before the horizon)
    assert payload["gaps"][0] == {
        "start": "2026-11-30T00:00:00+05:00",
        "end": "2026-11-30T02:00:00+05:00",
        "missing": 1,
    }
    assert payload["under"] == 2


def test_required_with_start_column_gives_the_horizon(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["start,required"] + [
        f"2026-11-30T{h:02d}:00+05:00,{v}" for h, v in enumerate(day_requirement(1))
    ]
    files["R"].write_text("\n".join(rows) + "\n")
    args = ["--required", str(files["R"]), "--templates", str(files["S"]), "--interval", "60"]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "2026-11-30T08:00:00+05:00" in out
    rows[5] = "2026-11-30T05:30+05:00,0"
    files["R"].write_text("\n".join(rows) + "\n")
    code, _, err = run(capsys, *args)
    assert code == 2
    assert "R.csv, column 'start', data row 5" in err


@pytest.mark.parametrize(
    ("which", "content", "message"),
    [
        ("R", "calls\n1\n", "R.csv: no column 'required'"),
        (
            "R",
            "required\n1\nx\n",
            "R.csv, column 'required', data row 2: 'x' is not a whole number",
        ),
        ("R", "required\n1\n-2\n", "R.csv, column 'required', data row 2: must be >= 0"),
        (
            "S",
            "name,start,length\nDay,8h,360\n",
            "S.csv, column 'start', data row 1: '8h' is not HH:MM",
        ),
        (
            "S",
            "name,start,length,breaks\nDay,08:00,360,\nLate,14:00,360,400+30\n",
            "S.csv, column 'breaks', data row 2",
        ),
        (
            "S",
            "name,start,length,breaks\nDay,08:00,360,lunch\n",
            "S.csv, column 'breaks', data row 1: 'lunch'",
        ),
        ("S", "name,start,length\nDay,08:00,0\n", "S.csv, column 'length', data row 1"),
        (
            "A",
            "id,max_minutes,templates\nann,600,Day;Brunch\n",
            "A.csv, column 'templates', data row 1",
        ),
        (
            "A",
            "id,max_minutes,min_minutes\nann,600,900\n",
            "A.csv, column 'min_minutes', data row 1",
        ),
        (
            "A",
            "id,max_minutes,unavailable\nann,600,tomorrow\n",
            "A.csv, column 'unavailable', data row 1",
        ),
        ("A", "id\nann\n", "A.csv: no column 'max_minutes'"),
    ],
)
def test_bad_input_exits_2_naming_file_column_row(
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    which: str,
    content: str,
    message: str,
) -> None:
    files[which].write_text(content)
    code, out, err = run(capsys, *common(files), "--agents", str(files["A"]))
    assert code == 2
    assert out == ""
    assert message in err, err


def test_bad_options(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    args = common(files)
    args[args.index("--start") + 1] = "2026-11-30T00:00"
    code, _, err = run(capsys, *args)
    assert code == 2 and "--start" in err and "offset" in err
    args = common(files)
    args[args.index("--interval") + 1] = "7"
    code, _, err = run(capsys, *args)
    assert code == 2 and "--interval" in err
    code, _, err = run(capsys, *common(files), "--agents", str(files["dir"] / "missing.csv"))
    assert code == 2 and "missing.csv" in err


def test_interval_in_seconds_like_the_other_commands(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = common(files)
    code, minutes, _ = run(capsys, *args)
    args[args.index("--interval") + 1] = "3600"
    code2, seconds, _ = run(capsys, *args)
    assert code == code2 == 0 and minutes == seconds

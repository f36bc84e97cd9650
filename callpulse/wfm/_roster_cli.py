"""The ``roster`` command of :mod:`callpulse.wfm.cli` (kept apart: it reads three CSV files).

``roster --required R.csv --templates S.csv [--agents A.csv] --interval 30
--start 2026-11-30T00:00+05:00 [--time-limit 20] [--json] [--coverage F.csv]``

``--interval`` is in minutes (a value above 1440 is read as seconds, as the other commands take
times: ``1800`` is 30 minutes); ``--time-limit`` is in seconds.

R.csv
    a column ``required`` (agents required, one row per interval, in order) and optionally
    ``start`` (ISO 8601 interval starts: checked to follow ``--start`` at ``--interval`` steps;
    without ``--start`` the first row's start is the horizon start).
S.csv
    ``name,start,length,breaks,cost``: ``start`` is the local start ``HH:MM``, ``length`` the
    shift length in minutes (it may cross midnight), ``breaks`` a ``;``-separated list of
    ``offset+length`` minutes from the shift start (``120+30;240+15``; empty for none), ``cost``
    the weight of the shift in the last objective (default 1).
A.csv (named agents; without it the roster is anonymous counts per template and day)
    ``id,max_minutes,min_minutes,min_rest_minutes,max_consecutive_days,templates,unavailable``:
    contracted minutes over the horizon (``max_minutes`` required, ``min_minutes`` default 0),
    minimum rest between shifts in minutes (default 660), most working days in a row (default
    5), allowed templates (``;``-separated names, empty = all) and absences (``;``-separated
    ``START/END`` ISO 8601 pairs; times without an offset take ``--start``'s).

Prints the shifts as CSV ``agent,template,start,end`` (``agent`` empty when anonymous) or, with
``--json``, one object with ``status``, ``under``, ``over``, ``shifts`` and ``gaps``. With
``--coverage F.csv`` writes ``start,required,scheduled,gap`` per interval, where ``gap`` is
``required - scheduled`` (positive: agents missing; negative: agents in excess). A summary line
goes to standard error. Bad input exits with status 2 naming the file, column and row.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from callpulse.wfm.cli import CommandError, Subparsers, _open_output
from callpulse.wfm.errors import InvalidParameterError
from callpulse.wfm.roster import (
    AgentSpec,
    Roster,
    RosterProblem,
    ShiftTemplate,
    build_roster,
)

__all__ = ["add_roster_command"]

_TEMPLATE_COLUMNS = {
    "name": "name",
    "start_minute": "start",
    "length_minutes": "length",
    "breaks": "breaks",
    "cost": "cost",
}
_AGENT_COLUMNS = {
    "id": "id",
    "max_minutes": "max_minutes",
    "min_minutes": "min_minutes",
    "min_rest_minutes": "min_rest_minutes",
    "max_consecutive_days": "max_consecutive_days",
    "templates": "templates",
    "unavailable": "unavailable",
}


def add_roster_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "roster",
        help="shift roster (CP-SAT): cover the agents required per interval",
        description="Build a shift roster that first minimises under-staffing, then "
        "over-staffing, then cost. See the module docstring of callpulse.wfm._roster_cli "
        "(or docs/wfm-roster.md) for the CSV columns.",
    )
    parser.add_argument("--required", required=True, metavar="R.csv", help="column required")
    parser.add_argument(
        "--templates", required=True, metavar="S.csv", help="columns name,start,length,breaks,cost"
    )
    parser.add_argument(
        "--agents",
        metavar="A.csv",
        help="columns id,max_minutes,min_minutes,min_rest_minutes,max_consecutive_days,"
        "templates,unavailable (omit for anonymous counts)",
    )
    parser.add_argument(
        "--interval",
        type=int,
        default=30,
        help="interval length in minutes (default 30); a value above 1440 is read as seconds, "
        "as the other commands take it (1800 = 30 minutes)",
    )
    parser.add_argument(
        "--start", help="first interval start, ISO 8601 with offset (e.g. 2026-11-30T00:00+05:00)"
    )
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds (default 20)")
    parser.add_argument(
        "--min-days-off-together",
        type=int,
        default=2,
        help="consecutive days off in every 7-day block (default 2; 0 = no rule)",
    )
    parser.add_argument("--max-shifts", type=int, default=None, help="cap on the number of shifts")
    parser.add_argument("--json", action="store_true", help="print JSON instead of CSV")
    parser.add_argument("--coverage", metavar="F.csv", help="write start,required,scheduled,gap")
    parser.add_argument("-o", "--output", metavar="F", help="write to F instead of standard output")
    parser.set_defaults(handler=run_roster)


# --------------------------------------------------------------------------- reading


def _rows(path: str, needed: Sequence[str]) -> tuple[list[str], list[dict[str, str]]]:
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames:
                raise CommandError(
                    f"{path}: empty file (expected a header with {','.join(needed)})"
                )
            fields = [name.strip() for name in reader.fieldnames]
            rows = [
                {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
                for row in reader
                if any((v or "").strip() for v in row.values() if isinstance(v, str))
            ]
    except OSError as exc:
        raise CommandError(f"{path}: cannot read: {exc.strerror}") from exc
    missing = [name for name in needed if name not in fields]
    if missing:
        raise CommandError(f"{path}: no column {missing[0]!r} (columns: {','.join(fields)})")
    return fields, rows


def _where(path: str, column: str, row: int | None) -> str:
    text = f"{path}, column {column!r}"
    return text if row is None else f"{text}, data row {row + 1}"


def _int(path: str, column: str, row: int, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CommandError(f"{_where(path, column, row)}: {text!r} is not a whole number") from None


def _moment(text: str, *, tz_from: datetime | None, what: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{what}: {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        if tz_from is None:
            raise CommandError(f"{what}: {text!r} needs a UTC offset (e.g. +05:00)")
        value = value.replace(tzinfo=tz_from.tzinfo)
    return value


def _required(path: str, start: datetime | None, interval: int) -> tuple[datetime, list[int]]:
    fields, rows = _rows(path, ["required"])
    if not rows:
        raise CommandError(f"{path}: no data rows")
    values = []
    for i, row in enumerate(rows):
        n = _int(path, "required", i, row["required"])
        if n < 0:
            raise CommandError(f"{_where(path, 'required', i)}: must be >= 0; got {n}")
        values.append(n)
    if "start" in fields:
        first = _moment(rows[0]["start"], tz_from=start, what=_where(path, "start", 0))
        origin = start or first
        for i, row in enumerate(rows):
            moment = _moment(row["start"], tz_from=origin, what=_where(path, "start", i))
            expected = origin + timedelta(minutes=interval * i)
            if moment != expected:
                raise CommandError(
                    f"{_where(path, 'start', i)}: {row['start']!r} should be "
                    f"{expected.isoformat()} (--start plus {i} x {interval} minutes)"
                )
        return origin, values
    if start is None:
        raise CommandError(f"--start is required (or a column 'start' in {path})")
    return start, values


def _clock(path: str, row: int, text: str) -> int:
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise CommandError(f"{_where(path, 'start', row)}: {text!r} is not HH:MM")
    h, m = int(parts[0]), int(parts[1])
    if h > 23 or m > 59:
        raise CommandError(f"{_where(path, 'start', row)}: {text!r} is not a time of day")
    return h * 60 + m


def _templates(path: str) -> list[ShiftTemplate]:
    _, rows = _rows(path, ["name", "start", "length"])
    templates = []
    for i, row in enumerate(rows):
        breaks = []
        for part in filter(None, (p.strip() for p in row.get("breaks", "").split(";"))):
            offset, plus, span = part.partition("+")
            if not plus or not offset.strip().isdigit() or not span.strip().isdigit():
                raise CommandError(
                    f"{_where(path, 'breaks', i)}: {part!r} is not offset+length in minutes"
                )
            breaks.append((int(offset), int(span)))
        cost_text = row.get("cost", "") or "1"
        try:
            cost = float(cost_text)
        except ValueError:
            raise CommandError(
                f"{_where(path, 'cost', i)}: {cost_text!r} is not a number"
            ) from None
        templates.append(
            ShiftTemplate(
                name=row["name"],
                start_minute=_clock(path, i, row["start"]),
                length_minutes=_int(path, "length", i, row["length"]),
                breaks=tuple(breaks),
                cost=cost,
            )
        )
    if not templates:
        raise CommandError(f"{path}: no data rows")
    return templates


def _agents(path: str, start: datetime) -> list[AgentSpec]:
    _, rows = _rows(path, ["id", "max_minutes"])
    agents = []
    for i, row in enumerate(rows):
        numbers: dict[str, Any] = {}
        for column, default in (
            ("max_minutes", None),
            ("min_minutes", 0),
            ("min_rest_minutes", 660),
            ("max_consecutive_days", 5),
        ):
            text = row.get(column, "")
            numbers[column] = (
                default if text == "" and default is not None else _int(path, column, i, text)
            )
        names = row.get("templates", "")
        allowed = frozenset(filter(None, (n.strip() for n in names.split(";")))) or None
        windows = []
        for part in filter(None, (p.strip() for p in row.get("unavailable", "").split(";"))):
            begin, slash, end = part.partition("/")
            what = _where(path, "unavailable", i)
            if not slash:
                raise CommandError(f"{what}: {part!r} is not START/END")
            windows.append(
                (
                    _moment(begin.strip(), tz_from=start, what=what),
                    _moment(end.strip(), tz_from=start, what=what),
                )
            )
        agents.append(
            AgentSpec(id=row["id"], unavailable=tuple(windows), templates=allowed, **numbers)
        )
    return agents


def _explain(exc: InvalidParameterError, args: argparse.Namespace) -> str:
    """The engine's message, pointing at the file, column and row."""
    head, _, attr = exc.parameter.partition(".")
    if head == "templates" and attr:
        return (
            f"{_where(args.templates, _TEMPLATE_COLUMNS.get(attr, attr), exc.index)}: {exc.detail}"
        )
    if head == "agents" and attr:
        return f"{_where(args.agents, _AGENT_COLUMNS.get(attr, attr), exc.index)}: {exc.detail}"
    if head == "required":
        return f"{_where(args.required, 'required', exc.index)}: {exc.detail}"
    flags = {
        "interval_minutes": "--interval",
        "start": "--start",
        "time_limit_seconds": "--time-limit",
        "min_days_off_together": "--min-days-off-together",
        "max_shifts": "--max-shifts",
    }
    return f"{flags.get(exc.parameter, exc.parameter)}: {exc}"


# --------------------------------------------------------------------------- running


def run_roster(args: argparse.Namespace) -> int:
    start = _moment(args.start, tz_from=None, what="--start") if args.start else None
    if args.interval > 1440 and args.interval % 60 == 0:
        args.interval //= 60  # seconds, as the other commands take times
    if args.interval <= 0 or 1440 % args.interval:
        raise CommandError(f"--interval: must divide 1440 minutes; got {args.interval}")
    origin, required = _required(args.required, start, args.interval)
    templates = _templates(args.templates)
    agents = _agents(args.agents, origin) if args.agents else []
    problem = RosterProblem(
        start=origin,
        interval_minutes=args.interval,
        required=required,
        templates=templates,
        agents=agents,
        min_days_off_together=args.min_days_off_together,
        time_limit_seconds=args.time_limit,
        max_shifts=args.max_shifts,
    )
    try:
        roster = build_roster(problem)
    except InvalidParameterError as exc:
        raise CommandError(_explain(exc, args)) from exc
    with _open_output(args.output) as out:
        if args.json:
            out.write(json.dumps(_payload(roster)) + "\n")
        else:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["agent", "template", "start", "end"])
            for shift in roster.shifts:
                writer.writerow(
                    [
                        shift.agent_id or "",
                        shift.template,
                        shift.start.isoformat(),
                        shift.end.isoformat(),
                    ]
                )
    if args.coverage:
        _write_coverage(args.coverage, roster, problem)
    sys.stderr.write(
        f"roster: {roster.status}; {len(roster.shifts)} shifts; under-staffed "
        f"{roster.under} agent-intervals, over-staffed {roster.over}\n"
    )
    return 0


def _payload(roster: Roster) -> dict[str, Any]:
    return {
        "status": roster.status,
        "under": roster.under,
        "over": roster.over,
        "shifts": [
            {
                "agent": shift.agent_id,
                "template": shift.template,
                "start": shift.start.isoformat(),
                "end": shift.end.isoformat(),
                "breaks": [[b0.isoformat(), b1.isoformat()] for b0, b1 in shift.breaks],
            }
            for shift in roster.shifts
        ],
        "gaps": [
            {"start": g0.isoformat(), "end": g1.isoformat(), "missing": missing}
            for g0, g1, missing in roster.gaps()
        ],
    }


def _write_coverage(path: str, roster: Roster, problem: RosterProblem) -> None:
    step = timedelta(minutes=problem.interval_minutes)
    origin = problem.start
    try:
        with Path(path).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["start", "required", "scheduled", "gap"])
            for i, (need, have) in enumerate(zip(roster.required, roster.scheduled, strict=True)):
                moment = (origin.astimezone(UTC) + i * step).astimezone(origin.tzinfo)
                writer.writerow([moment.isoformat(), int(need), int(have), int(need - have)])
    except OSError as exc:
        raise CommandError(f"--coverage: cannot write {path}: {exc.strerror}") from exc

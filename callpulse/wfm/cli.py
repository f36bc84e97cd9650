"""The engine's command line: ``python -m callpulse.wfm <command> [options]``.

For planners who live in spreadsheets. Times are in seconds. The contract (integrations and checks
rely on these names):

``erlang-c --calls 100 --aht 180 --interval 1800 --target-sl 0.8 --answer-time 20
[--shrinkage 0.3] [--max-occupancy 0.85] --json``
    prints one JSON object with ``raw_agents``, ``agents`` (after shrinkage), ``service_level``,
    ``asa``, ``occupancy`` and ``wait_probability``. Without ``--json`` the same as CSV (a header
    and one row). With ``--input F.csv`` (columns ``calls,aht``, one row per interval; ``-`` is
    standard input) instead of ``--calls``, it prints the CSV with those columns added (or, with
    ``--json``, a JSON array of the rows). A missing ``aht`` column falls back to ``--aht``.
``erlang-a``
    the same plus ``--patience 180`` (a ``patience`` column may override it per row) and
    ``--sl-variant offered|answered|exclude_early_abandons``; adds ``abandon_probability``.
``forecast --history H.csv --at T.csv``
    prints CSV ``start,calls,method`` (see :mod:`callpulse.wfm._forecast_cli`).
``simulate --input F.csv --interval 1800 --answer-time 20``
    prints per-interval means and 95% intervals (see :mod:`callpulse.wfm._simulate_cli`).

Bad input exits with status 2 and a message naming the option, or the column and row.

Adding a command: write ``def add_<name>(subparsers: Subparsers) -> None`` that calls
``subparsers.add_parser(...)``, declares its options and ``set_defaults(handler=...)`` with a
``handler(args) -> int`` (the exit status), and append it to :data:`COMMANDS`. Handlers raise
:class:`CommandError` (or let :class:`~callpulse.wfm.errors.InvalidParameterError` through) for
input errors; :func:`main` turns both into status 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TextIO, TypeAlias

import numpy as np

from callpulse.wfm._arrays import FloatArray
from callpulse.wfm._forecast_cli import add_forecast
from callpulse.wfm._results import Record
from callpulse.wfm._simulate_cli import add_simulate
from callpulse.wfm.erlang_a import SL_VARIANTS, erlang_a
from callpulse.wfm.erlang_c import erlang_c
from callpulse.wfm.errors import InvalidParameterError

__all__ = ["COMMANDS", "CommandError", "Subparsers", "build_parser", "main"]

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Handler = Callable[[argparse.Namespace], int]

ERLANG_C_COLUMNS = (
    "raw_agents",
    "agents",
    "service_level",
    "asa",
    "occupancy",
    "wait_probability",
)
ERLANG_A_COLUMNS = (*ERLANG_C_COLUMNS, "abandon_probability")

# Engine parameter -> how the planner spelled it on the command line.
_FLAGS = {
    "calls": "--calls",
    "aht": "--aht",
    "interval": "--interval",
    "target_sl": "--target-sl",
    "answer_time": "--answer-time",
    "shrinkage": "--shrinkage",
    "max_occupancy": "--max-occupancy",
    "patience": "--patience",
    "sl_variant": "--sl-variant",
}


class CommandError(Exception):
    """An input error to report to the planner (exit status 2)."""


# --------------------------------------------------------------------------- input and output


@contextmanager
def _open_input(path: str) -> Iterator[TextIO]:
    if path == "-":
        yield sys.stdin
        return
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            yield handle
    except OSError as exc:
        raise CommandError(f"--input: cannot read {path}: {exc.strerror}") from exc


@contextmanager
def _open_output(path: str | None) -> Iterator[TextIO]:
    if path is None or path == "-":
        yield sys.stdout
        return
    try:
        with Path(path).open("w", newline="", encoding="utf-8") as handle:
            yield handle
    except OSError as exc:
        raise CommandError(f"--output: cannot write {path}: {exc.strerror}") from exc


def _read_rows(path: str) -> tuple[list[str], list[dict[str, str]]]:
    with _open_input(path) as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            raise CommandError(f"--input: {path} is empty (expected a header with calls,aht)")
        fields = [name.strip() for name in reader.fieldnames]
        rows = [
            {name.strip(): (value or "").strip() for name, value in row.items() if name}
            for row in reader
            if any((value or "").strip() for value in row.values())
        ]
    return fields, rows


def _column(
    rows: list[dict[str, str]], fields: list[str], name: str, fallback: float | None
) -> FloatArray:
    """The numeric column ``name`` (or ``fallback`` for every row when there is no such column)."""
    if name not in fields:
        if fallback is None:
            raise CommandError(f"--input: no column {name!r} (and no {_FLAGS[name]} to use)")
        return np.full(len(rows), fallback, dtype=np.float64)
    values = np.empty(len(rows), dtype=np.float64)
    for i, row in enumerate(rows):
        text = row.get(name, "")
        try:
            values[i] = float(text)
        except ValueError:
            raise CommandError(
                f"column {name!r}, data row {i + 1}: {text!r} is not a number"
            ) from None
    return values


def _format(value: float | int | str) -> str:
    return value if isinstance(value, str) else repr(value)


def _write(
    out: IO[str],
    fields: Sequence[str],
    rows: Sequence[dict[str, Any]],
    *,
    as_json: bool,
    single: bool,
) -> None:
    if as_json:
        payload: object = rows[0] if single else list(rows)
        out.write(json.dumps(payload) + "\n")
        return
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_format(row.get(name, "")) for name in fields])


# --------------------------------------------------------------------------- erlang-c, erlang-a


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def _add_staffing_options(parser: argparse.ArgumentParser, *, patience: bool) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--calls", type=_number, help="calls offered in the interval")
    source.add_argument(
        "--input",
        metavar="F.csv",
        help="CSV with one row per interval and columns calls,aht"
        + (" (and optionally patience)" if patience else "")
        + "; '-' reads standard input",
    )
    parser.add_argument("--aht", type=_number, help="average handle time, seconds")
    if patience:
        parser.add_argument(
            "--patience", type=_number, help="mean caller patience before hanging up, seconds"
        )
    parser.add_argument(
        "--interval", type=_number, default=1800.0, help="interval length, seconds (1800)"
    )
    parser.add_argument(
        "--target-sl",
        type=_number,
        required=True,
        help="service-level target: the share answered within --answer-time, in (0, 1)",
    )
    parser.add_argument(
        "--answer-time", type=_number, required=True, help="service-level threshold, seconds"
    )
    if patience:
        parser.add_argument(
            "--sl-variant",
            choices=SL_VARIANTS,
            default="offered",
            help="answered within the threshold over offered calls (default), over answered "
            "calls, or over offered calls less those abandoned within the threshold",
        )
    parser.add_argument(
        "--shrinkage", type=_number, default=0.0, help="share of paid time off the phones, [0, 1)"
    )
    parser.add_argument("--max-occupancy", type=_number, default=None, help="occupancy cap, (0, 1]")
    parser.add_argument("--json", action="store_true", help="print JSON instead of CSV")
    parser.add_argument("-o", "--output", metavar="F", help="write to F instead of standard output")


def _run_staffing(args: argparse.Namespace, *, patience: bool) -> int:
    columns = ERLANG_A_COLUMNS if patience else ERLANG_C_COLUMNS
    inputs = ("calls", "aht", "patience") if patience else ("calls", "aht")
    single = args.input is None
    if single:
        for name in inputs:
            if getattr(args, name) is None:
                raise CommandError(f"{_FLAGS[name]} is required")
        fields = list(inputs)
        rows: list[dict[str, Any]] = [{name: getattr(args, name) for name in inputs}]
        values = {name: np.array([getattr(args, name)], dtype=np.float64) for name in inputs}
    else:
        fields, rows = _read_rows(args.input)
        values = {name: _column(rows, fields, name, getattr(args, name)) for name in inputs}
    common: dict[str, Any] = {
        "calls": values["calls"],
        "aht": values["aht"],
        "interval": args.interval,
        "target_sl": args.target_sl,
        "answer_time": args.answer_time,
        "max_occupancy": args.max_occupancy,
        "shrinkage": args.shrinkage,
    }
    try:
        if patience:
            result: list[Record] = erlang_a(
                patience=values["patience"], sl_variant=args.sl_variant, **common
            ).records()
        else:
            result = erlang_c(**common).records()
    except InvalidParameterError as exc:
        from_columns = [name for name in inputs if not single and name in fields]
        raise CommandError(_explain(exc, single=single, columns=from_columns)) from exc
    out_fields = [*fields, *(name for name in columns if name not in fields)]
    out_rows: list[dict[str, Any]] = []
    for i, (row, computed) in enumerate(zip(rows, result, strict=True)):
        merged: dict[str, Any] = dict(row)
        if args.json and not single:  # the inputs as numbers in JSON, as typed in CSV
            merged.update({name: float(values[name][i]) for name in inputs})
        elif single:
            merged = {name: _plain(row[name]) for name in inputs}
        merged.update({name: computed[name] for name in columns})
        out_rows.append(merged)
    if args.json and single:
        out_rows = [{name: out_rows[0][name] for name in columns}]
    with _open_output(args.output) as out:
        _write(out, out_fields, out_rows, as_json=args.json, single=single)
    return 0


def _plain(value: float) -> float | int:
    """``100`` rather than ``100.0`` for whole numbers the planner typed."""
    return int(value) if float(value).is_integer() else value


def _explain(exc: InvalidParameterError, *, single: bool, columns: Sequence[str]) -> str:
    """The engine's message, with the parameter spelled as the planner typed it."""
    if not single and exc.parameter in columns:
        where = f"column {exc.parameter!r}"
        if exc.index is not None:
            where += f", data row {exc.index + 1}"
        return f"{where}: {exc.parameter} {exc.detail}"
    flag = _FLAGS.get(exc.parameter, exc.parameter)
    text = f"{flag}: {exc.parameter} {exc.detail}"
    if not single and exc.index is not None:
        text += f" (data row {exc.index + 1})"
    return text


def add_erlang_c(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "erlang-c",
        help="agents needed when callers wait as long as it takes (M/M/n)",
        description="Required agents under Erlang C: the least n above the offered load whose "
        "service level meets the target (and whose occupancy is within the cap).",
    )
    _add_staffing_options(parser, patience=False)
    parser.set_defaults(handler=lambda args: _run_staffing(args, patience=False))


def add_erlang_a(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "erlang-a",
        help="agents needed when callers hang up after a mean patience (M/M/n+M)",
        description="Required agents under Erlang A (exact M/M/n+M): the least n >= 1 whose "
        "service level, in the chosen variant, meets the target.",
    )
    _add_staffing_options(parser, patience=True)
    parser.set_defaults(handler=lambda args: _run_staffing(args, patience=True))


COMMANDS: list[Callable[[Subparsers], None]] = [add_erlang_c, add_erlang_a]
COMMANDS += [add_forecast, add_simulate]  # forecast and simulation (callpulse.wfm._*_cli)


def add_roster(subparsers: Subparsers) -> None:
    """Shift rosters (callpulse.wfm._roster_cli; imported here, it imports this module)."""
    from callpulse.wfm._roster_cli import add_roster_command

    add_roster_command(subparsers)


COMMANDS.append(add_roster)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m callpulse.wfm",
        description="callpulse workforce engine: staffing from the command line "
        "(times in seconds; CSV or JSON in and out).",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except (CommandError, InvalidParameterError) as exc:
        prog = f"{parser.prog} {args.command}"
        sys.stderr.write(f"{prog}: error: {exc}\n")
        return 2
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0

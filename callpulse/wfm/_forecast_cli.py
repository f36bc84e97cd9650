"""The ``forecast`` command of ``python -m callpulse.wfm`` (registered in :mod:`callpulse.wfm.cli`).

``forecast --history H.csv --at T.csv [--special-days F.csv] [--methods a,b] [--report] [--json]``

``H.csv`` has columns ``start,calls`` (ISO 8601 interval starts, with an offset or naive; closed
intervals simply have no row) and optionally ``aht`` (seconds; may be empty where ``calls`` is 0);
``T.csv`` a column ``start`` with the interval starts to forecast; ``F.csv`` a column ``date``
(special days: holidays and the like). Prints CSV ``start,calls,method`` (``start`` echoed as
given), plus ``aht,aht_method`` when the history has AHT; ``--json`` prints a JSON array of the
same rows; ``--report`` writes each method's backtest WAPE to standard error.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callpulse.wfm.errors import InvalidParameterError
from callpulse.wfm.forecast import METHODS, Forecast, forecast_series

if TYPE_CHECKING:
    from callpulse.wfm.cli import Subparsers

__all__ = ["add_forecast", "read_table"]


def _error(message: str) -> Exception:
    from callpulse.wfm.cli import CommandError  # the CLI imports this module

    return CommandError(message)


def read_table(
    path: str, option: str, required: Sequence[str]
) -> tuple[list[str], list[dict[str, str]]]:
    """The CSV at ``path`` (``-`` = standard input) as its header and rows of stripped strings;
    blank lines skipped; an error naming ``option`` and the missing column. Semicolon-separated
    files (a header with ``;`` and no ``,``) are read too."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise _error(f"{option}: cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise _error(f"{option}: {path} is not UTF-8 text") from exc
    lines = text.splitlines()
    header = lines[0] if lines else ""
    # Spreadsheets in many locales save "CSV" with semicolons (and decimal commas).
    delimiter = ";" if ";" in header and "," not in header else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    if not reader.fieldnames:
        raise _error(f"{option}: {path} is empty (expected a header with {','.join(required)})")
    fields = [name.strip() for name in reader.fieldnames]
    rows = [
        {(name or "").strip(): (value or "").strip() for name, value in row.items() if name}
        for row in reader
        if any((value or "").strip() for value in row.values() if isinstance(value, str))
    ]
    for name in required:
        if name not in fields:
            raise _error(f"{option}: no column {name!r} in {path} (columns: {','.join(fields)})")
    return fields, rows


def parse_number(option: str, column: str, row: int, text: str) -> float:
    try:
        value = float(text.replace(",", ".") if "," in text and "." not in text else text)
    except ValueError:
        raise _error(
            f"{option}: column {column!r}, data row {row}: {text!r} is not a number"
        ) from None
    if not math.isfinite(value):
        raise _error(f"{option}: column {column!r}, data row {row}: {text!r} is not finite")
    return value


def _parse_start(option: str, row: int, text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise _error(
            f"{option}: column 'start', data row {row}: {text!r} is not an ISO 8601 date-time"
        ) from None


def _parse_date(option: str, row: int, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _error(
            f"{option}: column 'date', data row {row}: {text!r} is not an ISO 8601 date"
        ) from None


def _where(exc: InvalidParameterError) -> str:
    """The engine's complaint, pointed at the file, column and row it came from."""
    row = f", data row {exc.index + 1}" if exc.index is not None else ""
    if exc.parameter == "history":
        return f"--history{row}: {exc.detail}"
    if exc.parameter == "weights":
        return f"--history: column 'calls'{row}: {exc.detail}"
    if exc.parameter == "at":
        return f"--at: column 'start'{row}: {exc.detail}"
    if exc.parameter == "special_days":
        return f"--special-days: column 'date'{row}: {exc.detail}"
    if exc.parameter == "methods":
        return f"--methods: {exc.detail}"
    return str(exc)


def _round(value: float) -> float:
    return round(float(value), 6)


def _run(args: argparse.Namespace) -> int:
    fields, hist_rows = read_table(args.history, "--history", ("start", "calls"))
    if not hist_rows:
        raise _error("--history: no data rows")
    has_aht = "aht" in fields
    starts: list[datetime] = []
    calls: list[float] = []
    ahts: list[float] = []
    for i, line in enumerate(hist_rows, start=1):
        starts.append(_parse_start("--history", i, line["start"]))
        value = parse_number("--history", "calls", i, line["calls"])
        if value < 0:
            raise _error(f"--history: column 'calls', data row {i}: {value:g} is negative")
        calls.append(value)
        if has_aht:
            text = line.get("aht", "")
            if text == "" and value == 0:
                ahts.append(0.0)
                continue
            aht = parse_number("--history", "aht", i, text)
            if aht < 0:
                raise _error(f"--history: column 'aht', data row {i}: {aht:g} is negative")
            ahts.append(aht)
    _, at_rows = read_table(args.at, "--at", ("start",))
    at_text = [line["start"] for line in at_rows]
    at = [_parse_start("--at", i, text) for i, text in enumerate(at_text, start=1)]
    special: list[date] = []
    if args.special_days:
        _, day_rows = read_table(args.special_days, "--special-days", ("date",))
        special = [_parse_date("--special-days", i, r["date"]) for i, r in enumerate(day_rows, 1)]
    methods = None
    if args.methods:
        methods = [name.strip() for name in args.methods.split(",") if name.strip()]
        unknown = [name for name in methods if name not in METHODS]
        if unknown:
            raise _error(
                f"--methods: unknown method {unknown[0]!r} (choose from {','.join(METHODS)})"
            )
        if not methods:
            raise _error("--methods: no method given")
    try:
        volume = forecast_series(
            list(zip(starts, calls, strict=True)), at, special_days=special, methods=methods
        )
        handle: Forecast | None = None
        if has_aht:
            handle = forecast_series(
                list(zip(starts, ahts, strict=True)),
                at,
                special_days=special,
                methods=methods,
                weights=calls,
            )
    except InvalidParameterError as exc:
        raise _error(_where(exc)) from exc

    out_fields = ["start", "calls", "method"] + (["aht", "aht_method"] if handle else [])
    rows: list[dict[str, Any]] = []
    for i, text in enumerate(at_text):
        row: dict[str, Any] = {
            "start": text,
            "calls": _round(volume.values[i]),
            "method": volume.method,
        }
        if handle is not None:
            row["aht"] = _round(handle.values[i])
            row["aht_method"] = handle.method
        rows.append(row)
    if args.report:
        err = sys.stderr
        err.write(f"interval {volume.interval:g} s; backtest WAPE per method (lower is better)\n")
        for what, result in (("calls", volume), ("aht", handle)):
            if result is None:
                continue
            for name, value in result.wape.items():
                text = f"{value:.4f}" if math.isfinite(value) else "n/a (history too short)"
                chosen = "  <- chosen" if name == result.method else ""
                err.write(f"  {what:<5} {name:<15} {text}{chosen}\n")
        if volume.special.any():
            err.write(f"  {int(volume.special.sum())} requested start(s) on special days\n")
    from callpulse.wfm.cli import _open_output

    with _open_output(args.output) as out:
        if args.json:
            out.write(json.dumps(rows) + "\n")
        else:
            writer = csv.DictWriter(out, fieldnames=out_fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return 0


def add_forecast(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="forecast calls (and AHT) per interval from history; method chosen by backtest",
        description="Forecast the calls (and AHT, when the history has an aht column) of each "
        "interval listed in --at from the history, with the method that had the least WAPE "
        f"in a rolling-origin backtest. Methods: {', '.join(METHODS)}.",
    )
    parser.add_argument(
        "--history",
        required=True,
        metavar="H.csv",
        help="columns start,calls[,aht]: ISO 8601 interval starts; closed intervals have no row",
    )
    parser.add_argument(
        "--at", required=True, metavar="T.csv", help="column start: the interval starts to forecast"
    )
    parser.add_argument(
        "--special-days",
        metavar="F.csv",
        help="column date: holidays and special days (left out of fitting, forecast apart)",
    )
    parser.add_argument(
        "--methods", metavar="a,b", help=f"methods to try (default all: {','.join(METHODS)})"
    )
    parser.add_argument(
        "--report", action="store_true", help="write each method's backtest WAPE to stderr"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of CSV")
    parser.add_argument("-o", "--output", metavar="F", help="write to F instead of standard output")
    parser.set_defaults(handler=_run)

"""The ``simulate`` command of ``python -m callpulse.wfm`` (registered in :mod:`callpulse.wfm.cli`).

``simulate --input F.csv --interval 1800 --answer-time 20 [--patience 120] [--replications 30]
[--seed 0] [--json]``

``F.csv`` has one row per interval and columns ``calls,aht,agents`` (``aht`` may be left out for
``--aht``; a ``patience`` column overrides ``--patience`` per row). Prints the input rows with,
for each of ``service_level``, ``asa``, ``abandon_rate`` and ``occupancy``, the mean over the
replications and the 95% confidence interval (``<name>_low``, ``<name>_high``; empty when there
was nothing to measure, e.g. no calls). ``--json`` prints ``{"intervals": [...], "overall":
{name: {"mean", "low", "high"}}, "replications": n}``; ``--report`` writes the whole-horizon
figures to standard error.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from typing import TYPE_CHECKING, Any

from callpulse.wfm._forecast_cli import _error, parse_number, read_table
from callpulse.wfm.errors import InvalidParameterError
from callpulse.wfm.simulate import MEASURES, simulate

if TYPE_CHECKING:
    from callpulse.wfm.cli import Subparsers

__all__ = ["add_simulate"]

_FLAGS = {
    "interval": "--interval",
    "answer_time": "--answer-time",
    "replications": "--replications",
    "seed": "--seed",
    "service_cv": "--service-cv",
    "aht": "--aht",
    "patience": "--patience",
}


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def _column(
    rows: list[dict[str, str]], fields: list[str], name: str, fallback: float | None
) -> list[float] | None:
    if name not in fields:
        return None if fallback is None else [fallback] * len(rows)
    return [parse_number("--input", name, i, row.get(name, "")) for i, row in enumerate(rows, 1)]


def _value(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _run(args: argparse.Namespace) -> int:
    fields, rows = read_table(args.input, "--input", ("calls", "agents"))
    if not rows:
        raise _error("--input: no data rows")
    calls = _column(rows, fields, "calls", None)
    agents = _column(rows, fields, "agents", None)
    aht = _column(rows, fields, "aht", args.aht)
    patience = _column(rows, fields, "patience", args.patience)
    assert calls is not None and agents is not None
    if aht is None:
        raise _error("--input: no column 'aht' (and no --aht to use)")
    from_columns = {name for name in ("calls", "agents", "aht", "patience") if name in fields}
    try:
        result = simulate(
            calls=calls,
            aht=aht,
            agents=agents,
            interval=args.interval,
            answer_time=args.answer_time,
            patience=patience,
            replications=args.replications,
            seed=args.seed,
            service_distribution=args.service,
            service_cv=args.service_cv,
        )
    except InvalidParameterError as exc:
        if exc.parameter in from_columns:
            where = f"--input: column {exc.parameter!r}"
            if exc.index is not None:
                where += f", data row {exc.index + 1}"
            raise _error(f"{where}: {exc.detail}") from exc
        raise _error(f"{_FLAGS.get(exc.parameter, exc.parameter)}: {exc.detail}") from exc

    measures = [f"{m}{suffix}" for m in MEASURES for suffix in ("", "_low", "_high")]
    computed = result.records()
    out_rows: list[dict[str, Any]] = []
    for row, values in zip(rows, computed, strict=True):
        merged: dict[str, Any] = dict(row)
        if args.json:
            merged = {name: parse_number("--input", name, 0, row[name]) for name in from_columns}
            merged.update({name: _value(values[name]) for name in measures})
        else:
            merged.update(
                {
                    name: repr(round(v, 6)) if math.isfinite(v := values[name]) else ""
                    for name in measures
                }
            )
        out_rows.append(merged)
    overall = {
        name: dict(zip(("mean", "low", "high"), map(_value, result.overall[name]), strict=True))
        for name in MEASURES
    }
    if args.report:
        sys.stderr.write(f"whole horizon, {result.replications} replications, 95% CI:\n")
        for name in MEASURES:
            mean, low, high = result.overall[name]
            sys.stderr.write(f"  {name:<14} {mean:.4f}  [{low:.4f}, {high:.4f}]\n")
    from callpulse.wfm.cli import _open_output

    with _open_output(args.output) as out:
        if args.json:
            payload = {
                "intervals": out_rows,
                "overall": overall,
                "replications": result.replications,
            }
            out.write(json.dumps(payload) + "\n")
        else:
            names = [*fields, *(m for m in measures if m not in fields)]
            writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
            writer.writeheader()
            writer.writerows(out_rows)
    return 0


def _whole(text: str) -> int:
    value = _number(text)
    if not float(value).is_integer():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return int(value)


def add_simulate(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="discrete-event simulation of the intervals with confidence intervals",
        description="Simulate the queue interval by interval (Poisson arrivals, exponential or "
        "lognormal handle times, exponential patience, the staffed agents), replicated, and "
        "print per interval the mean and 95%% confidence interval of the service level "
        "(answered within --answer-time over offered), ASA, abandonment rate and occupancy.",
    )
    parser.add_argument(
        "--input",
        required=True,
        metavar="F.csv",
        help="one row per interval, columns calls,aht,agents[,patience]; '-' reads stdin",
    )
    parser.add_argument("--aht", type=_number, help="handle time when there is no aht column, s")
    parser.add_argument(
        "--interval", type=_number, default=1800.0, help="interval length, seconds (1800)"
    )
    parser.add_argument(
        "--answer-time", type=_number, required=True, help="service-level threshold, seconds"
    )
    parser.add_argument(
        "--patience",
        type=_number,
        help="mean caller patience, seconds (default: nobody hangs up)",
    )
    parser.add_argument("--replications", type=_whole, default=30, help="replications (30)")
    parser.add_argument("--seed", type=_whole, default=0, help="random seed (0)")
    parser.add_argument(
        "--service",
        choices=("exponential", "lognormal"),
        default="exponential",
        help="handle-time distribution (exponential)",
    )
    parser.add_argument(
        "--service-cv",
        type=_number,
        default=1.0,
        help="coefficient of variation of lognormal handle times (1.0)",
    )
    parser.add_argument(
        "--report", action="store_true", help="write the whole-horizon figures to stderr"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of CSV")
    parser.add_argument("-o", "--output", metavar="F", help="write to F instead of standard output")
    parser.set_defaults(handler=_run)

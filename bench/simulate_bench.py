"""Simulation speed and accuracy: callpulse.wfm.simulate on a day and a week of intervals.

    .venv/bin/python bench/simulate_bench.py [--replications 30] [--seed 0]

(a) a week of half-hour intervals (336) at 100 calls each, AHT 180 s, 14 agents, nobody hangs
    up: time for all replications, and the whole-week service level, ASA and occupancy beside
    the exact Erlang C values;
(b) a day (48 intervals) at 2,000 calls per half hour, AHT 180 s, patience 120 s, 187 agents (the
    issue's Erlang A example): time, and service level, abandonment, ASA, occupancy beside the
    exact Erlang A values;
(c) a realistic week: a weekday/intraday profile of calls and the Erlang C staffing for 80/20,
    to show the measures of a plan whose staffing changes every half hour.

Both steady-state runs start with two warm-up hours (``warmup_intervals=4``) so that the exact
stationary values apply. pyworkforce has no simulation, so there is no peer to run beside ours.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callpulse.wfm import (  # noqa: E402
    erlang_a_performance,
    erlang_c,
    erlang_c_performance,
    simulate,
)
from callpulse.wfm.simulate import MEASURES, SimulationResult  # noqa: E402


def timed(**kwargs: object) -> tuple[SimulationResult, float]:
    began = time.perf_counter()
    result = simulate(**kwargs)  # type: ignore[arg-type]
    return result, time.perf_counter() - began


def show(result: SimulationResult, exact: dict[str, float] | None) -> None:
    for name in MEASURES:
        mean, low, high = result.overall[name]
        line = f"    {name:<14} {mean:10.4f}  95% CI [{low:.4f}, {high:.4f}]"
        if exact is not None and name in exact:
            inside = "inside" if low <= exact[name] <= high else "OUTSIDE"
            line += f"   exact {exact[name]:.4f} ({inside})"
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=30, help="replications (30)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    args = parser.parse_args()
    reps = args.replications
    print("pyworkforce: no simulation (queueing formulas, staffing and rostering only)")
    print()

    result, seconds = timed(
        calls=[100] * 336, aht=180, agents=[14] * 336, interval=1800, answer_time=20,
        replications=reps, seed=args.seed, warmup_intervals=4,
    )  # fmt: skip
    calls = 100 * 340 * reps
    print(
        f"(a) week, 336 x 100 calls, 14 agents, {reps} replications: {seconds:.2f} s "
        f"({calls / seconds / 1e6:.2f} M calls/s)"
    )
    c = erlang_c_performance(calls=100, aht=180, agents=14, interval=1800, answer_time=20)
    show(result, {"service_level": float(c.service_level), "asa": float(c.asa),
                  "abandon_rate": 0.0, "occupancy": float(c.occupancy)})  # fmt: skip

    result, seconds = timed(
        calls=[2000] * 48, aht=180, agents=[187] * 48, interval=1800, answer_time=20,
        patience=120, replications=reps, seed=args.seed, warmup_intervals=4,
    )  # fmt: skip
    calls = 2000 * 52 * reps
    print(
        f"(b) day, 48 x 2,000 calls, 187 agents, patience 120 s, {reps} replications: "
        f"{seconds:.2f} s ({calls / seconds / 1e6:.2f} M calls/s)"
    )
    a = erlang_a_performance(
        calls=2000, aht=180, patience=120, agents=187, interval=1800, answer_time=20
    )
    show(result, {"service_level": float(a.service_level), "asa": float(a.asa),
                  "abandon_rate": float(a.abandon_probability),
                  "occupancy": float(a.occupancy)})  # fmt: skip

    hours = (np.arange(48) + 0.5) / 2
    shape = np.exp(-(((hours - 11) / 2.5) ** 2)) + 0.7 * np.exp(-(((hours - 16) / 2.5) ** 2))
    shape = np.where((hours > 7) & (hours < 21), shape, 0.0)
    week = np.concatenate([shape * level for level in (1.2, 1.1, 1.0, 1.0, 0.9, 0.5, 0.3)])
    load = 150 * week
    staff = erlang_c(
        calls=np.maximum(load, 1e-9), aht=180, interval=1800, target_sl=0.8, answer_time=20
    ).raw_agents
    staff = np.where(load > 0, staff, 0)
    result, seconds = timed(
        calls=load, aht=180, agents=staff, interval=1800, answer_time=20, patience=180,
        replications=reps, seed=args.seed,
    )  # fmt: skip
    calls = float(load.sum()) * reps
    print(
        f"(c) week with a profile ({load.sum():,.0f} calls, staffing changing every half hour "
        f"for 80/20 by Erlang C), patience 180 s, {reps} replications: {seconds:.2f} s "
        f"({calls / seconds / 1e6:.2f} M calls/s)"
    )
    show(result, None)
    sl = result.service_level.mean
    open_ = np.isfinite(sl)
    print(f"    intervals open {open_.sum()}, below 80% SL (mean): {(sl[open_] < 0.8).sum()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

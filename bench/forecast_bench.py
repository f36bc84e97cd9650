"""Forecast accuracy: callpulse.wfm.forecast_series on a realistic synthetic call series.

    .venv/bin/python bench/forecast_bench.py [--weeks 26] [--origins 6] [--horizon 14] [--seed 7]
        [--peak 60] [--day-cv 0.15]

The series (half-hour intervals) is a doubly stochastic Poisson process: the expected rate is a
weekly profile (Monday busiest, Saturday short hours, Sunday closed) times an intraday profile
(morning and afternoon peaks; closed at night, so nights have no rows) times a slow trend, and
each day draws a multiplier from a gamma distribution (mean 1, CV ``--day-cv``) that scales the
whole day (``--peak`` expected calls in the busiest half hour of an average weekday);
calls are Poisson around that. A few special days (holidays: a third of the volume on short hours)
are marked, in the history and in the weeks forecast.

Rolling-origin backtest: from ``--origins`` origins a week apart at the end of the series, each
method forecasts the next ``--horizon`` days from the history before the origin (which it has to
choose from by its own inner backtest), and the pooled WAPE (sum |actual - forecast| over sum
actual, over the open intervals) is printed for each method, for the chosen method, and for an
oracle that forecasts the true expected rate (it knows the profiles, the trend and the holidays
but not the day's multiplier nor the Poisson noise). Goal: chosen WAPE <= 1.10 x oracle WAPE.

pyworkforce has no forecaster (it covers queueing, staffing and rostering only), so there is no
peer to run beside ours here.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callpulse.wfm.forecast import METHODS, forecast_series  # noqa: E402

SLOTS = 48
WEEKLY = np.array([1.15, 1.05, 1.0, 1.0, 0.95, 0.45, 0.0])  # Monday .. Sunday
PEAK = 60.0  # expected calls in the busiest half hour of an average weekday
DAY_CV = 0.15
GOAL = 1.10


def intraday(weekday: int) -> np.ndarray:
    """Expected share shape over the 48 half hours (0 when closed)."""
    hours = (np.arange(SLOTS) + 0.5) / 2
    shape = np.exp(-(((hours - 10.5) / 1.8) ** 2)) + 0.8 * np.exp(-(((hours - 15.0) / 2.2) ** 2))
    opens, closes = (9.0, 17.0) if weekday == 5 else (8.0, 20.0)
    shape = np.where((hours > opens) & (hours < closes), shape + 0.1, 0.0)
    return np.asarray(shape / shape.max(), dtype=np.float64)


def build_series(
    weeks: int, extra_days: int, seed: int, peak: float = PEAK, day_cv: float = DAY_CV
) -> tuple[datetime, np.ndarray, np.ndarray, set[date]]:
    """Start, expected rate and simulated calls (days x 48), and the special days."""
    rng = np.random.default_rng(seed)
    start = datetime(2025, 1, 6)  # a Monday  # noqa: DTZ001
    days = weeks * 7 + extra_days
    rate = np.zeros((days, SLOTS))
    special: set[date] = set()
    holiday_shape = np.where(
        (np.arange(SLOTS) >= 20) & (np.arange(SLOTS) < 32), intraday(0), 0.0
    )  # 10:00-16:00
    for d in range(days):
        day = (start + timedelta(days=d)).date()
        weekday = day.weekday()
        trend = 1.0 + 0.15 * d / days
        rate[d] = peak * WEEKLY[weekday] * trend * intraday(weekday)
        # Holidays: every 5th week on Wednesday, and the 3rd Monday of every 8 weeks.
        if (weekday == 2 and (d // 7) % 5 == 3) or (weekday == 0 and (d // 7) % 8 == 5):
            special.add(day)
            rate[d] = peak * WEEKLY[0] * trend * holiday_shape / 3
    shape = 1.0 / day_cv**2
    multiplier = rng.gamma(shape, 1.0 / shape, size=days)
    calls = rng.poisson(rate * multiplier[:, None]).astype(np.float64)
    return start, rate, calls, special


def rows_of(
    start: datetime, rate: np.ndarray, calls: np.ndarray, first: int, last: int
) -> list[tuple[datetime, float]]:
    """History rows for days [first, last): only the open intervals (closed ones have no row)."""
    out = []
    for d in range(first, last):
        for s in np.flatnonzero(rate[d] > 0):
            out.append((start + timedelta(days=d, minutes=30 * int(s)), float(calls[d, s])))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weeks", type=int, default=26, help="weeks of history (26)")
    parser.add_argument("--origins", type=int, default=6, help="backtest origins (6)")
    parser.add_argument("--horizon", type=int, default=14, help="days forecast per origin (14)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
    parser.add_argument("--peak", type=float, default=PEAK, help=f"busiest half hour ({PEAK:g})")
    parser.add_argument("--day-cv", type=float, default=DAY_CV, help=f"day CV ({DAY_CV:g})")
    args = parser.parse_args()

    extra = (args.origins - 1) * 7 + args.horizon
    start, rate, calls, special = build_series(args.weeks, extra, args.seed, args.peak, args.day_cv)
    names = [*METHODS, "chosen", "oracle"]
    err = dict.fromkeys(names, 0.0)
    err_regular = dict.fromkeys(names, 0.0)
    actual_total = actual_regular = 0.0
    chosen_names: list[str] = []
    seconds: list[float] = []
    for j in range(args.origins):
        origin = args.weeks * 7 + j * 7
        history = rows_of(start, rate, calls, 0, origin)
        window = range(origin, origin + args.horizon)
        at = [start + timedelta(days=d, minutes=30 * s) for d in window for s in range(SLOTS)]
        truth = calls[origin : origin + args.horizon].ravel()
        regular = np.repeat(
            [(start + timedelta(days=d)).date() not in special for d in window], SLOTS
        )
        t0 = time.perf_counter()
        result = forecast_series(history, at, special_days=special)
        seconds.append(time.perf_counter() - t0)
        chosen_names.append(result.method)
        predictions = {"chosen": result.values, "oracle": rate[origin : origin + args.horizon]}
        for name in METHODS:
            predictions[name] = forecast_series(
                history, at, special_days=special, methods=[name]
            ).values
        for name, values in predictions.items():
            diff = np.abs(truth - np.ravel(values))
            err[name] += float(diff.sum())
            err_regular[name] += float(diff[regular].sum())
        actual_total += float(truth.sum())
        actual_regular += float(truth[regular].sum())

    n_hist = len(rows_of(start, rate, calls, 0, args.weeks * 7))
    print(
        f"series: {args.weeks} weeks of half-hour history ({n_hist} rows, nights and Sundays "
        f"without rows), peak {args.peak:g} calls/half hour, day multiplier gamma CV "
        f"{args.day_cv:.0%}, {len(special)} special days"
    )
    print(
        f"backtest: {args.origins} origins a week apart, {args.horizon}-day horizon, "
        f"pooled WAPE over {args.origins * args.horizon} forecast days"
    )
    print("pyworkforce: no forecaster (queueing, staffing and rostering only): no peer figures")
    print()
    header = f"{'method':<18}{'WAPE all days':>16}{'regular days':>16}{'vs oracle':>12}"
    print(header)
    print("-" * len(header))
    oracle = err["oracle"] / actual_total
    for name in names:
        wape = err[name] / actual_total
        wape_regular = err_regular[name] / actual_regular
        print(f"{name:<18}{wape:>16.4f}{wape_regular:>16.4f}{wape / oracle:>11.3f}x")
    print()
    chosen_ratio = err["chosen"] / err["oracle"]
    print(f"methods chosen per origin: {', '.join(chosen_names)}")
    print(
        f"time per forecast_series call (all methods, inner backtest, {args.horizon * SLOTS} "
        f"starts): mean {np.mean(seconds) * 1e3:.0f} ms, max {np.max(seconds) * 1e3:.0f} ms"
    )
    verdict = "met" if chosen_ratio <= GOAL else "NOT met"
    print(f"goal chosen <= {GOAL:.2f} x oracle: {chosen_ratio:.3f} -> {verdict}")
    return 0 if chosen_ratio <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())

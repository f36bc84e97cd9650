"""The forecasting methods behind :func:`callpulse.wfm.forecast.forecast_series` (internal).

Every method sees the history as a matrix ``y`` of shape ``(days, slots)`` (one row per day — or
per period for data coarser than a day — one column per interval of the day), with NaN where
nothing is known (special days, before the first and after the last row), and weights ``w`` of
the same shape (1 for a known cell when forecasting arrivals; the calls of the interval when
forecasting AHT; 0 where ``y`` is NaN). ``kind`` says how a day aggregates: ``"sum"`` (arrivals:
the daily total) or ``"mean"`` (AHT: the call-weighted daily mean). ``period`` is the number of
rows in a season (7 for a week of days, 1 when rows are weeks or longer).

A method returns the forecast matrix for the ``horizon`` rows that follow the history, NaN where
it has nothing to say (the caller falls back to long-run means), or ``None`` when the history is
too short for it to run at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np

from callpulse.wfm._arrays import BoolArray, FloatArray

Kind = Literal["sum", "mean"]
Method = Callable[[FloatArray, FloatArray, Kind, int, int], FloatArray | None]

SLOT_MEAN_K = 4
"""``slot_mean`` averages the last k same weekday-slots."""
PROFILE_DAYS = 8
"""The intraday profile of ``holt_winters`` comes from the last few same-weekday days."""
SEASONAL_ALPHA = 0.15
"""``mstl``: the weight of the newest cycle in the seasonal components' smoothing across cycles."""


def _phase_rows(rows: int, period: int) -> list[np.ndarray]:
    return [np.arange(p, rows, period) for p in range(period)]


def _target_phases(history_rows: int, horizon: int, period: int) -> np.ndarray:
    return (history_rows + np.arange(horizon)) % period


def _weighted_mean(values: FloatArray, weights: FloatArray, axis: int = 0) -> FloatArray:
    """Weighted mean along ``axis``; NaN where the weights sum to 0 (no warnings)."""
    total = weights.sum(axis=axis)
    num = np.where(weights > 0, values, 0.0) * weights
    out = np.full(total.shape, np.nan)
    np.divide(num.sum(axis=axis), total, out=out, where=total > 0)
    return out


# --------------------------------------------------------------------------- seasonal naive


def seasonal_naive(
    y: FloatArray, w: FloatArray, kind: Kind, period: int, horizon: int
) -> FloatArray | None:
    """The last known value of the same weekday and slot (last week's, as a rule)."""
    rows, slots = y.shape
    last = np.full((period, slots), np.nan)
    for p, idx in enumerate(_phase_rows(rows, period)):
        if idx.size == 0:
            continue
        known = w[idx] > 0
        rev = known[::-1]
        first = np.argmax(rev, axis=0)
        has = rev.any(axis=0)
        pick = idx[::-1][first]
        last[p] = np.where(has, y[pick, np.arange(slots)], np.nan)
    if not np.isfinite(last).any():
        return None
    return last[_target_phases(rows, horizon, period)]


# --------------------------------------------------------------------------- slot mean


def recent_slot_mean(
    y: FloatArray, w: FloatArray, period: int, k: int
) -> tuple[FloatArray, FloatArray]:
    """Per (phase, slot): the weighted mean of the last ``k`` known values, and the weight used."""
    rows, slots = y.shape
    mean = np.full((period, slots), np.nan)
    weight = np.zeros((period, slots))
    for p, idx in enumerate(_phase_rows(rows, period)):
        if idx.size == 0:
            continue
        known = w[idx] > 0
        rank = np.cumsum(known[::-1], axis=0)[::-1]  # 1 = the most recent known value
        use = known & (rank <= k)
        ww = np.where(use, w[idx], 0.0)
        mean[p] = _weighted_mean(y[idx], ww)
        weight[p] = ww.sum(axis=0)
    return mean, weight


def slot_mean(
    y: FloatArray, w: FloatArray, kind: Kind, period: int, horizon: int
) -> FloatArray | None:
    """The mean of the last k same weekday-slots (k = :data:`SLOT_MEAN_K`)."""
    mean, _ = recent_slot_mean(y, w, period, SLOT_MEAN_K)
    if not np.isfinite(mean).any():
        return None
    return mean[_target_phases(y.shape[0], horizon, period)]


# --------------------------------------------------------------------------- Holt-Winters


def _daily(y: FloatArray, w: FloatArray, kind: Kind) -> FloatArray:
    """The daily aggregate: the total (NaN unless the whole day is known) or the weighted mean."""
    if kind == "sum":
        full = np.all(w > 0, axis=1)
        total = np.where(w > 0, y, 0.0).sum(axis=1)
        return np.where(full, total, np.nan)
    return _weighted_mean(y, w, axis=1)


def _hw_run(
    params: tuple[float, float, float, float],
    series: list[float],
    period: int,
    level: float,
    season: list[float],
) -> tuple[float, float, float, list[float]]:
    """Additive Holt-Winters with a damped trend, in error-correction form: SSE and end state.

    Unknown days (NaN) carry the state forward without an update."""
    alpha, beta, gamma, phi = params
    trend = 0.0
    season = list(season)
    sse = 0.0
    for t, value in enumerate(series):
        p = t % period
        expected = level + phi * trend + season[p]
        if value != value:  # NaN: no observation
            level += phi * trend
            trend *= phi
            continue
        error = value - expected
        sse += error * error
        level = level + phi * trend + alpha * error
        trend = phi * trend + alpha * beta * error
        season[p] += gamma * error
    return sse, level, trend, season


def holt(series: FloatArray, period: int, horizon: int) -> FloatArray | None:
    """Holt-Winters (additive season of ``period``, damped additive trend) fitted by least squares
    on one-step errors; the forecast of the next ``horizon`` values. ``None`` below two seasons."""
    from scipy.optimize import minimize  # type: ignore[import-untyped]  # slow import: on use

    n = series.size
    valid = np.isfinite(series)
    if n < 2 * period or valid.sum() < period + 2:
        return None
    head = series[: 2 * period] if period > 1 else series[: min(n, 7)]
    level0 = float(np.mean(head[np.isfinite(head)])) if np.isfinite(head).any() else 0.0
    season0 = [0.0] * period
    if period > 1:
        for p in range(period):
            vals = series[p : 2 * period : period]
            vals = vals[np.isfinite(vals)]
            season0[p] = float(vals.mean()) - level0 if vals.size else 0.0
    data = [float(v) for v in series]
    scale = float(np.mean(np.abs(series[valid])))
    norm = max(scale * scale * n, 1e-300)  # SSE per squared mean level: tolerances fit any scale

    def objective(x: FloatArray) -> float:
        params = (float(x[0]), float(x[1]), float(x[2]), float(x[3]))
        return _hw_run(params, data, period, level0, season0)[0] / norm

    bounds = [(0.01, 0.99), (0.0, 0.5), (0.0, 0.6 if period > 1 else 0.0), (0.8, 0.98)]
    best: tuple[float, float, float, float] | None = None
    best_value = math.inf
    for start in ((0.1, 0.05, 0.1, 0.95), (0.5, 0.1, 0.2, 0.9)):
        x0 = np.array([min(max(s, lo), hi) for s, (lo, hi) in zip(start, bounds, strict=True)])
        fit = minimize(
            objective,
            x0,
            method="Nelder-Mead",
            bounds=bounds,
            options={"xatol": 1e-3, "fatol": 1e-7, "maxfev": 300},
        )
        if float(fit.fun) < best_value:
            best_value = float(fit.fun)
            best = (float(fit.x[0]), float(fit.x[1]), float(fit.x[2]), float(fit.x[3]))
    assert best is not None
    _, level, trend, season = _hw_run(best, data, period, level0, season0)
    phi = best[3]
    steps = np.arange(1, horizon + 1)
    damp = phi * (1 - phi**steps) / (1 - phi)
    phases = (n + steps - 1) % period
    return np.asarray(level + damp * trend + np.array(season)[phases], dtype=np.float64)


def _profile(
    y: FloatArray, w: FloatArray, daily: FloatArray, kind: Kind, period: int
) -> FloatArray:
    """Per (phase, slot): the share of the daily total (``sum``) or the ratio to the daily mean
    (``mean``), from the last :data:`PROFILE_DAYS` usable days of that phase."""
    rows, slots = y.shape
    prof = np.full((period, slots), np.nan)
    usable = np.isfinite(daily) & (daily > 0)
    for p, idx in enumerate(_phase_rows(rows, period)):
        idx = idx[usable[idx]][-PROFILE_DAYS:]
        if idx.size == 0:
            continue
        if kind == "sum":
            prof[p] = np.where(w[idx] > 0, y[idx], 0.0).sum(axis=0) / daily[idx].sum()
        else:
            prof[p] = _weighted_mean(y[idx] / daily[idx, None], w[idx])
    return prof


def holt_winters(
    y: FloatArray, w: FloatArray, kind: Kind, period: int, horizon: int
) -> FloatArray | None:
    """Holt-Winters on the daily totals (weekly season, damped trend) times the intraday profile
    of the same weekday."""
    rows = y.shape[0]
    daily = _daily(y, w, kind)
    level = holt(daily, period, horizon)
    if level is None:
        return None
    prof = _profile(y, w, daily, kind, period)
    phases = _target_phases(rows, horizon, period)
    closed = np.zeros(period, dtype=bool)
    for p, idx in enumerate(_phase_rows(rows, period)):  # days of this weekday are all closed
        vals = daily[idx][np.isfinite(daily[idx])][-PROFILE_DAYS:]
        closed[p] = kind == "sum" and vals.size > 0 and bool(np.all(vals == 0))
    out = np.maximum(level, 0.0)[:, None] * prof[phases]
    out[closed[phases]] = 0.0
    return np.asarray(out, dtype=np.float64)


# --------------------------------------------------------------------------- MSTL


def _centered_mean(values: FloatArray, window: int) -> FloatArray:
    """Centered moving mean with shrinking windows at the ends."""
    if window <= 1:
        return values.copy()
    half = window // 2
    padded_sum = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(values.size)
    lo = np.maximum(idx - half, 0)
    hi = np.minimum(idx + half + 1, values.size)
    return np.asarray((padded_sum[hi] - padded_sum[lo]) / (hi - lo), dtype=np.float64)


def decompose(
    y: FloatArray, w: FloatArray, period: int, iterations: int = 4
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Additive multi-seasonal decomposition of the interval series (MSTL in spirit):
    ``y = trend + daily + weekly + remainder``.

    The trend is a centered weekly moving mean of the deseasonalised daily means; the seasonal
    components come from smoothing each (weekday, slot) subseries across cycles (exponential
    weights, :data:`SEASONAL_ALPHA`), then splitting the weekly pattern into its mean over the
    weekdays (the daily seasonality) and the weekday deviations (the weekly seasonality).
    Unknown cells are filled with their long-run (weekday, slot) mean before decomposing.
    Returns ``(trend per row, daily (slots,), weekly (period, slots), filled series)``."""
    rows, slots = y.shape
    long_run, _ = recent_slot_mean(y, w, period, rows)
    fill = np.where(np.isfinite(long_run), long_run, 0.0)
    x = np.where(w > 0, y, fill[np.arange(rows) % period])
    season = np.zeros((rows, slots))
    last = np.zeros((period, slots))
    trend = np.zeros(rows)
    for _ in range(iterations):
        trend = _centered_mean((x - season).mean(axis=1), period)
        detrended = x - trend[:, None]
        for p, idx in enumerate(_phase_rows(rows, period)):
            if idx.size == 0:
                continue
            state = detrended[idx].mean(axis=0)  # start from the mean cycle, not the first
            for j, row in enumerate(idx):
                if j:
                    state += SEASONAL_ALPHA * (detrended[row] - state)
                season[row] = state
            last[p] = state
        centre = float(last.mean())  # the level belongs to the trend
        season -= centre
        last -= centre
    daily = last.mean(axis=0)
    weekly = last - daily
    return trend, daily, weekly, x


def mstl(y: FloatArray, w: FloatArray, kind: Kind, period: int, horizon: int) -> FloatArray | None:
    """Multi-seasonal decomposition; the deseasonalised daily level forecast by damped Holt, plus
    the latest daily and weekly seasonal components."""
    rows = y.shape[0]
    if rows < 2 * period or not (w > 0).any():
        return None
    trend, daily, weekly, x = decompose(y, w, period)
    seasonal_last = daily + weekly  # (period, slots)
    season_rows = seasonal_last[np.arange(rows) % period]
    level_series = (x - season_rows).mean(axis=1)
    # Unknown days were filled; let Holt skip those that had nothing known at all.
    level_series = np.where((w > 0).any(axis=1), level_series, np.nan)
    level = holt(level_series, 1, horizon)
    if level is None:
        level = np.full(horizon, float(trend[-1]))
    phases = _target_phases(rows, horizon, period)
    return np.asarray(level[:, None] + seasonal_last[phases], dtype=np.float64)


METHOD_FUNCTIONS: dict[str, Method] = {
    "seasonal_naive": seasonal_naive,
    "slot_mean": slot_mean,
    "holt_winters": holt_winters,
    "mstl": mstl,
}


def open_mask(present: BoolArray, period: int) -> BoolArray:
    """Per (phase, slot): was the slot ever seen open (a row, or calls for AHT) in the history?"""
    rows, slots = present.shape
    mask = np.zeros((period, slots), dtype=bool)
    for p, idx in enumerate(_phase_rows(rows, period)):
        if idx.size:
            mask[p] = present[idx].any(axis=0)
    return mask

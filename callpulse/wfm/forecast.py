"""Forecasts of arrivals (or AHT) per interval, the method chosen by rolling-origin backtest.

The history is a list of ``(interval start, value)``; the interval length is inferred (the
greatest common step of the starts), and seasonality is read on the local wall clock of each start
(its own offset when tz-aware): one row per day, one column per interval of the day, a weekly
season of 7 days. Intervals with no row are closed (nights, weekends, closed hours): they count as
0 calls, and a slot never seen open in the history (on ordinary days) forecasts 0. For AHT
(``weights`` = the calls of each interval) a missing row says nothing and every mean is weighted
by calls.

Methods (:data:`METHODS`):

``seasonal_naive``
    the value of the same weekday and slot in the last week with data;
``slot_mean``
    the mean of the last 4 same weekday-slots;
``holt_winters``
    Holt-Winters on the daily totals (weekly season, damped trend, smoothing constants fitted by
    least squares) times the intraday profile of the same weekday over its last 8 occurrences;
``mstl``
    a multi-seasonal decomposition of the interval series (trend, daily and weekly seasonal
    components smoothed across cycles), the deseasonalised level forecast by damped Holt.

The choice: each method forecasts from up to 4 origins a week apart at the end of the history
(for horizons under a week: up to 8 back-to-back windows), over the requested horizon (capped at
28 days), and the method with the least pooled WAPE (sum of absolute errors over the sum of
actuals, weighted by calls for AHT) wins.

Special days (holidays the planner marks) are left out of the fitting and of the backtest. A
special day to forecast gets the regular forecast of its date scaled by the ratio the special days
in the history had to their regular weeks, with their own intraday profile; without special days
in the history it keeps the regular forecast (``Forecast.special`` flags those starts either way).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo

import numpy as np

from callpulse.wfm import _forecast_methods as fm
from callpulse.wfm._arrays import BoolArray, FloatArray, IntArray
from callpulse.wfm.errors import InvalidParameterError

__all__ = ["METHODS", "Forecast", "forecast_series"]

METHODS: tuple[str, ...] = ("seasonal_naive", "slot_mean", "holt_winters", "mstl")
BACKTEST_ORIGINS = 4
BACKTEST_STEP_DAYS = 7
BACKTEST_MAX_HORIZON_DAYS = 28
MAX_SEASONS = 53
"""Methods fit on the last 53 weeks at most (older data is slow to fit and rarely relevant)."""
DAY = 86_400
_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - wall-clock arithmetic on naive datetimes
_DEFAULT = "slot_mean"  # when the history is too short for any backtest


@dataclass(frozen=True)
class Forecast:
    """A forecast for the requested interval starts."""

    starts: tuple[datetime, ...]
    """The requested interval starts, in the order given."""
    values: FloatArray
    """The forecast (>= 0), one per start."""
    method: str
    """The method chosen by rolling-origin backtest."""
    wape: dict[str, float]
    """Backtest WAPE of every method tried (NaN if it could not run)."""
    special: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """True for starts on a special day (see the module docstring for how they are forecast)."""
    interval: float = 0.0
    """The interval length inferred from the history, seconds."""


# --------------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class _Grid:
    """How wall-clock seconds map to (row, slot)."""

    step: int  # interval, seconds
    row_seconds: int  # a day, or the step when coarser than a day
    origin: int  # wall seconds of row 0, slot 0
    slots: int
    period: int  # rows per season (phases count from row 0, whatever its weekday)

    def locate(self, seconds: IntArray) -> tuple[IntArray, IntArray]:
        offset = seconds - self.origin
        return offset // self.row_seconds, (offset % self.row_seconds) // self.step


def _local_clock(history: Sequence[datetime]) -> tzinfo | None:
    """The time zone whose wall clock the history is on, when it has one: the history's own
    tzinfo if every start shares it, or its one UTC offset. ``None`` for naive starts and for
    starts whose offsets vary without a shared zone (a CSV across a daylight-saving change):
    then each start is read on its own offset."""
    if history[0].utcoffset() is None:
        return None
    zones = {moment.tzinfo for moment in history}
    if len(zones) == 1:
        return history[0].tzinfo
    offsets = {moment.utcoffset() for moment in history}
    if len(offsets) == 1:
        offset = history[0].utcoffset()
        assert offset is not None
        return timezone(offset)
    return None


def _wall_seconds(moment: datetime) -> int:
    delta = moment.replace(tzinfo=None) - _EPOCH
    return delta.days * DAY + delta.seconds


def _check_times(
    name: str, times: Sequence[datetime], aware: bool | None, like: str = "the first start"
) -> bool:
    for i, moment in enumerate(times):
        if not isinstance(moment, datetime):
            raise InvalidParameterError(name, "a datetime", moment, i)
        this = moment.utcoffset() is not None
        if aware is None:
            aware = this
        elif this != aware:
            kind = "timezone-aware" if aware else "naive"
            raise InvalidParameterError(
                name, f"{kind} throughout, like {like}", moment.isoformat(), i
            )
    return bool(aware)


def _grid(seconds: IntArray) -> _Grid:
    unique = np.unique(seconds)
    if unique.size < 2:
        raise InvalidParameterError("history", "at least two distinct interval starts")
    step = int(np.gcd.reduce(np.diff(unique)))
    if step < DAY:
        step = math.gcd(step, DAY)
        row_seconds, period = DAY, 7
        first = int(unique[0])
        origin = first - (first % DAY) + (first % DAY) % step
    elif step == DAY:
        row_seconds, period, origin = DAY, 7, int(unique[0])
    else:
        row_seconds, period, origin = step, 1, int(unique[0])
    return _Grid(
        step=step,
        row_seconds=row_seconds,
        origin=origin,
        slots=row_seconds // step,
        period=period,
    )


# --------------------------------------------------------------------------- the pipeline


@dataclass(frozen=True)
class _Data:
    y: FloatArray  # (rows, slots), NaN unknown or special
    w: FloatArray  # weights, 0 where y is NaN
    present: BoolArray  # seen open (a row; calls for AHT), ordinary days only
    special_rows: BoolArray  # (rows,)
    raw_y: FloatArray  # y including special days (NaN unknown)
    raw_w: FloatArray
    kind: fm.Kind


def _predict(method: str, data: _Data, rows: int, horizon: int, grid: _Grid) -> FloatArray | None:
    """Forecast the ``horizon`` rows after the first ``rows`` rows of ``data`` with ``method``:
    NaN cells fall back to long-run slot means, never-open slots are 0, nothing negative."""
    # The last MAX_SEASONS seasons at most, starting on a whole season so that phases (counted
    # from row 0, whatever its weekday) stay aligned.
    first = max(0, -(-(rows - MAX_SEASONS * grid.period) // grid.period) * grid.period)
    y, w = data.y[first:rows], data.w[first:rows]
    out = fm.METHOD_FUNCTIONS[method](y, w, data.kind, grid.period, horizon)
    if out is None:
        return None
    rel_phase = np.arange(rows, rows + horizon) % grid.period
    long_run, _ = fm.recent_slot_mean(y, w, grid.period, rows)
    fallback = long_run[rel_phase]
    any_day = fm._weighted_mean(y, w)  # per slot, every weekday
    overall = fm._weighted_mean(y.ravel(), w.ravel())
    out = np.where(np.isfinite(out), out, fallback)
    out = np.where(np.isfinite(out), out, any_day[None, :])
    out = np.where(np.isfinite(out), out, float(overall) if np.isfinite(overall) else 0.0)
    opened = fm.open_mask(data.present[first:rows], grid.period)
    out = np.where(opened[rel_phase], np.maximum(out, 0.0), 0.0)
    return np.asarray(out, dtype=np.float64)


def _wape(actual: FloatArray, weight: FloatArray, predicted: FloatArray) -> tuple[float, float]:
    ok = weight > 0
    err = float(np.sum(weight[ok] * np.abs(actual[ok] - predicted[ok])))
    return err, float(np.sum(weight[ok] * np.abs(actual[ok])))


def _backtest(
    data: _Data, rows: int, horizon: int, grid: _Grid, methods: Sequence[str]
) -> dict[str, float]:
    """Pooled WAPE of each method over rolling origins at the end of the first ``rows`` rows."""
    cap = BACKTEST_MAX_HORIZON_DAYS if grid.period == 7 else 8
    min_train = 2 * grid.period if rows >= 2 * grid.period + 1 else max(1, grid.period)
    h = min(horizon, cap, rows - min_train)
    if h < 1:
        return {name: math.nan for name in methods}
    if grid.period == 7 and h >= BACKTEST_STEP_DAYS:
        step, count = BACKTEST_STEP_DAYS, BACKTEST_ORIGINS
    else:  # short horizons: back-to-back windows, so that every weekday is tested
        step, count = h, min(2 * BACKTEST_ORIGINS, -(-BACKTEST_MAX_HORIZON_DAYS // h))
    origins = [rows - h - j * step for j in range(count)]
    origins = [o for o in origins if o >= min_train]
    result: dict[str, float] = {}
    for name in methods:
        err = den = 0.0
        ran = True
        for origin in origins:
            predicted = _predict(name, data, origin, h, grid)
            if predicted is None:
                ran = False
                break
            e, d = _wape(data.y[origin : origin + h], data.w[origin : origin + h], predicted)
            err, den = err + e, den + d
        result[name] = err / den if ran and den > 0 else math.nan
    return result


def _special_adjust(
    data: _Data, rows: int, regular: FloatArray, targets: IntArray, grid: _Grid
) -> FloatArray:
    """Scale the regular forecast of future special rows ``targets`` (indices into ``regular``)
    by what the special days of the history did."""
    hist = np.flatnonzero(data.special_rows[:rows])
    known = data.raw_w[hist] > 0
    hist = hist[known.any(axis=1)] if hist.size else hist
    if hist.size == 0 or targets.size == 0:
        return regular
    y, w = data.y[:rows], data.w[:rows]
    ratios = []
    for row in hist:
        same = np.arange(row - 3 * grid.period, row + 3 * grid.period + 1, grid.period)
        same = same[(same >= 0) & (same < rows) & (same != row)]
        base = fm._weighted_mean(y[same], w[same]) if same.size else np.full(grid.slots, np.nan)
        raw, rw = data.raw_y[row], data.raw_w[row]
        if data.kind == "sum":
            base_total = float(np.nansum(np.where(rw > 0, base, 0.0)))
            actual = float(np.sum(np.where(rw > 0, raw, 0.0)))
        else:
            ok = (rw > 0) & np.isfinite(base)
            base_total = float(np.sum(rw[ok] * base[ok]))
            actual = float(np.sum(rw[ok] * raw[ok]))
        if base_total > 0:
            ratios.append(actual / base_total)
    ratio = float(np.median(ratios)) if ratios else 1.0
    out = regular.copy()
    if data.kind == "sum":
        ry = np.where(data.raw_w[hist] > 0, data.raw_y[hist], 0.0)
        totals = ry.sum(axis=1)
        shape = ry.sum(axis=0) / totals.sum() if totals.sum() > 0 else None
        for t in targets:
            total = float(regular[t].sum())
            level = total * ratio if total > 0 else float(totals.mean())
            out[t] = level * shape if shape is not None else regular[t] * ratio
    else:
        out[targets] = regular[targets] * ratio
    return out


def _as_values(name: str, values: Sequence[float], size: int) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(name, "a sequence of numbers") from exc
    if arr.shape != (size,):
        raise InvalidParameterError(name, f"one number per history row ({size})", arr.shape)
    bad = ~(np.isfinite(arr) & (arr >= 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(name, "a finite number >= 0", float(arr[i]), i)
    return arr


def forecast_series(
    history: Sequence[tuple[datetime, float]],
    at: Sequence[datetime],
    *,
    special_days: Collection[date] = (),
    methods: Sequence[str] | None = None,
    weights: Sequence[float] | None = None,
) -> Forecast:
    """Forecast the value of each interval starting at ``at`` from ``history``.

    ``history``: ``(interval start, value)`` pairs, all tz-aware or all naive, any interval length
    (inferred), gaps meaning closed. ``weights``: the calls of each history row, for forecasting
    AHT (weighted means, calls-weighted WAPE; rows without calls carry no information).
    ``methods``: a subset of :data:`METHODS` to try (all by default). Raises
    :class:`~callpulse.wfm.errors.InvalidParameterError` naming ``history``, ``at``,
    ``special_days``, ``methods`` or ``weights`` (with the index of the bad element)."""
    chosen = list(METHODS if methods is None else methods)
    if not chosen:
        raise InvalidParameterError("methods", f"a non-empty subset of {', '.join(METHODS)}")
    for name in chosen:
        if name not in METHODS:
            raise InvalidParameterError("methods", f"one of {', '.join(METHODS)}", name)
    history = list(history)
    at = list(at)
    if len(history) < 2:
        raise InvalidParameterError("history", "at least two intervals", len(history))
    starts: list[datetime] = []
    raw_values: list[float] = []
    for i, item in enumerate(history):
        try:
            start, value = item
        except (TypeError, ValueError):
            raise InvalidParameterError("history", "(start, value) pairs", item, i) from None
        starts.append(start)
        raw_values.append(value)
    aware = _check_times("history", starts, None)
    if at:
        _check_times("at", at, aware, "the history")
    values = _as_values("history", raw_values, len(history))
    kind: fm.Kind = "sum" if weights is None else "mean"
    wts = np.ones(len(history)) if weights is None else _as_values("weights", weights, len(history))
    specials = set()
    for i, day in enumerate(special_days):
        if not isinstance(day, date):
            raise InvalidParameterError("special_days", "dates", day, i)
        specials.add(day.date() if isinstance(day, datetime) else day)

    seen: dict[datetime, int] = {}
    for i, start in enumerate(starts):
        if start in seen:
            raise InvalidParameterError(
                "history", "one row per interval start (duplicate)", start.isoformat(), i
            )
        seen[start] = i
    sec = np.array([_wall_seconds(s) for s in starts], dtype=np.int64)
    grid = _grid(sec)
    row, col = grid.locate(sec)
    rows = int(row.max()) + 1

    # Requested starts on the history's wall clock (a forecast asked in UTC for a history kept
    # in local time still lines up with the local pattern).
    clock = _local_clock(starts)
    at_local = at if clock is None else [moment.astimezone(clock) for moment in at]
    at_sec = np.array([_wall_seconds(s) for s in at_local], dtype=np.int64)
    off_grid = (at_sec - grid.origin) % grid.step != 0
    if off_grid.any():
        i = int(np.flatnonzero(off_grid)[0])
        raise InvalidParameterError(
            "at",
            f"interval starts on the history's grid ({grid.step} s intervals)",
            at[i].isoformat(),
            i,
        )
    at_row, at_col = grid.locate(at_sec)

    # Dense matrices; combine wall-clock duplicates (the hour repeated when clocks go back).
    total_w = np.zeros((rows, grid.slots))
    weighted = np.zeros((rows, grid.slots))
    present = np.zeros((rows, grid.slots), dtype=bool)
    np.add.at(present, (row, col), True)
    if kind == "sum":
        np.add.at(weighted, (row, col), values)
        y_full = weighted
    else:
        np.add.at(total_w, (row, col), wts)
        np.add.at(weighted, (row, col), wts * values)
        y_full = np.full((rows, grid.slots), np.nan)
        np.divide(weighted, total_w, out=y_full, where=total_w > 0)
        present = total_w > 0
    # Known cells: for arrivals, everything between the first and the last row (gaps are 0).
    flat = np.arange(rows * grid.slots).reshape(rows, grid.slots)
    first_cell = int(row.min() * grid.slots + col[row == row.min()].min())
    last_cell = int(row.max() * grid.slots + col[row == row.max()].max())
    in_span = (flat >= first_cell) & (flat <= last_cell)
    if kind == "sum":
        raw_w = in_span.astype(np.float64)
        raw_y = np.where(in_span, y_full, np.nan)
    else:
        raw_w = total_w
        raw_y = y_full
    row_dates = [
        (_EPOCH + timedelta(seconds=grid.origin + r * grid.row_seconds)).date() for r in range(rows)
    ]
    special_rows = np.array([d in specials for d in row_dates], dtype=bool)
    y = np.where(special_rows[:, None], np.nan, raw_y)
    w = np.where(special_rows[:, None] | ~np.isfinite(raw_y), 0.0, raw_w)
    y = np.where(w > 0, y, np.nan)
    data = _Data(
        y=y,
        w=w,
        present=present & ~special_rows[:, None],
        special_rows=special_rows,
        raw_y=raw_y,
        raw_w=raw_w,
        kind=kind,
    )

    # Targets at or before the end of the history take the next row of the same weekday.
    target = at_row.copy()
    past = target < rows
    target[past] = rows + (target[past] - rows) % grid.period
    horizon = int(target.max()) - rows + 1 if target.size else grid.period
    horizon = max(horizon, 1)

    wape = _backtest(data, rows, horizon, grid, chosen)
    finite = {name: value for name, value in wape.items() if math.isfinite(value)}
    if finite:
        method = min(finite, key=lambda name: (finite[name], chosen.index(name)))
        regular = _predict(method, data, rows, horizon, grid)
    else:
        method, regular = "", None
        for name in ([_DEFAULT] if _DEFAULT in chosen else []) + chosen:
            regular = _predict(name, data, rows, horizon, grid)
            if regular is not None:
                method = name
                break
    if regular is None:  # no method could run at all: cannot happen with two or more rows
        raise InvalidParameterError("history", "enough data for one of the chosen methods")

    at_dates = [s.date() for s in at_local]
    at_special = np.array([d in specials for d in at_dates], dtype=bool)
    special_targets = np.unique(target[at_special] - rows)
    adjusted = _special_adjust(data, rows, regular, special_targets.astype(np.int64), grid)
    out = regular[target - rows, at_col] if at else np.zeros(0)
    out[at_special] = adjusted[target[at_special] - rows, at_col[at_special]]
    return Forecast(
        starts=tuple(at),
        values=np.asarray(np.maximum(out, 0.0), dtype=np.float64),
        method=method,
        wape=wape,
        special=at_special,
        interval=float(grid.step),
    )

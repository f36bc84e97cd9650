"""Forecast: known patterns recovered, gaps, special days, AHT by weights, time zones, errors."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callpulse.wfm import FORECAST_METHODS, InvalidParameterError, forecast_series

MONDAY = datetime(2026, 1, 5)
SLOTS = 48


def pattern(day: int, slot: int) -> float:
    """A weekly x intraday pattern: open 08:00-18:00 weekdays, 09:00-13:00 Saturday, Sunday shut."""
    weekday = day % 7
    hours = slot / 2
    if weekday == 6 or not (8 <= hours < 18) or (weekday == 5 and not (9 <= hours < 13)):
        return 0.0
    level = (1.2, 1.0, 1.0, 0.9, 0.8, 0.5, 0.0)[weekday]
    return 40.0 * level * (1.0 + math.sin((hours - 8) / 10 * math.pi))


def is_open(day: int, slot: int) -> bool:
    return pattern(day, slot) > 0


def history_rows(
    days: int,
    value=pattern,  # type: ignore[no-untyped-def]
    start: datetime = MONDAY,
    minutes: int = 30,
) -> list[tuple[datetime, float]]:
    per_day = 1440 // minutes
    return [
        (start + timedelta(days=d, minutes=minutes * s), float(value(d, s * minutes // 30)))
        for d in range(days)
        for s in range(per_day)
        if is_open(d, s * minutes // 30)
    ]


def week_after(days: int, start: datetime = MONDAY, count: int = 7) -> list[datetime]:
    return [
        start + timedelta(days=d, minutes=30 * s)
        for d in range(days, days + count)
        for s in range(SLOTS)
    ]


def expected(at: list[datetime], start: datetime = MONDAY) -> np.ndarray:
    return np.array(
        [pattern((a - start).days, (a.hour * 60 + a.minute) // 30) for a in at], dtype=np.float64
    )


@pytest.mark.parametrize("method", FORECAST_METHODS)
def test_each_method_recovers_an_exact_weekly_pattern_and_closed_hours(method: str) -> None:
    history = history_rows(42)
    at = week_after(42, count=14)
    result = forecast_series(history, at, methods=[method])
    assert result.method == method
    assert result.interval == 1800
    np.testing.assert_allclose(result.values, expected(at), rtol=1e-3, atol=1e-6)
    assert result.wape[method] < 1e-3
    assert result.starts == tuple(at)


def test_noisy_series_chosen_by_backtest_and_close_to_the_truth() -> None:
    rng = np.random.default_rng(3)
    multiplier = rng.gamma(40, 1 / 40, size=70)
    noisy = {
        (d, s): float(rng.poisson(pattern(d, s) * multiplier[d]))
        for d in range(70)
        for s in range(SLOTS)
    }
    history = history_rows(63, value=lambda d, s: noisy[(d, s)])
    at = week_after(63)
    result = forecast_series(history, at)
    assert set(result.wape) == set(FORECAST_METHODS)
    assert all(math.isfinite(v) for v in result.wape.values())
    assert result.method == min(result.wape, key=lambda name: result.wape[name])
    truth = expected(at)
    assert np.abs(result.values - truth).sum() / truth.sum() < 0.08


def test_slots_never_seen_open_forecast_zero() -> None:
    rng = np.random.default_rng(5)
    history = history_rows(28, value=lambda d, s: rng.poisson(pattern(d, s)) + 1)
    at = week_after(28)
    result = forecast_series(history, at)
    closed = np.array([not is_open((a - MONDAY).days, (a.hour * 60 + a.minute) // 30) for a in at])
    assert closed.sum() > 0 and (~closed).sum() > 0
    assert np.all(result.values[closed] == 0)
    assert np.all(result.values[~closed] > 0)


def test_gap_days_inside_the_history_count_as_zero_calls() -> None:
    # Saturday opening stopped five weeks ago: no rows on Saturdays since then.
    history = [
        (t, v)
        for t, v in history_rows(42)
        if not (t.weekday() == 5 and t >= MONDAY + timedelta(days=7))
    ]
    at = week_after(42)
    result = forecast_series(history, at, methods=["slot_mean"])
    saturday = np.array([a.weekday() == 5 for a in at])
    assert np.all(result.values[saturday] == 0)


def test_special_days_are_left_out_of_fitting() -> None:
    holidays = {(MONDAY + timedelta(days=35)).date()}  # the last Monday of the history

    def value(d: int, s: int) -> float:
        day = (MONDAY + timedelta(days=d)).date()
        return pattern(d, s) * (0.2 if day in holidays else 1.0)

    history = history_rows(42, value=value)
    at = week_after(42)
    marked = forecast_series(history, at, special_days=holidays, methods=["seasonal_naive"])
    np.testing.assert_allclose(marked.values, expected(at), atol=1e-9)
    unmarked = forecast_series(history, at, methods=["seasonal_naive"])
    monday = np.array([a.weekday() == 0 for a in at])
    np.testing.assert_allclose(unmarked.values[monday], 0.2 * expected(at)[monday], atol=1e-9)
    assert not marked.special.any()


def test_future_special_day_follows_the_special_days_of_the_history() -> None:
    past = {(MONDAY + timedelta(days=d)).date() for d in (9, 23)}  # two Wednesdays at 30%

    def value(d: int, s: int) -> float:
        day = (MONDAY + timedelta(days=d)).date()
        return pattern(d, s) * (0.3 if day in past else 1.0)

    history = history_rows(42, value=value)
    future = (MONDAY + timedelta(days=44)).date()  # a Wednesday
    at = week_after(42)
    result = forecast_series(history, at, special_days=past | {future}, methods=["slot_mean"])
    on_future = np.array([a.date() == future for a in at])
    assert result.special.tolist() == on_future.tolist()
    truth = expected(at)
    np.testing.assert_allclose(result.values[on_future], 0.3 * truth[on_future], rtol=1e-9)
    np.testing.assert_allclose(result.values[~on_future], truth[~on_future], atol=1e-9)


def test_future_special_day_without_history_keeps_the_regular_forecast_flagged() -> None:
    history = history_rows(28)
    at = week_after(28)
    future = at[0].date()
    result = forecast_series(history, at, special_days={future}, methods=["slot_mean"])
    assert result.special.sum() == SLOTS
    np.testing.assert_allclose(result.values, expected(at), atol=1e-9)


def test_aht_is_forecast_by_weights() -> None:
    # AHT of a slot: 200 s in busy intervals, 100 s in quiet ones; the weighted mean follows calls.
    rows, weights = [], []
    for t, calls in history_rows(28):
        d = (t - MONDAY).days
        busy = d % 2 == 0
        rows.append((t, 200.0 if busy else 100.0))
        weights.append(3 * calls if busy else calls)
    # Intervals with no calls carry any junk AHT: it must not count.
    rows.append((MONDAY + timedelta(days=27, hours=23), 5000.0))
    weights.append(0.0)
    at = week_after(28)
    result = forecast_series(rows, at, weights=weights, methods=["slot_mean"])
    open_ = expected(at) > 0
    # the last 4 same weekdays alternate busy/quiet: (3*200 + 100) / 4 per pair = 175
    np.testing.assert_allclose(result.values[open_], 175.0, rtol=1e-9)
    assert np.all(result.values[~open_] == 0)
    unweighted = forecast_series(rows[:-1], at, methods=["slot_mean"])
    np.testing.assert_allclose(unweighted.values[open_], 150.0, rtol=1e-9)


@pytest.mark.parametrize("minutes", [15, 60])
def test_interval_length_is_inferred(minutes: int) -> None:
    history = history_rows(28, minutes=minutes, value=lambda d, s: 7.0 if is_open(d, s) else 0.0)
    at = [MONDAY + timedelta(days=28, hours=10, minutes=minutes * i) for i in range(4)]
    result = forecast_series(history, at)
    assert result.interval == minutes * 60
    np.testing.assert_allclose(result.values, 7.0, atol=1e-6)


def test_daily_history_uses_weekday_seasonality() -> None:
    history = [(MONDAY + timedelta(days=d), float(100 + 10 * (d % 7))) for d in range(35)]
    at = [MONDAY + timedelta(days=35 + d) for d in range(7)]
    result = forecast_series(history, at, methods=["seasonal_naive", "slot_mean"])
    assert result.interval == 86400
    np.testing.assert_allclose(result.values, [100 + 10 * d for d in range(7)])


def test_time_zone_wall_clock_across_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 2, tzinfo=berlin)  # Monday; clocks go forward on 29 March
    history = history_rows(28, start=start)
    at = [datetime(2026, 3, 30, 9, 0, tzinfo=berlin), datetime(2026, 3, 30, 7, 0, tzinfo=berlin)]
    result = forecast_series(history, at, methods=["seasonal_naive"])
    assert result.values[0] == pytest.approx(pattern(0, 18))  # 09:00 local, as before the change
    assert result.values[1] == 0.0  # 07:00 local is still closed
    # Asked in UTC, answered on the history's clock: 08:00 UTC on 30 March is 10:00 in Berlin.
    utc = forecast_series(history, [datetime(2026, 3, 30, 8, 0, tzinfo=ZoneInfo("UTC"))])
    assert utc.values[0] == pytest.approx(pattern(0, 20))


def test_fixed_offsets_from_a_csv_line_up_with_requests_in_another_offset() -> None:
    plus3 = timezone(timedelta(hours=3))
    history = history_rows(28, start=MONDAY.replace(tzinfo=plus3))
    at = [datetime(2026, 2, 2, 6, 0, tzinfo=UTC)]  # 09:00 at +03:00, a Monday
    result = forecast_series(history, at, methods=["seasonal_naive"])
    assert result.values[0] == pytest.approx(pattern(0, 18))


def test_order_duplicates_and_past_starts() -> None:
    history = history_rows(28)
    noon = MONDAY + timedelta(days=30, hours=12)
    past = MONDAY + timedelta(days=2, hours=12)  # a Wednesday inside the history
    result = forecast_series(history, [noon, noon, past], methods=["slot_mean"])
    assert result.starts == (noon, noon, past)
    assert result.values[0] == result.values[1] == result.values[2] == pytest.approx(pattern(2, 24))
    assert forecast_series(history, []).values.shape == (0,)


def test_short_history_still_forecasts() -> None:
    history = history_rows(9)
    at = week_after(9)
    result = forecast_series(history, at)
    assert math.isnan(result.wape["holt_winters"]) and math.isnan(result.wape["mstl"])
    assert result.method in ("seasonal_naive", "slot_mean")
    np.testing.assert_allclose(result.values, expected(at), atol=1e-9)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    level=st.floats(0.5, 500),
    opens=st.integers(0, 20),
    length=st.integers(2, 27),
    method=st.sampled_from(FORECAST_METHODS),
)
def test_property_constant_series_forecasts_its_level(
    level: float, opens: int, length: int, method: str
) -> None:
    slots = range(opens, min(opens + length, SLOTS))
    history = [
        (MONDAY + timedelta(days=d, minutes=30 * s), level) for d in range(21) for s in slots
    ]
    at = week_after(21, count=2)
    result = forecast_series(history, at, methods=[method])
    inside = np.array([(a.hour * 60 + a.minute) // 30 in slots for a in at])
    np.testing.assert_allclose(result.values[inside], level, rtol=1e-6)
    assert np.all(result.values[~inside] == 0)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(0, 1e4), min_size=30, max_size=80), st.integers(0, 2**32 - 1))
def test_property_forecasts_are_finite_and_non_negative(values: list[float], seed: int) -> None:
    rng = np.random.default_rng(seed)
    hours = np.sort(rng.choice(24 * 21, size=len(values), replace=False))
    history = [(MONDAY + timedelta(hours=int(h)), v) for h, v in zip(hours, values, strict=True)]
    at = [MONDAY + timedelta(days=21, hours=h) for h in range(48)]
    result = forecast_series(history, at)
    assert np.all(np.isfinite(result.values)) and np.all(result.values >= 0)
    assert result.method in FORECAST_METHODS


# --------------------------------------------------------------------------- errors


def test_errors_name_the_parameter_and_the_row() -> None:
    good = history_rows(14)
    at = week_after(14, count=1)
    with pytest.raises(InvalidParameterError, match="history") as exc:
        forecast_series(good[:1], at)
    assert exc.value.parameter == "history"
    bad = list(good)
    bad[5] = (bad[5][0], -1.0)
    with pytest.raises(InvalidParameterError) as exc:
        forecast_series(bad, at)
    assert (exc.value.parameter, exc.value.index) == ("history", 5)
    bad[5] = (bad[5][0], float("nan"))
    with pytest.raises(InvalidParameterError) as exc:
        forecast_series(bad, at)
    assert exc.value.index == 5
    with pytest.raises(InvalidParameterError) as exc:
        forecast_series([*good, good[3]], at)
    assert exc.value.parameter == "history" and "duplicate" in str(exc.value)
    aware = [(t.replace(tzinfo=ZoneInfo("UTC")), v) for t, v in good]
    aware[7] = good[7]
    with pytest.raises(InvalidParameterError) as exc:
        forecast_series(aware, at)
    assert (exc.value.parameter, exc.value.index) == ("history", 7)
    with pytest.raises(InvalidParameterError) as exc:
        forecast_series(good, [at[0].replace(tzinfo=ZoneInfo("UTC"))])
    assert exc.value.parameter == "at"
    with pytest.raises(InvalidParameterError) as exc:
        forecast_series(good, [at[0], at[0] + timedelta(minutes=10)])
    assert (exc.value.parameter, exc.value.index) == ("at", 1)
    with pytest.raises(InvalidParameterError) as exc:
        forecast_series(good, at, methods=["arima"])
    assert exc.value.parameter == "methods"
    with pytest.raises(InvalidParameterError) as exc:
        forecast_series(good, at, weights=[1.0] * 3)
    assert exc.value.parameter == "weights"
    with pytest.raises(InvalidParameterError) as exc:
        forecast_series(good, at, special_days=["2026-01-01"])  # type: ignore[list-item]
    assert exc.value.parameter == "special_days"
    assert isinstance(exc.value, ValueError)
    assert forecast_series(good, at, special_days=[date(2026, 1, 1)]).values.size == SLOTS

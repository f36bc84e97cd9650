"""Simulation: agrees with Erlang C / Erlang A, staffing changes, properties, errors, speed."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callpulse.wfm import (
    InvalidParameterError,
    erlang_a_performance,
    erlang_c_performance,
    simulate,
)


def covers(estimate: tuple[float, float, float], value: float, widen: float = 1.0) -> bool:
    mean, low, high = estimate
    half = (high - low) / 2
    return abs(value - mean) <= widen * half


ERLANG_C_CASES = [(100, 180, 14, 0), (100, 180, 11, 1), (400, 240, 58, 2), (30, 300, 7, 3)]
ERLANG_A_CASES = [(100, 11, 120, 4), (2000, 187, 120, 5), (100, 8, 300, 6)]


def test_confidence_intervals_cover_erlang_c_and_erlang_a() -> None:
    """Stationary runs (a day, warmed up for two hours) against the exact formulas.

    Each 95% interval misses its target one time in twenty by design, and the measures of one
    run miss together (a run with lucky replications has a high service level, a low ASA and
    few abandons at once), so the test asks: every exact value is within 1.6 half-widths (a
    99.9% interval), and at least three quarters of the 95% intervals cover it. (Over many
    seeds the means agree with the formulas to within their standard errors.)"""
    checks: list[tuple[str, tuple[float, float, float], float]] = []
    for calls, aht, agents, seed in ERLANG_C_CASES:
        result = simulate(
            calls=[calls] * 48, aht=aht, agents=[agents] * 48, interval=1800, answer_time=20,
            replications=30, seed=seed, warmup_intervals=4,
        )  # fmt: skip
        exact = erlang_c_performance(
            calls=calls, aht=aht, agents=agents, interval=1800, answer_time=20
        )
        assert result.overall["abandon_rate"] == (0.0, 0.0, 0.0)
        assert result.replications == 30
        for name in ("service_level", "asa", "occupancy"):
            checks.append(
                (f"C {calls}/{agents} {name}", result.overall[name], float(getattr(exact, name)))
            )
    for calls, agents, patience, seed in ERLANG_A_CASES:
        hours = 12 if calls < 1000 else 3
        result = simulate(
            calls=[calls] * (2 * hours), aht=180, agents=[agents] * (2 * hours), interval=1800,
            answer_time=20, patience=patience, replications=20, seed=seed, warmup_intervals=4,
        )  # fmt: skip
        exact_a = erlang_a_performance(
            calls=calls, aht=180, patience=patience, agents=agents, interval=1800, answer_time=20
        )
        values = {
            "service_level": float(exact_a.service_level),
            "abandon_rate": float(exact_a.abandon_probability),
            "asa": float(exact_a.asa),
            "occupancy": float(exact_a.occupancy),
        }
        for name, value in values.items():
            checks.append((f"A {calls}/{agents}/{patience} {name}", result.overall[name], value))
    far = [(label, est, value) for label, est, value in checks if not covers(est, value, 1.6)]
    assert not far
    missed = [label for label, est, value in checks if not covers(est, value)]
    assert len(missed) <= 0.25 * len(checks), missed


def test_187_agents_meet_80_in_20_with_impatient_callers() -> None:
    # The example: 2,000 calls per 30 min, AHT 180 s, patience 120 s.
    result = simulate(
        calls=[2000] * 4, aht=180, agents=[187] * 4, interval=1800, answer_time=20,
        patience=120, replications=10, seed=11,
    )  # fmt: skip
    assert result.overall["service_level"][0] > 0.8


def test_staff_drop_lets_busy_agents_finish_and_leaves_new_calls_waiting() -> None:
    result = simulate(
        calls=[20, 20],
        aht=600,
        agents=[10, 0],
        interval=1800,
        answer_time=20,
        replications=5,
        seed=1,
    )
    # Nobody answers in the second interval ...
    assert result.service_level.mean[1] == 0.0
    assert np.isnan(result.asa.mean[1])
    # ... but the agents of the first keep working on their calls into it: all of that agent
    # time is busy time (nobody is staffed, so nobody idles).
    assert result.occupancy.mean[1] == pytest.approx(1.0)
    assert 0 < result.occupancy.mean[0] < 1


def test_staff_rise_serves_the_queue_at_the_boundary() -> None:
    result = simulate(
        calls=[50, 0, 0],
        aht=60,
        agents=[0, 50, 0],
        interval=600,
        answer_time=20,
        replications=5,
        seed=2,
    )
    assert result.service_level.mean[0] < 0.1  # waited for the next interval
    assert result.asa.mean[0] > 0
    assert np.isnan(result.service_level.mean[1])  # no calls offered there


def test_nobody_staffed_and_impatient_callers_all_abandon() -> None:
    result = simulate(
        calls=[30, 30], aht=100, agents=[0, 0], interval=900, answer_time=10,
        patience=60, replications=3,
    )  # fmt: skip
    np.testing.assert_allclose(result.abandon_rate.mean, 1.0)
    np.testing.assert_allclose(result.service_level.mean, 0.0)
    assert np.isnan(result.occupancy.mean).all()


def test_no_calls_gives_nan_not_a_warning() -> None:
    result = simulate(calls=[0, 0], aht=180, agents=[3, 3], interval=1800, answer_time=20)
    assert np.isnan(result.service_level.mean).all()
    assert np.isnan(result.overall["service_level"][0])
    np.testing.assert_allclose(result.occupancy.mean, 0.0)


def test_lognormal_handle_times_keep_the_mean() -> None:
    result = simulate(
        calls=[200] * 24, aht=180, agents=[40] * 24, interval=1800, answer_time=20,
        replications=10, service_distribution="lognormal", service_cv=0.5,
    )  # fmt: skip
    assert covers(result.overall["occupancy"], 200 * 180 / 1800 / 40)


def test_closed_interval_may_have_zero_aht() -> None:
    result = simulate(calls=[10, 0], aht=[180, 0], agents=[2, 0], interval=1800, answer_time=20)
    assert np.isfinite(result.service_level.mean[0])


def test_per_interval_aht_and_patience() -> None:
    result = simulate(
        calls=[100, 100], aht=[100, 300], agents=[20, 20], interval=1800, answer_time=20,
        patience=[1e9, 30], replications=10,
    )  # fmt: skip
    assert result.occupancy.mean[1] > result.occupancy.mean[0]
    assert result.abandon_rate.mean[0] == 0.0


def test_progress_is_reported_from_zero_to_one() -> None:
    seen: list[float] = []
    simulate(
        calls=[10], aht=60, agents=[2], interval=600, answer_time=20, replications=4,
        progress=seen.append,
    )  # fmt: skip
    assert seen == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_deterministic_for_a_seed() -> None:
    args = {"calls": [40, 60], "aht": 200, "agents": [6, 8], "interval": 1800, "answer_time": 20}
    a = simulate(**args, seed=5, patience=100)  # type: ignore[arg-type]
    b = simulate(**args, seed=5, patience=100)  # type: ignore[arg-type]
    c = simulate(**args, seed=6, patience=100)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a.service_level.mean, b.service_level.mean)
    assert a.overall == b.overall
    assert a.overall != c.overall


def test_a_week_is_fast() -> None:
    began = time.perf_counter()
    result = simulate(
        calls=[100] * 336, aht=180, agents=[14] * 336, interval=1800, answer_time=20,
        replications=30,
    )  # fmt: skip
    assert time.perf_counter() - began < 20  # about 1 s alone; generous for a shared CPU
    assert result.service_level.mean.shape == (336,)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calls=st.lists(st.floats(0, 60), min_size=1, max_size=6),
    agents=st.integers(0, 12),
    aht=st.floats(10, 600),
    patience=st.one_of(st.none(), st.floats(5, 600)),
    seed=st.integers(0, 1000),
)
def test_property_measures_are_bounded_and_intervals_ordered(
    calls: list[float], agents: int, aht: float, patience: float | None, seed: int
) -> None:
    result = simulate(
        calls=calls, aht=aht, agents=[agents] * len(calls), interval=900, answer_time=20,
        patience=patience, replications=3, seed=seed,
    )  # fmt: skip
    for name in ("service_level", "abandon_rate", "occupancy"):
        est = getattr(result, name)
        ok = np.isfinite(est.mean)
        assert np.all((est.mean[ok] >= 0) & (est.mean[ok] <= 1 + 1e-12))
    for name in ("service_level", "asa", "abandon_rate", "occupancy"):
        est = getattr(result, name)
        ok = np.isfinite(est.low)
        assert np.all(est.low[ok] <= est.mean[ok] + 1e-12)
        assert np.all(est.mean[ok] <= est.high[ok] + 1e-12)
        mean, low, high = result.overall[name]
        assert np.isnan(low) or low <= mean + 1e-12 <= high + 2e-12
    if patience is None:
        assert np.all(result.abandon_rate.mean[np.isfinite(result.abandon_rate.mean)] == 0)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calls=st.floats(5, 80),
    agents=st.integers(1, 15),
    seed=st.integers(0, 1000),
)
def test_property_service_level_rises_with_agents(calls: float, agents: int, seed: int) -> None:
    # Same seed: the same calls and handle times; one more agent never makes anyone wait longer.
    def sl(n: int) -> float:
        return simulate(
            calls=[calls] * 2, aht=240, agents=[n] * 2, interval=1800, answer_time=20,
            replications=2, seed=seed,
        ).overall["service_level"][0]  # fmt: skip

    assert sl(agents + 1) >= sl(agents) - 1e-12


def test_errors_name_the_parameter() -> None:
    base = {"calls": [10, 10], "aht": 180, "agents": [2, 2], "interval": 1800, "answer_time": 20}
    cases = [
        ({"calls": [10, -1]}, "calls", 1),
        ({"calls": []}, "calls", None),
        ({"agents": [2]}, "agents", None),
        ({"agents": [2, 1.5]}, "agents", 1),
        ({"aht": [180, 0]}, "aht", 1),
        ({"aht": [180, -1], "calls": [10, 0]}, "aht", 1),
        ({"aht": [180, 180, 180]}, "aht", None),
        ({"interval": 0}, "interval", None),
        ({"answer_time": -1}, "answer_time", None),
        ({"patience": 0}, "patience", None),
        ({"replications": 1}, "replications", None),
        ({"service_distribution": "gamma"}, "service_distribution", None),
        ({"seed": -3}, "seed", None),
        ({"warmup_intervals": -1}, "warmup_intervals", None),
    ]
    for change, parameter, index in cases:
        with pytest.raises(InvalidParameterError) as exc:
            simulate(**{**base, **change})  # type: ignore[arg-type]
        assert exc.value.parameter == parameter, change
        assert exc.value.index == index, change


def reference_serve(
    arrivals: list[float],
    service: list[float],
    deadline: list[float],
    agents: list[int],
    interval: float,
) -> tuple[list[float], list[bool]]:
    """A plain event-by-event simulation (queue, agents, clock) to check the fast one against."""
    n = len(arrivals)
    starts = [float("nan")] * n
    answered = [False] * n
    queue: list[int] = []
    in_service: list[float] = []
    boundaries = [k * interval for k in range(1, len(agents))]
    t, i = 0.0, 0

    def staffed(at: float) -> int:
        k = min(int(at // interval), len(agents) - 1)
        while k < len(agents) - 1 and (k + 1) * interval <= at:  # boundaries as computed
            k += 1
        return agents[k]

    while True:
        candidates = [arrivals[i]] if i < n else []
        candidates += [c for c in in_service if c > t]
        candidates += [b for b in boundaries if b > t]
        candidates += [deadline[q] for q in queue if t < deadline[q] < float("inf")]
        if not candidates:
            break
        t = min(candidates)
        in_service = [c for c in in_service if c > t]
        while i < n and arrivals[i] <= t:
            queue.append(i)
            i += 1
        queue = [q for q in queue if deadline[q] >= t]
        while queue and len(in_service) < staffed(t):
            q = queue.pop(0)
            starts[q], answered[q] = t, True
            in_service.append(t + service[q])
    return starts, answered


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    count=st.integers(1, 5),
    calls=st.integers(0, 30),
    impatient=st.booleans(),
)
def test_property_fast_queue_matches_a_plain_event_simulation(
    data: st.DataObject, count: int, calls: int, impatient: bool
) -> None:
    from callpulse.wfm.simulate import _serve

    interval = 100.0
    agents = data.draw(st.lists(st.integers(0, 3), min_size=count, max_size=count))
    times = st.floats(0, count * interval, allow_nan=False, exclude_max=True)
    arrivals = sorted(data.draw(st.lists(times, min_size=calls, max_size=calls)))
    service = data.draw(st.lists(st.floats(0.5, 150), min_size=calls, max_size=calls))
    patience = data.draw(st.lists(st.floats(0.5, 200), min_size=calls, max_size=calls))
    deadline = [
        a + p if impatient else float("inf") for a, p in zip(arrivals, patience, strict=True)
    ]
    starts, answered = _serve(
        np.array(arrivals), np.array(service), np.array(deadline), agents, interval
    )
    ref_starts, ref_answered = reference_serve(arrivals, service, deadline, agents, interval)
    assert answered.tolist() == ref_answered
    np.testing.assert_allclose(starts, ref_starts, equal_nan=True)

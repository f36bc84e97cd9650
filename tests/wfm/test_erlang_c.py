"""Erlang C: exact values against rational arithmetic, properties, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callpulse.wfm import (
    InvalidParameterError,
    TargetUnreachableError,
    erlang_c,
    erlang_c_performance,
)

from .reference import erlang_c_exact, erlang_c_required_exact

BASE = {"calls": 100, "aht": 180, "interval": 1800, "target_sl": 0.8, "answer_time": 20}


def close(x: float, y: float, rel: float = 1e-11, abs_: float = 1e-13) -> bool:
    return math.isclose(x, y, rel_tol=rel, abs_tol=abs_)


def test_textbook_example_100_calls_in_30_minutes() -> None:
    # 10 Erlangs, 80% in 20 s: 13 agents give 78.5%, 14 give 88.8%.
    result = erlang_c(**BASE)
    assert int(result.raw_agents) == 14
    assert int(result.agents) == 14
    ref = erlang_c_exact(100, 180, 1800, 14, 20)
    assert close(float(result.service_level), ref.service_level)
    assert close(float(result.asa), ref.asa)
    assert close(float(result.occupancy), ref.occupancy)
    assert close(float(result.wait_probability), ref.wait_probability)
    assert erlang_c_exact(100, 180, 1800, 13, 20).service_level < 0.8
    assert round(float(result.service_level), 4) == 0.8884
    assert round(float(result.wait_probability), 4) == 0.1741


def test_shrinkage_and_occupancy_cap() -> None:
    result = erlang_c(**BASE, shrinkage=0.3, max_occupancy=0.85)
    # 14 / (1 - 0.3) is 20 exactly: float noise must not add a 21st agent.
    assert (int(result.raw_agents), int(result.agents)) == (14, 20)
    capped = erlang_c(**BASE, shrinkage=0.3, max_occupancy=0.7)
    # 10 / 14 = 0.714 > 0.7, so 15 on the phones, ceil(15 / 0.7) = 22 scheduled.
    assert (int(capped.raw_agents), int(capped.agents)) == (15, 22)
    assert float(capped.occupancy) <= 0.7
    exact_cap = erlang_c(**BASE, max_occupancy=10 / 16)
    assert int(exact_cap.raw_agents) == 16


@pytest.mark.parametrize("calls", [0.5, 1, 7.5, 50, 100, 333, 480])
@pytest.mark.parametrize("aht", [30, 180, 600])
@pytest.mark.parametrize("answer_time", [0, 20, 90])
def test_performance_matches_exact_rationals(calls: float, aht: float, answer_time: float) -> None:
    a = calls * aht / 1800
    agents = np.arange(math.floor(a) + 1, math.floor(a) + 7)
    perf = erlang_c_performance(
        calls=calls, aht=aht, agents=agents, interval=1800, answer_time=answer_time
    )
    for i, n in enumerate(agents):
        ref = erlang_c_exact(calls, aht, 1800, int(n), answer_time)
        assert close(float(perf.service_level[i]), ref.service_level)
        assert close(float(perf.asa[i]), ref.asa)
        assert close(float(perf.wait_probability[i]), ref.wait_probability)
        assert close(float(perf.occupancy[i]), ref.occupancy)


@pytest.mark.parametrize("target", [0.5, 0.8, 0.9, 0.95, 0.99])
@pytest.mark.parametrize("answer_time", [0, 10, 20, 60])
def test_required_agents_match_exact_walk(target: float, answer_time: float) -> None:
    calls = np.array([1, 3, 10, 45, 100, 170, 260])
    result = erlang_c(
        calls=calls, aht=180, interval=1800, target_sl=target, answer_time=answer_time
    )
    expected = [erlang_c_required_exact(float(c), 180, 1800, target, answer_time) for c in calls]
    assert result.raw_agents.tolist() == expected


def _stable_erlang_c(a: float, n: int) -> float:
    """Erlang C through the float recurrence 1/B(k) = 1 + k / (a B(k-1)), stable for any size."""
    inv_b = 1.0
    for k in range(1, n + 1):
        inv_b = 1.0 + inv_b * k / a
    b = 1.0 / inv_b
    return n * b / (n - a + a * b)


@pytest.mark.parametrize("erlangs", [500.0, 2000.0, 5000.0, 12345.6])
def test_thousands_of_agents_are_stable(erlangs: float) -> None:
    calls = erlangs * 1800 / 180
    result = erlang_c(calls=calls, aht=180, interval=1800, target_sl=0.8, answer_time=20)
    n = int(result.raw_agents)
    assert erlangs < n < erlangs + 5 * math.sqrt(erlangs)
    assert math.isclose(float(result.wait_probability), _stable_erlang_c(erlangs, n), rel_tol=1e-9)
    below = erlang_c_performance(calls=calls, aht=180, agents=n - 1, interval=1800, answer_time=20)
    assert float(below.service_level) < 0.8 <= float(result.service_level)
    assert np.isfinite([result.asa, result.service_level, result.occupancy]).all()


def test_zero_calls_need_zero_agents() -> None:
    result = erlang_c(**{**BASE, "calls": 0}, shrinkage=0.3, max_occupancy=0.8)
    assert int(result.raw_agents) == 0
    assert int(result.agents) == 0
    assert float(result.service_level) == 1.0
    assert float(result.asa) == 0.0
    assert float(result.wait_probability) == 0.0
    mixed = erlang_c(**{**BASE, "calls": [0, 100, 0]})
    assert mixed.raw_agents.tolist() == [0, 14, 0]


def test_shapes_broadcast_and_scalars_give_0d() -> None:
    calls = np.array([[10, 100], [200, 0]])
    aht = np.array([120, 240])
    result = erlang_c(calls=calls, aht=aht, interval=1800, target_sl=0.8, answer_time=20)
    assert result.raw_agents.shape == (2, 2)
    assert result.service_level.shape == (2, 2)
    for i in range(2):
        for j in range(2):
            one = erlang_c(
                calls=calls[i, j], aht=aht[j], interval=1800, target_sl=0.8, answer_time=20
            )
            assert one.raw_agents.shape == ()
            assert int(one.raw_agents) == result.raw_agents[i, j]
    records = erlang_c(**BASE).records()
    assert records == [
        {
            "raw_agents": 14,
            "agents": 14,
            "service_level": pytest.approx(0.88835, abs=1e-5),
            "asa": pytest.approx(7.8359, abs=1e-4),
            "occupancy": pytest.approx(10 / 14),
            "wait_probability": pytest.approx(0.17413, abs=1e-5),
        }
    ]
    with pytest.raises(InvalidParameterError) as err:
        erlang_c(calls=[1, 2, 3], aht=[180, 200], interval=1800, target_sl=0.8, answer_time=20)
    assert err.value.parameter == "aht"


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("calls", -1),
        ("calls", math.nan),
        ("calls", math.inf),
        ("calls", "many"),
        ("aht", 0),
        ("aht", -180),
        ("aht", math.nan),
        ("interval", 0),
        ("interval", -1800),
        ("interval", math.inf),
        ("answer_time", -1),
        ("answer_time", math.nan),
        ("target_sl", 0),
        ("target_sl", -0.5),
        ("target_sl", 1.2),
        ("target_sl", math.nan),
        ("shrinkage", -0.1),
        ("shrinkage", 1.0),
        ("shrinkage", math.nan),
        ("max_occupancy", 0),
        ("max_occupancy", 1.5),
        ("max_occupancy", math.nan),
    ],
)
def test_bad_input_names_the_parameter(parameter: str, value: object) -> None:
    with pytest.raises(InvalidParameterError) as err:
        erlang_c(**{**BASE, parameter: value})
    assert isinstance(err.value, ValueError)
    assert err.value.parameter == parameter
    assert parameter in str(err.value)


def test_bad_element_of_an_array_is_located() -> None:
    with pytest.raises(InvalidParameterError) as err:
        erlang_c(**{**BASE, "calls": [10, 20, -3, 40]})
    assert (err.value.parameter, err.value.index, err.value.value) == ("calls", 2, -3.0)
    assert "index 2" in str(err.value)


def test_bad_agents_in_performance() -> None:
    for bad in (-1, 2.5, math.nan):
        with pytest.raises(InvalidParameterError) as err:
            erlang_c_performance(calls=100, aht=180, agents=bad, interval=1800, answer_time=20)
        assert err.value.parameter == "agents"


@pytest.mark.parametrize("answer_time", [0, 20])
def test_unreachable_target(answer_time: float) -> None:
    with pytest.raises(TargetUnreachableError) as err:
        erlang_c(**{**BASE, "target_sl": 1.0, "answer_time": answer_time})
    assert isinstance(err.value, ValueError)
    assert err.value.parameter == "target_sl"
    assert "target_sl" in str(err.value)
    # ... but with no calls there is nothing to miss.
    assert int(erlang_c(**{**BASE, "calls": 0, "target_sl": 1.0}).raw_agents) == 0


def test_unstable_queue_performance() -> None:
    perf = erlang_c_performance(
        calls=100, aht=180, agents=[5, 10, 11], interval=1800, answer_time=20
    )
    assert perf.service_level[:2].tolist() == [0.0, 0.0]
    assert perf.wait_probability[:2].tolist() == [1.0, 1.0]
    assert np.isinf(perf.asa[:2]).all()
    assert 0 < perf.service_level[2] < 1


loads = st.floats(min_value=0.05, max_value=3000, allow_nan=False)
ahts = st.floats(min_value=5, max_value=1800, allow_nan=False)
thresholds = st.floats(min_value=0, max_value=600, allow_nan=False)
targets = st.floats(min_value=0.01, max_value=0.995, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(erlangs=loads, aht=ahts, answer_time=thresholds)
def test_more_agents_never_hurt(erlangs: float, aht: float, answer_time: float) -> None:
    calls = erlangs * 1800 / aht
    n = np.arange(math.floor(erlangs) + 1, math.floor(erlangs) + 40)
    perf = erlang_c_performance(
        calls=calls, aht=aht, agents=n, interval=1800, answer_time=answer_time
    )
    assert (np.diff(perf.service_level) >= -1e-12).all()
    assert (np.diff(perf.asa) <= 1e-12 * perf.asa[:-1]).all()
    assert (np.diff(perf.wait_probability) <= 1e-15).all()
    assert (np.diff(perf.occupancy) < 0).all()


@settings(max_examples=150, deadline=None)
@given(
    erlangs=loads,
    aht=ahts,
    answer_time=thresholds,
    target=targets,
    cap=st.none() | st.floats(min_value=0.3, max_value=1.0),
)
def test_required_agents_are_the_minimum(
    erlangs: float, aht: float, answer_time: float, target: float, cap: float | None
) -> None:
    calls = erlangs * 1800 / aht
    result = erlang_c(
        calls=calls,
        aht=aht,
        interval=1800,
        target_sl=target,
        answer_time=answer_time,
        max_occupancy=cap,
    )
    n = int(result.raw_agents)
    a = calls * aht / 1800
    assert n > a
    assert float(result.service_level) >= target
    if cap is not None:
        assert a / n <= cap
    below = erlang_c_performance(
        calls=calls, aht=aht, agents=n - 1, interval=1800, answer_time=answer_time
    )
    fails_sl = n - 1 <= a or float(below.service_level) < target
    fails_cap = cap is not None and (n == 1 or a / (n - 1) > cap)
    assert fails_sl or fails_cap


@settings(max_examples=60, deadline=None)
@given(
    calls=st.lists(st.floats(min_value=0, max_value=4000), min_size=1, max_size=30),
    aht=ahts,
    target=targets,
    answer_time=thresholds,
    shrinkage=st.floats(min_value=0, max_value=0.6),
)
def test_vectorised_equals_scalar_loop(
    calls: list[float], aht: float, target: float, answer_time: float, shrinkage: float
) -> None:
    kw = {
        "aht": aht,
        "interval": 1800,
        "target_sl": target,
        "answer_time": answer_time,
        "shrinkage": shrinkage,
    }
    together = erlang_c(calls=calls, **kw)
    for i, c in enumerate(calls):
        one = erlang_c(calls=c, **kw)
        assert int(one.raw_agents) == together.raw_agents[i]
        assert int(one.agents) == together.agents[i]
        assert float(one.service_level) == together.service_level[i]
        assert float(one.asa) == together.asa[i]

"""Erlang A: exact values against a brute-force Markov chain, a simulation, limits, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from callpulse.wfm import (
    SL_VARIANTS,
    InvalidParameterError,
    TargetUnreachableError,
    erlang_a,
    erlang_a_performance,
    erlang_c_performance,
)

from .reference import erlang_a_ctmc, simulate_mmn_m

# The check: 2,000 calls per 30 minutes, AHT 180 s, patience 120 s, 80% within 20 s.
BIG = {"calls": 2000, "aht": 180, "patience": 120, "interval": 1800, "answer_time": 20}


def test_187_agents_suffice_where_erlangs_are_200() -> None:
    result = erlang_a(**BIG, target_sl=0.8)
    assert int(result.raw_agents) == 187  # pyworkforce says 201: it starts its search above A
    assert int(result.raw_agents) < 2000 * 180 / 1800
    perf = erlang_a_performance(**BIG, agents=[186, 187])
    assert perf.service_level[0] < 0.8 <= perf.service_level[1]
    ref = erlang_a_ctmc(2000, 180, 120, 1800, 187, 20)
    assert math.isclose(float(result.service_level), ref.offered, rel_tol=1e-10)
    assert math.isclose(float(result.abandon_probability), ref.abandon_probability, rel_tol=1e-9)
    assert math.isclose(float(result.wait_probability), ref.wait_probability, rel_tol=1e-10)
    assert math.isclose(float(result.asa), ref.asa, rel_tol=1e-9)
    assert math.isclose(float(result.occupancy), ref.occupancy, rel_tol=1e-10)


def test_simulation_agrees_at_187_agents() -> None:
    exact = erlang_a_performance(**BIG, agents=187)
    sim = simulate_mmn_m(2000, 180, 120, 1800, 187, 20, customers=1_000_000, seed=20260105)
    assert abs(sim.service_level - float(exact.service_level)) < 4 * sim.service_level_se + 1e-3
    assert (
        abs(sim.abandon_probability - float(exact.abandon_probability))
        < 4 * sim.abandon_probability_se + 1e-3
    )
    assert abs(sim.wait_probability - float(exact.wait_probability)) < 0.02
    assert abs(sim.asa - float(exact.asa)) < 0.05 * float(exact.asa)


CASES = [
    # calls, aht, patience, interval, agents, answer_time
    (100, 180, 120, 1800, 9, 20),
    (100, 180, 120, 1800, 12, 20),
    (100, 180, 120, 1800, 16, 0),
    (30, 300, 60, 1800, 3, 30),
    (300, 200, 500, 1800, 30, 15),
    (300, 200, 500, 1800, 45, 60),
    (5, 600, 30, 900, 1, 10),
    (50, 240, 2000, 3600, 2, 20),  # heavily overloaded
    (400, 120, 45, 1800, 20, 40),  # half the load abandons
    (12, 90, 3600, 1800, 3, 5),  # nearly Erlang C
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("variant", SL_VARIANTS)
def test_matches_brute_force_markov_chain(case: tuple[float, ...], variant: str) -> None:
    calls, aht, patience, interval, agents, answer_time = case
    ref = erlang_a_ctmc(calls, aht, patience, interval, int(agents), answer_time)
    perf = erlang_a_performance(
        calls=calls,
        aht=aht,
        patience=patience,
        interval=interval,
        agents=agents,
        answer_time=answer_time,
        sl_variant=variant,  # type: ignore[arg-type]
    )
    assert perf.sl_variant == variant
    assert math.isclose(
        float(perf.service_level), getattr(ref, variant), rel_tol=1e-9, abs_tol=1e-12
    )
    assert math.isclose(float(perf.asa), ref.asa, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(float(perf.wait_probability), ref.wait_probability, rel_tol=1e-9)
    assert math.isclose(float(perf.abandon_probability), ref.abandon_probability, rel_tol=1e-9)
    assert math.isclose(float(perf.occupancy), ref.occupancy, rel_tol=1e-9)
    assert math.isclose(float(perf.mean_wait), ref.abandon_probability * patience, rel_tol=1e-9)


def test_variants_are_ordered() -> None:
    # Dividing by fewer calls can only raise the share: offered <= excluding early abandons <=
    # answered (when every abandon within T is also an abandon).
    perf = {
        v: float(erlang_a_performance(**BIG, agents=180, sl_variant=v).service_level)  # type: ignore[arg-type]
        for v in SL_VARIANTS
    }
    assert perf["offered"] < perf["exclude_early_abandons"] < perf["answered"]
    needs = {v: int(erlang_a(**BIG, target_sl=0.8, sl_variant=v).raw_agents) for v in SL_VARIANTS}  # type: ignore[arg-type]
    assert needs["answered"] <= needs["exclude_early_abandons"] <= needs["offered"] == 187


def test_answer_time_zero_is_the_share_not_waiting() -> None:
    for variant in ("offered", "exclude_early_abandons"):
        perf = erlang_a_performance(**{**BIG, "answer_time": 0}, agents=190, sl_variant=variant)  # type: ignore[arg-type]
        assert math.isclose(
            float(perf.service_level), 1 - float(perf.wait_probability), rel_tol=1e-12
        )


def test_patient_callers_give_erlang_c() -> None:
    agents = np.arange(11, 25)
    c = erlang_c_performance(calls=100, aht=180, agents=agents, interval=1800, answer_time=20)
    previous = np.inf
    for patience in (1e3, 1e5, 1e7, 1e9):
        a = erlang_a_performance(
            calls=100, aht=180, patience=patience, agents=agents, interval=1800, answer_time=20
        )
        gap = float(np.max(np.abs(a.service_level - c.service_level)))
        assert gap < previous
        previous = gap
    assert previous < 1e-6
    assert np.allclose(a.wait_probability, c.wait_probability, rtol=1e-6)
    assert np.allclose(a.asa, c.asa, rtol=1e-5)
    assert float(np.max(a.abandon_probability)) < 1e-6


def test_many_agents_no_abandons() -> None:
    perf = erlang_a_performance(**BIG, agents=[200, 250, 300, 400, 1000, 5000])
    assert (np.diff(perf.abandon_probability[:4]) < 0).all()
    assert perf.abandon_probability[3] < 1e-30
    assert perf.abandon_probability[-1] == 0.0  # below the smallest double
    assert perf.service_level[-1] == 1.0


@pytest.mark.parametrize("erlangs", [1000.0, 5000.0, 20000.0])
@pytest.mark.parametrize("patience", [30.0, 180.0, 3600.0])
def test_thousands_of_agents_are_stable(erlangs: float, patience: float) -> None:
    calls = erlangs * 1800 / 180
    kw = {"calls": calls, "aht": 180, "patience": patience, "interval": 1800, "answer_time": 20}
    result = erlang_a(**kw, target_sl=0.9)
    n = int(result.raw_agents)
    values = [result.service_level, result.asa, result.abandon_probability, result.occupancy]
    assert np.isfinite(values).all()
    below = erlang_a_performance(**kw, agents=n - 1)
    assert float(below.service_level) < 0.9 <= float(result.service_level)
    c = erlang_c_performance(calls=calls, aht=180, agents=n, interval=1800, answer_time=20)
    if n > erlangs:  # abandons help: Erlang A never needs more than Erlang C here
        assert float(result.service_level) >= float(c.service_level) - 1e-12


def test_zero_calls_and_no_agents() -> None:
    result = erlang_a(**{**BIG, "calls": [0, 2000]}, target_sl=0.8, shrinkage=0.25)
    assert result.raw_agents.tolist() == [0, 187]
    assert result.agents.tolist() == [0, 250]  # ceil(187 / 0.75) = 250 (249.33)
    assert result.service_level[0] == 1.0
    assert result.abandon_probability[0] == 0.0
    nobody = erlang_a_performance(**BIG, agents=0)
    assert float(nobody.service_level) == 0.0
    assert float(nobody.abandon_probability) == 1.0
    assert math.isnan(float(nobody.asa))


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("calls", -5),
        ("calls", math.nan),
        ("aht", 0),
        ("patience", 0),
        ("patience", -1),
        ("patience", math.inf),
        ("patience", math.nan),
        ("interval", 0),
        ("answer_time", -20),
        ("target_sl", 0),
        ("target_sl", 1.5),
        ("shrinkage", 1),
        ("max_occupancy", 0),
        ("sl_variant", "within"),
    ],
)
def test_bad_input_names_the_parameter(parameter: str, value: object) -> None:
    with pytest.raises(InvalidParameterError) as err:
        erlang_a(**{**BIG, "target_sl": 0.8, parameter: value})  # type: ignore[arg-type]
    assert isinstance(err.value, ValueError)
    assert err.value.parameter == parameter
    assert parameter in str(err.value)


def test_unreachable_target() -> None:
    for variant in SL_VARIANTS:
        with pytest.raises(TargetUnreachableError) as err:
            erlang_a(**{**BIG, "answer_time": 0}, target_sl=1.0, sl_variant=variant)  # type: ignore[arg-type]
        assert err.value.parameter == "target_sl"


calls_st = st.floats(min_value=0.5, max_value=600)
aht_st = st.floats(min_value=30, max_value=900)
patience_st = st.floats(min_value=5, max_value=3000)
answer_st = st.floats(min_value=0, max_value=300)
target_st = st.floats(min_value=0.05, max_value=0.98)
variant_st = st.sampled_from(SL_VARIANTS)


@settings(max_examples=80, deadline=None)
@given(
    calls=calls_st,
    aht=aht_st,
    patience=patience_st,
    answer_time=answer_st,
    target=target_st,
    variant=variant_st,
    cap=st.none() | st.floats(min_value=0.5, max_value=1.0),
)
def test_required_agents_are_the_exact_minimum_from_one(
    calls: float,
    aht: float,
    patience: float,
    answer_time: float,
    target: float,
    variant: str,
    cap: float | None,
) -> None:
    kw = {"calls": calls, "aht": aht, "patience": patience, "interval": 1800}
    result = erlang_a(
        **kw,
        answer_time=answer_time,
        target_sl=target,
        max_occupancy=cap,
        sl_variant=variant,  # type: ignore[arg-type]
    )
    n = int(result.raw_agents)
    scan = erlang_a_performance(
        **kw,
        answer_time=answer_time,
        agents=np.arange(1, n + 1),
        sl_variant=variant,  # type: ignore[arg-type]
    )
    ok = scan.service_level >= target
    if cap is not None:
        ok &= scan.occupancy <= cap
    assert ok[-1]
    assert not ok[:-1].any()  # every n from 1 to raw - 1 fails


@settings(max_examples=80, deadline=None)
@given(
    calls=calls_st,
    aht=aht_st,
    patience=patience_st,
    answer_time=answer_st,
    variant=variant_st,
)
def test_more_agents_never_hurt(
    calls: float, aht: float, patience: float, answer_time: float, variant: str
) -> None:
    a = calls * aht / 1800
    agents = np.arange(1, int(a + 6 * math.sqrt(a) + 12))
    perf = erlang_a_performance(
        calls=calls,
        aht=aht,
        patience=patience,
        agents=agents,
        interval=1800,
        answer_time=answer_time,
        sl_variant=variant,  # type: ignore[arg-type]
    )
    assert (np.diff(perf.service_level) >= -1e-12).all()
    assert (np.diff(perf.abandon_probability) <= 1e-12).all()
    assert (np.diff(perf.wait_probability) <= 1e-12).all()
    assert (np.diff(perf.asa) <= 1e-9 * perf.asa[:-1] + 1e-12).all()
    assert (np.diff(perf.occupancy) <= 1e-12).all()
    assert ((perf.service_level >= 0) & (perf.service_level <= 1)).all()


@settings(max_examples=60, deadline=None)
@given(
    calls=calls_st,
    aht=aht_st,
    answer_time=answer_st,
    agents_over=st.integers(min_value=1, max_value=20),
)
def test_tends_to_erlang_c_as_patience_grows(
    calls: float, aht: float, answer_time: float, agents_over: int
) -> None:
    a = calls * aht / 1800
    n = math.floor(a) + agents_over
    # Near critical load (a/n → 1) the Erlang C queue is enormous and abandonment matters until
    # patience is astronomically long (the gap falls like 1/sqrt(patience)): test away from it.
    assume(a / n <= 0.95)
    c = erlang_c_performance(calls=calls, aht=aht, agents=n, interval=1800, answer_time=answer_time)
    gaps = []
    for patience in (1e4 * aht, 1e6 * aht, 1e8 * aht):
        perf = erlang_a_performance(
            calls=calls,
            aht=aht,
            patience=patience,
            agents=n,
            interval=1800,
            answer_time=answer_time,
        )
        gaps.append(abs(float(perf.service_level) - float(c.service_level)))
    assert gaps[-1] <= gaps[0] + 1e-12
    assert gaps[-1] < 1e-6


@settings(max_examples=40, deadline=None)
@given(
    calls=st.lists(st.floats(min_value=0, max_value=3000), min_size=1, max_size=20),
    aht=aht_st,
    patience=patience_st,
    target=target_st,
    variant=variant_st,
)
def test_vectorised_equals_scalar_loop(
    calls: list[float], aht: float, patience: float, target: float, variant: str
) -> None:
    kw = {
        "aht": aht,
        "patience": patience,
        "interval": 1800,
        "target_sl": target,
        "answer_time": 20,
        "sl_variant": variant,
    }
    together = erlang_a(calls=calls, **kw)  # type: ignore[arg-type]
    for i, c in enumerate(calls):
        one = erlang_a(calls=c, **kw)  # type: ignore[arg-type]
        assert int(one.raw_agents) == together.raw_agents[i]
        assert float(one.service_level) == together.service_level[i]
        assert float(one.abandon_probability) == together.abandon_probability[i]

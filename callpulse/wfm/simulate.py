"""Discrete-event simulation of a queue over a day or a week, with confidence intervals.

What it models: calls arrive as a Poisson stream whose rate is constant within each interval
(``calls[k]`` expected in interval ``k``); each call needs a handle time (exponential with mean
``aht`` of its arrival interval, or lognormal with that mean and coefficient of variation
``service_cv``) and hangs up after an exponential patience (mean ``patience``; ``None`` = never).
One queue, served in order of arrival by the ``agents[k]`` staffed during interval ``k``: a call
starts when fewer calls are in service than agents are staffed. When the staffing drops, busy
agents finish their calls (nobody is cut off); calls in progress and calls waiting carry over
interval boundaries. After the last interval the last staffing stays on until every call that
arrived within the horizon has been answered or has hung up (with no staff and no patience,
the calls left waiting count as not answered).

Measures, per interval of arrival and overall, each the mean over ``replications`` independent
runs with a 95% confidence interval (Student's t, clipped to the measure's range: [0, 1] for
the shares, >= 0 for ASA):

- ``service_level``: calls answered within ``answer_time`` over calls offered (abandons
  included in the denominator, the "offered" variant of Erlang A);
- ``asa``: mean wait of the answered calls, seconds;
- ``abandon_rate``: calls that hung up over calls offered;
- ``occupancy``: agent time spent handling calls over the agent time available in the interval
  (the staffed agents, plus agents who stay on to finish a call after their interval ended).

An interval where a replication had nothing to measure (no calls offered, none answered for ASA,
no agent time) leaves that replication out of that interval's estimate; NaN when none is left.

Speed: calls are processed in arrival order (served in that order, so each call's start time is
the first moment at or after its arrival and after the previous start when fewer calls are in
service than agents staffed, found with a heap of completion times); abandoning calls never occupy
an agent. Occupancy is integrated with vectorised NumPy.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy.special import stdtrit  # type: ignore[import-untyped]

from callpulse.wfm import _arrays as arr
from callpulse.wfm._arrays import FloatArray, IntArray
from callpulse.wfm.errors import InvalidParameterError

__all__ = ["MEASURES", "Estimate", "SimulationResult", "simulate"]

MEASURES = ("service_level", "asa", "abandon_rate", "occupancy")
ServiceDistribution = Literal["exponential", "lognormal"]


@dataclass(frozen=True)
class Estimate:
    """Per-interval mean over replications and its 95% confidence interval."""

    mean: FloatArray
    low: FloatArray
    high: FloatArray


@dataclass(frozen=True)
class SimulationResult:
    """Per-interval estimates and whole-horizon ``overall[name] = (mean, low, high)``."""

    service_level: Estimate
    asa: Estimate
    abandon_rate: Estimate
    occupancy: Estimate
    overall: dict[str, tuple[float, float, float]]
    replications: int

    def records(self) -> list[dict[str, float]]:
        """One dict per interval: ``<measure>``, ``<measure>_low``, ``<measure>_high``."""
        out: list[dict[str, float]] = []
        for k in range(self.service_level.mean.size):
            row: dict[str, float] = {}
            for name in MEASURES:
                est: Estimate = getattr(self, name)
                row[name] = float(est.mean[k])
                row[f"{name}_low"] = float(est.low[k])
                row[f"{name}_high"] = float(est.high[k])
            out.append(row)
        return out


@dataclass
class _Run:
    """Per-interval sums of one replication."""

    offered: FloatArray
    in_time: FloatArray
    answered: FloatArray
    wait: FloatArray
    abandoned: FloatArray
    busy: FloatArray
    available: FloatArray


def _per_interval(name: str, value: npt.ArrayLike, size: int, check: str) -> FloatArray:
    values = arr.positive(name, value) if check == "positive" else arr.non_negative(name, value)
    if values.ndim == 0:
        return np.full(size, float(values))
    if values.shape != (size,):
        raise InvalidParameterError(
            name, f"a number or one number per interval ({size})", values.shape
        )
    return values


def _serve(
    arrivals: FloatArray,
    service: FloatArray,
    deadline: FloatArray,
    agents: list[int],
    interval: float,
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Start times of the calls (sorted by arrival) and whether each was answered."""
    count = len(agents)
    last_k = count - 1
    # The staffing from each boundary onward: next boundary where it is positive (for a search
    # with nobody in service and nobody staffed).
    next_open = [math.inf] * (count + 1)
    for k in range(count - 1, -1, -1):
        next_open[k] = k * interval if agents[k] > 0 else next_open[k + 1]
    starts = np.full(arrivals.size, np.nan)
    answered = np.zeros(arrivals.size, dtype=bool)
    busy: list[float] = []  # completion times of the calls in service
    clock = 0.0
    heappop, heappush = heapq.heappop, heapq.heappush
    arr_list, service_list, deadline_list = arrivals.tolist(), service.tolist(), deadline.tolist()
    for i in range(len(arr_list)):
        t = arr_list[i]
        if t < clock:
            t = clock  # served in order of arrival: not before the previous start
        limit = deadline_list[i]
        free = False
        nxt = math.inf
        while True:
            while busy and busy[0] <= t:
                heappop(busy)
            k = int(t // interval)
            if k > last_k:
                k = last_k
            while k < last_k and (k + 1) * interval <= t:  # float rounding at a boundary
                k += 1
            if len(busy) < agents[k]:
                free = True  # an agent is free now
                break
            # Wait for a completion or the next boundary, whichever comes first.
            nxt = busy[0] if busy else math.inf
            if k < last_k:
                boundary = (k + 1) * interval if busy else next_open[k + 1]
                if boundary < nxt:
                    nxt = boundary
            if nxt > limit or nxt == math.inf:
                break  # nothing changes before the caller hangs up (or ever)
            t = nxt
        if free and t <= limit:
            starts[i] = t
            answered[i] = True
            heappush(busy, t + service_list[i])
            clock = t
        elif free:
            clock = t  # hung up before an agent came free at t; the next caller may take it
        elif nxt == math.inf:
            break  # no agent will ever come free: nobody after this caller is answered
        else:
            clock = nxt  # nothing changes before nxt: no later caller can start earlier
    return starts, answered


def _integrate(
    starts: FloatArray, ends: FloatArray, agents: IntArray, interval: float
) -> tuple[FloatArray, FloatArray]:
    """Busy agent-seconds and available agent-seconds (max of staffed and busy) per interval."""
    count = agents.size
    horizon = count * interval
    bounds = np.arange(count + 1, dtype=np.float64) * interval
    times = np.concatenate([starts, ends, bounds])
    delta = np.concatenate([np.ones(starts.size), -np.ones(ends.size), np.zeros(bounds.size)])
    order = np.lexsort((delta, times))  # ends before starts at equal times
    times, delta = times[order], delta[order]
    level = np.cumsum(delta)
    seg_start, seg_end = times[:-1], times[1:]
    length = np.clip(np.minimum(seg_end, horizon) - seg_start, 0.0, None)
    inside = (seg_start < horizon) & (length > 0)
    k = np.minimum((seg_start // interval).astype(np.int64), count - 1)
    busy_level = level[:-1]
    staffed = agents[k].astype(np.float64)
    busy = np.bincount(k[inside], weights=(busy_level * length)[inside], minlength=count)
    avail = np.bincount(
        k[inside], weights=(np.maximum(busy_level, staffed) * length)[inside], minlength=count
    )
    return busy.astype(np.float64), avail.astype(np.float64)


def _replicate(
    rng: np.random.Generator,
    calls: FloatArray,
    aht: FloatArray,
    patience: FloatArray | None,
    agents: IntArray,
    agent_list: list[int],
    interval: float,
    answer_time: float,
    distribution: ServiceDistribution,
    service_cv: float,
) -> _Run:
    count = calls.size
    per = rng.poisson(calls)
    k = np.repeat(np.arange(count), per)
    arrivals = (k + rng.random(k.size)) * interval
    order = np.argsort(arrivals, kind="stable")
    arrivals, k = arrivals[order], k[order]
    mean = aht[k]
    if distribution == "exponential":
        service = rng.exponential(1.0, k.size) * mean
    else:
        sigma2 = math.log1p(service_cv * service_cv)
        service = mean * np.exp(rng.normal(-sigma2 / 2, math.sqrt(sigma2), k.size))
    if patience is None:
        deadline = np.full(k.size, math.inf)
    else:
        deadline = arrivals + rng.exponential(1.0, k.size) * patience[k]
    starts, answered = _serve(arrivals, service, deadline, agent_list, interval)
    wait = np.where(answered, starts - arrivals, 0.0)
    in_time = answered & (wait <= answer_time)
    abandoned = ~answered & np.isfinite(deadline)
    s, e = starts[answered], starts[answered] + service[answered]
    busy, avail = _integrate(s, e, agents, interval)

    def per_interval(weights: npt.ArrayLike | None = None) -> FloatArray:
        return np.asarray(np.bincount(k, weights=weights, minlength=count), dtype=np.float64)

    return _Run(
        offered=per_interval(),
        in_time=per_interval(in_time),
        answered=per_interval(answered),
        wait=per_interval(wait),
        abandoned=per_interval(abandoned),
        busy=busy,
        available=avail,
    )


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _estimate(samples: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Mean and 95% t-interval along axis 0, ignoring NaN samples (no warnings)."""
    ok = np.isfinite(samples)
    m = ok.sum(axis=0)
    filled = np.where(ok, samples, 0.0)
    mean = np.full(m.shape, np.nan)
    np.divide(filled.sum(axis=0), m, out=mean, where=m > 0)
    dev = np.where(ok, samples - np.where(m > 0, mean, 0.0), 0.0)
    var = np.full(m.shape, np.nan)
    np.divide((dev * dev).sum(axis=0), m - 1, out=var, where=m > 1)
    half = np.full(m.shape, np.nan)
    safe_m = np.maximum(m, 2)
    quant = stdtrit(safe_m - 1, 0.975)  # Student's t quantile
    np.multiply(quant, np.sqrt(np.where(m > 1, var, 0.0) / safe_m), out=half, where=m > 1)
    return mean, mean - half, mean + half


def simulate(
    *,
    calls: Sequence[float] | npt.ArrayLike,
    aht: float | Sequence[float] | npt.ArrayLike,
    agents: Sequence[int] | npt.ArrayLike,
    interval: float,
    answer_time: float,
    patience: float | Sequence[float] | npt.ArrayLike | None = None,
    replications: int = 30,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
    service_distribution: ServiceDistribution = "exponential",
    service_cv: float = 1.0,
    warmup_intervals: int = 0,
) -> SimulationResult:
    """Simulate the intervals ``replications`` times (see the module docstring).

    ``calls``, ``agents`` (and ``aht``, ``patience`` when sequences) have one element per
    interval; times in seconds. ``progress(fraction)`` is called with 0 first and after each
    replication. Deterministic for a given ``seed``. ``warmup_intervals`` copies of the first
    interval run before it and are not measured (to start from a busy queue rather than an
    empty one, e.g. to compare with the stationary Erlang formulas)."""
    calls_arr = arr.non_negative("calls", calls)
    if calls_arr.ndim != 1 or calls_arr.size == 0:
        raise InvalidParameterError("calls", "a non-empty sequence, one number per interval")
    count = calls_arr.size
    interval_v = float(arr.positive("interval", interval))
    aht_arr = _per_interval("aht", aht, count, "non_negative")
    arr.require("aht", aht_arr, (aht_arr > 0) | (calls_arr == 0), "> 0 where there are calls")
    agents_arr = arr.agent_counts("agents", agents)
    if agents_arr.shape != (count,):
        raise InvalidParameterError(
            "agents", f"one whole number per interval ({count})", agents_arr.shape
        )
    answer = float(arr.non_negative("answer_time", answer_time))
    patience_arr = (
        None if patience is None else _per_interval("patience", patience, count, "positive")
    )
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)):
        raise InvalidParameterError("replications", "a whole number >= 2", replications)
    if replications < 2:
        raise InvalidParameterError("replications", "a whole number >= 2", replications)
    if service_distribution not in ("exponential", "lognormal"):
        raise InvalidParameterError(
            "service_distribution", "'exponential' or 'lognormal'", service_distribution
        )
    cv = float(arr.positive("service_cv", service_cv))
    if (
        isinstance(warmup_intervals, bool)
        or not isinstance(warmup_intervals, (int, np.integer))
        or warmup_intervals < 0
    ):
        raise InvalidParameterError("warmup_intervals", "a whole number >= 0", warmup_intervals)
    if warmup_intervals:
        lead = int(warmup_intervals)

        def extend(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return np.concatenate([np.repeat(values[:1], lead), values])

        calls_arr, aht_arr, agents_arr = extend(calls_arr), extend(aht_arr), extend(agents_arr)
        patience_arr = None if patience_arr is None else extend(patience_arr)
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError("seed", "a whole number >= 0", seed) from exc

    agent_list = [int(a) for a in agents_arr]
    runs: list[_Run] = []
    if progress is not None:
        progress(0.0)
    for r in range(replications):
        runs.append(
            _replicate(
                rng,
                calls_arr,
                aht_arr,
                patience_arr,
                agents_arr,
                agent_list,
                interval_v,
                answer,
                service_distribution,
                cv,
            )
        )
        if progress is not None:
            progress((r + 1) / replications)

    def stack(name: str) -> FloatArray:
        return np.stack([getattr(run, name)[warmup_intervals:] for run in runs])

    offered, in_time, answered = stack("offered"), stack("in_time"), stack("answered")
    wait, abandoned, busy, avail = (
        stack("wait"),
        stack("abandoned"),
        stack("busy"),
        stack("available"),
    )
    samples = {
        "service_level": (in_time, offered),
        "asa": (wait, answered),
        "abandon_rate": (abandoned, offered),
        "occupancy": (busy, avail),
    }
    per: dict[str, Estimate] = {}
    overall: dict[str, tuple[float, float, float]] = {}
    for name, (num, den) in samples.items():
        top = math.inf if name == "asa" else 1.0
        mean, low, high = _estimate(_ratio(num, den))
        per[name] = Estimate(mean, np.clip(low, 0.0, top), np.clip(high, 0.0, top))
        whole = _estimate(_ratio(num.sum(axis=1), den.sum(axis=1))[:, None])
        overall[name] = (
            float(whole[0][0]),
            float(np.clip(whole[1][0], 0.0, top)),
            float(np.clip(whole[2][0], 0.0, top)),
        )
    return SimulationResult(
        service_level=per["service_level"],
        asa=per["asa"],
        abandon_rate=per["abandon_rate"],
        occupancy=per["occupancy"],
        overall=overall,
        replications=replications,
    )

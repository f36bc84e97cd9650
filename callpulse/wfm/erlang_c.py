"""Erlang C (M/M/n): staffing for callers who wait as long as it takes.

Calls arrive as a Poisson stream (``calls`` per ``interval`` seconds), handle times are exponential
with mean ``aht`` seconds, ``n`` agents serve one queue in order of arrival, and nobody hangs up.
With the offered load ``a = calls * aht / interval`` (Erlangs) and ``n > a``:

- probability of waiting ``C(n, a) = n B / (n - a + a B)``, with ``B`` Erlang's loss formula,
  computed in log space from the incomplete gamma function (stable for thousands of agents);
- service level (share of calls answered within ``answer_time`` seconds)
  ``SL = 1 - C(n, a) exp(-(n - a) answer_time / aht)``;
- ASA (mean wait over all calls) ``C(n, a) aht / (n - a)``; occupancy ``a / n``.

With ``n <= a`` the queue grows without bound: SL 0, ASA infinite, occupancy 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from callpulse.wfm import _arrays as arr
from callpulse.wfm import _special as sp
from callpulse.wfm._arrays import BoolArray, FloatArray, IntArray
from callpulse.wfm._results import Record, records, shrink
from callpulse.wfm._search import UNREACHED, least_passing
from callpulse.wfm.errors import TargetUnreachableError

__all__ = ["ErlangCPerformance", "ErlangCStaffing", "erlang_c", "erlang_c_performance"]


@dataclass(frozen=True, slots=True)
class ErlangCPerformance:
    """How a queue performs with a given number of agents (arrays of the inputs' shape)."""

    service_level: FloatArray
    """Share of calls answered within ``answer_time``."""
    asa: FloatArray
    """Average speed of answer, seconds: the mean wait over all calls."""
    occupancy: FloatArray
    """Share of the agents' time spent handling calls (``a / n``)."""
    wait_probability: FloatArray
    """Probability that a call waits at all (Erlang's C formula)."""

    def records(self) -> list[Record]:
        return records(self)


@dataclass(frozen=True, slots=True)
class ErlangCStaffing:
    """Required agents and the performance they achieve (arrays of the inputs' shape)."""

    raw_agents: IntArray
    """Agents on the phones: the least ``n > a`` meeting the target (and the occupancy cap)."""
    agents: IntArray
    """Agents to schedule: ``ceil(raw_agents / (1 - shrinkage))``."""
    service_level: FloatArray
    asa: FloatArray
    occupancy: FloatArray
    wait_probability: FloatArray

    def records(self) -> list[Record]:
        return records(self)


def _load(calls: FloatArray, aht: FloatArray, interval: FloatArray) -> FloatArray:
    return np.asarray(calls * aht / interval, dtype=np.float64)


def _wait_probability(a: FloatArray, n: FloatArray) -> FloatArray:
    """Erlang C for ``n > a`` (1 where ``n <= a`` and there is load)."""
    erlang_b = np.exp(sp.log_erlang_b(n, a))
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * erlang_b / (n - a + a * erlang_b)
    return np.asarray(np.where(n > a, c, np.where(a > 0, 1.0, 0.0)), dtype=np.float64)


def _service_level(a: FloatArray, n: FloatArray, t_over_aht: FloatArray) -> FloatArray:
    pw = _wait_probability(a, n)
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1.0 - pw * np.exp(-(n - a) * t_over_aht)
    return np.asarray(np.where(n > a, np.clip(sl, 0.0, 1.0), np.where(a > 0, 0.0, 1.0)))


def _performance(
    a: FloatArray, n: FloatArray, aht: FloatArray, t: FloatArray
) -> ErlangCPerformance:
    pw = _wait_probability(a, n)
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        asa = pw * aht / (n - a)
        occupancy = a / n
    idle = a == 0
    return ErlangCPerformance(
        # The very expression the staffing search tested, so a reported level never falls short.
        service_level=_service_level(a, n, t / aht),
        asa=np.where(stable, asa, np.where(idle, 0.0, np.inf)),
        occupancy=np.where(stable, occupancy, np.where(idle, 0.0, 1.0)),
        wait_probability=pw,
    )


def erlang_c_performance(
    *,
    calls: npt.ArrayLike,
    aht: npt.ArrayLike,
    agents: npt.ArrayLike,
    interval: npt.ArrayLike,
    answer_time: npt.ArrayLike,
) -> ErlangCPerformance:
    """Service level, ASA, occupancy and probability of waiting with ``agents`` on the phones.

    Every argument is a number or an array; arrays broadcast together. Times are in seconds,
    ``calls`` is the number offered per ``interval`` (need not be whole).
    """
    c = arr.non_negative("calls", calls)
    h = arr.positive("aht", aht)
    n = arr.agent_counts("agents", agents).astype(np.float64)
    iv = arr.positive("interval", interval)
    t = arr.non_negative("answer_time", answer_time)
    shape, (c, h, n, iv, t) = arr.broadcast(calls=c, aht=h, agents=n, interval=iv, answer_time=t)
    perf = _performance(_load(c, h, iv), n, h, t)
    return ErlangCPerformance(
        service_level=perf.service_level.reshape(shape),
        asa=perf.asa.reshape(shape),
        occupancy=perf.occupancy.reshape(shape),
        wait_probability=perf.wait_probability.reshape(shape),
    )


def _halfin_whitt_guess(a: FloatArray, t_over_aht: FloatArray, target: FloatArray) -> IntArray:
    """A starting point for the exact search: the QED (Halfin-Whitt) approximation
    ``P(wait) ~ 1 / (1 + b Phi(b) / phi(b))``, ``n ~ a + b sqrt(a)``, solved for ``b``."""
    root = np.sqrt(a)
    lo = np.zeros_like(a)
    hi = np.full_like(a, 12.0)
    for _ in range(12):
        b = 0.5 * (lo + hi)
        ratio = sp.ndtr(b) * np.sqrt(2.0 * np.pi) * np.exp(0.5 * b * b)
        sl = 1.0 - np.exp(-b * root * t_over_aht) / (1.0 + b * ratio)
        ok = sl >= target
        hi = np.where(ok, b, hi)
        lo = np.where(ok, lo, b)
    return np.ceil(a + hi * root).astype(np.int64)


def least_agents_for_occupancy(a: FloatArray, max_occupancy: FloatArray) -> IntArray:
    """The least ``n`` with ``a / n <= max_occupancy`` (exactly as that comparison is evaluated)."""
    n = np.ceil(a / max_occupancy).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.where((n > 1) & (a / np.maximum(n - 1, 1) <= max_occupancy), n - 1, n)
        n = np.where((n > 0) & (a / np.maximum(n, 1) > max_occupancy), n + 1, n)
    return n


def erlang_c(
    *,
    calls: npt.ArrayLike,
    aht: npt.ArrayLike,
    interval: npt.ArrayLike,
    target_sl: npt.ArrayLike,
    answer_time: npt.ArrayLike,
    max_occupancy: npt.ArrayLike | None = None,
    shrinkage: npt.ArrayLike = 0.0,
) -> ErlangCStaffing:
    """Required agents per interval under Erlang C, and what they achieve.

    ``raw_agents`` is the least ``n > a`` with service level ``>= target_sl`` (calls answered
    within ``answer_time`` seconds) and, if ``max_occupancy`` is given, ``a / n <= max_occupancy``;
    ``agents`` is ``ceil(raw_agents / (1 - shrinkage))``. Zero calls need zero agents (service
    level 1). Every argument is a number or an array (one element per interval); arrays
    broadcast together and the result has their shape.

    Raises :class:`~callpulse.wfm.errors.InvalidParameterError` (a ``ValueError``) naming the
    parameter for negative, NaN or infinite load, ``aht`` or ``interval`` not positive, a target
    outside (0, 1), shrinkage outside [0, 1) or an occupancy cap outside (0, 1]; and its subclass
    :class:`~callpulse.wfm.errors.TargetUnreachableError` for a target no staffing meets (a
    service level of 1 while there are calls).
    """
    c = arr.non_negative("calls", calls)
    h = arr.positive("aht", aht)
    iv = arr.positive("interval", interval)
    target = arr.target_fraction("target_sl", target_sl)
    t = arr.non_negative("answer_time", answer_time)
    occ = arr.occupancy_fraction("max_occupancy", max_occupancy)
    shr = arr.shrinkage_fraction("shrinkage", shrinkage)
    shape, (c, h, iv, target, t, occ, shr) = arr.broadcast(
        calls=c,
        aht=h,
        interval=iv,
        target_sl=target,
        answer_time=t,
        max_occupancy=occ,
        shrinkage=shr,
    )
    a = _load(c, h, iv)
    busy = a > 0
    if bool(np.any(busy & (target >= 1))):
        first = int(np.flatnonzero(busy & (target >= 1))[0])
        raise TargetUnreachableError(
            "target_sl",
            "a service level of 1 is never met while calls arrive (it must be below 1)",
            float(target[first]),
            first if shape else None,
        )
    raw = required_agents(a, t / h, target, occ, scalar=not shape)
    perf = _performance(a, raw.astype(np.float64), h, t)
    return ErlangCStaffing(
        raw_agents=raw.reshape(shape),
        agents=shrink(raw, shr).reshape(shape),
        service_level=perf.service_level.reshape(shape),
        asa=perf.asa.reshape(shape),
        occupancy=perf.occupancy.reshape(shape),
        wait_probability=perf.wait_probability.reshape(shape),
    )


def required_agents(
    a: FloatArray,
    t_over_aht: FloatArray,
    target: FloatArray,
    max_occupancy: FloatArray,
    *,
    scalar: bool = False,
) -> IntArray:
    """The least ``n > a`` with SL ``>= target`` and ``a / n <= max_occupancy`` (0 where
    ``a == 0``), for validated flat arrays of one length. ``scalar`` drops the index from
    errors."""
    out = np.zeros(a.shape, dtype=np.int64)
    index = np.flatnonzero(a > 0)
    if index.size:
        la, lt, ltarget, locc = a[index], t_over_aht[index], target[index], max_occupancy[index]
        floor_occ = least_agents_for_occupancy(la, locc)

        def passes(sub: IntArray, n: IntArray) -> BoolArray:
            nf = n.astype(np.float64)
            ok = _service_level(la[sub], nf, lt[sub]) >= ltarget[sub]
            return np.asarray(ok & (la[sub] / nf <= locc[sub]), dtype=np.bool_)

        failing = np.floor(la).astype(np.int64)
        guess = np.maximum(_halfin_whitt_guess(la, lt, ltarget), floor_occ)
        cap = np.maximum(np.ceil(la + 60.0 * np.sqrt(la) + 100.0).astype(np.int64), floor_occ + 1)
        found = least_passing(passes, failing, guess, cap)
        if bool(np.any(found == UNREACHED)):
            first = int(np.flatnonzero(found == UNREACHED)[0])
            raise TargetUnreachableError(
                "target_sl",
                "no number of agents reaches it",
                float(ltarget[first]),
                None if scalar else int(index[first]),
            )
        out[index] = found
    return out

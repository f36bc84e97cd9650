"""Erlang A (M/M/n+M): staffing for callers who hang up when kept waiting.

As Erlang C, plus: every waiting caller abandons after an exponential patience time with mean
``patience`` seconds (rate ``theta = 1 / patience``). The model is solved exactly, with no
approximation, through the closed form of Garnett, Mandelbaum and Reiman (2002) and
Mandelbaum and Zeltyn (2004). Write ``a = calls * aht / interval`` (offered load),
``x = n * patience / aht``, ``y = calls * patience / interval``, ``B = B(n, a)`` Erlang's loss
formula and ``M(x, y) = sum_j y**j / ((x+1)...(x+j))`` (Kummer's function, through the incomplete
gamma function: ``M = x e**y y**-x Gamma(x) P(x, y)``). Then

- ``P(wait) = M B / (1 + (M - 1) B)``;
- for a caller who waits, ``U = exp(-theta V)`` (``V`` the time until an agent would take the
  call) is, given ``k`` callers ahead, Beta(x, k+1)-distributed; mixing over ``k`` gives, with
  ``P`` the regularised lower incomplete gamma function and ``c = exp(-theta t)``:
  ``P(answered | wait) = x/y P(x+1, y) / P(x, y)``,
  ``P(answered within t | wait) = x/y [P(x+1, y) - P(x+1, y c)] / P(x, y)`` and
  ``P(V > t | wait) = P(x, y c) / P(x, y)``;
- the wait of answered callers: given that they waited, ``y U`` is Gamma(x+1) truncated to
  ``[0, y]``, so their mean wait is ``E[log(y / Z) | Z <= y] / theta`` (a one-dimensional
  quadrature, accurate to about 1e-12).

All of it is evaluated in log space (``callpulse.wfm._special``; series where ``P`` underflows),
so thousands of agents are fine.

Service level, stated three ways (``sl_variant``):

- ``"offered"`` (default, as in the literature): answered within ``answer_time`` / offered;
- ``"answered"``: answered within ``answer_time`` / answered;
- ``"exclude_early_abandons"``: answered within ``answer_time`` / (offered - abandoned within
  ``answer_time``), the call-center convention of not counting short abandons.

ASA is the mean wait of *answered* calls; ``mean_wait`` is the mean time in queue over *all*
callers (abandoners included), ``P(abandon) * patience``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from callpulse.wfm import _arrays as arr
from callpulse.wfm import _special as sp
from callpulse.wfm._arrays import BoolArray, FloatArray, IntArray
from callpulse.wfm._results import Record, records, shrink
from callpulse.wfm._search import UNREACHED, least_passing
from callpulse.wfm.errors import InvalidParameterError, TargetUnreachableError

__all__ = [
    "SL_VARIANTS",
    "ErlangAPerformance",
    "ErlangAStaffing",
    "SlVariant",
    "erlang_a",
    "erlang_a_performance",
]

SlVariant = Literal["offered", "answered", "exclude_early_abandons"]
SL_VARIANTS: tuple[str, ...] = get_args(SlVariant)


@dataclass(frozen=True, slots=True)
class ErlangAPerformance:
    """How a queue with impatient callers performs with a given number of agents."""

    service_level: FloatArray
    """Share answered within ``answer_time``, in the stated ``sl_variant``."""
    asa: FloatArray
    """Average speed of answer, seconds: the mean wait of answered calls (NaN with no agents)."""
    occupancy: FloatArray
    """Share of the agents' time spent handling calls: ``a (1 - P(abandon)) / n``."""
    wait_probability: FloatArray
    """Probability that a caller finds every agent busy."""
    abandon_probability: FloatArray
    """Probability that a caller hangs up before being answered."""
    mean_wait: FloatArray
    """Mean time in queue over all callers, abandoners included: ``P(abandon) * patience``."""
    sl_variant: SlVariant = "offered"

    def records(self) -> list[Record]:
        return records(self)


@dataclass(frozen=True, slots=True)
class ErlangAStaffing:
    """Required agents under Erlang A and the performance they achieve."""

    raw_agents: IntArray
    """Agents on the phones: the least ``n >= 0`` meeting the target (searched from 1, not from
    the offered load: with impatient callers fewer agents than Erlangs can meet a target)."""
    agents: IntArray
    """Agents to schedule: ``ceil(raw_agents / (1 - shrinkage))``."""
    service_level: FloatArray
    asa: FloatArray
    occupancy: FloatArray
    wait_probability: FloatArray
    abandon_probability: FloatArray
    mean_wait: FloatArray
    sl_variant: SlVariant = "offered"

    def records(self) -> list[Record]:
        return records(self)


@dataclass(frozen=True, slots=True)
class _Inputs:
    """Validated flat arrays of one length."""

    calls: FloatArray
    aht: FloatArray
    interval: FloatArray
    patience: FloatArray
    answer_time: FloatArray


def _variant(sl_variant: str) -> SlVariant:
    if sl_variant == "offered":
        return "offered"
    if sl_variant == "answered":
        return "answered"
    if sl_variant == "exclude_early_abandons":
        return "exclude_early_abandons"
    raise InvalidParameterError("sl_variant", f"one of {', '.join(SL_VARIANTS)}", sl_variant)


def _busy(inp: _Inputs) -> BoolArray:
    """Intervals with load (a load that underflows to 0 in floating point counts as none)."""
    a = inp.calls * inp.aht / inp.interval
    y = inp.calls * inp.patience / inp.interval
    return np.asarray((a > 0) & (y > 0), dtype=np.bool_)


def _evaluate(
    inp: _Inputs, n: FloatArray, variant: SlVariant, *, full: bool
) -> dict[str, FloatArray]:
    """Service level, P(abandon) and occupancy (and with ``full`` the rest) at ``n`` agents."""
    size = n.shape[0]
    a = inp.calls * inp.aht / inp.interval
    busy = _busy(inp)
    sl = np.where(busy, 0.0, 1.0)
    p_wait = np.where(busy, 1.0, 0.0)
    p_abandon = p_wait.copy()
    occupancy = np.zeros(size)
    asa = np.where(busy, np.nan, 0.0)
    m = np.flatnonzero((n > 0) & busy)
    if m.size:
        nn, am = n[m], a[m]
        theta_t = inp.answer_time[m] / inp.patience[m]
        x = nn * inp.patience[m] / inp.aht[m]
        y = inp.calls[m] * inp.patience[m] / inp.interval[m]
        yc = y * np.exp(-theta_t)
        log_b = sp.log_erlang_b(nn, am)
        log_p, log_m = sp.log_gamma_p_and_kummer(x, y)
        pw = sp.expit(log_m + log_b - sp.log1mexp(log_b))
        # P(answered | wait) = x/y P(x+1, y) / P(x, y); within T it loses x/y P(x+1, yc) / P(x, y).
        log_x_y = np.log(x) - np.log(y)
        with np.errstate(under="ignore"):
            served_w = np.clip(np.exp(log_x_y + sp.log_gamma_p(x + 1.0, y) - log_p), 0.0, 1.0)
            sl_w = served_w - np.exp(log_x_y + sp.log_gamma_p(x + 1.0, yc) - log_p)
        # Overloaded (y c > x + 1) that difference is small; take it as x/y (Q(x+1, yc) -
        # Q(x+1, y)) / P(x, y) instead.
        upper = np.flatnonzero(yc > x + 1.0)
        if upper.size:
            xu, yu, ycu = x[upper], y[upper], yc[upper]
            sl_w[upper] = (
                (xu / yu)
                * (sp.gammaincc(xu + 1.0, ycu) - sp.gammaincc(xu + 1.0, yu))
                / sp.gammainc(xu, yu)
            )
        sl_w = np.clip(sl_w, 0.0, 1.0)
        sl_offered = (1.0 - pw) + pw * sl_w
        pab = pw * (1.0 - served_w)
        if variant == "offered":
            sl_m = sl_offered
        elif variant == "answered":
            sl_m = sl_offered / (1.0 - pab)
        else:
            # P(V > T | wait) = P(x, yc) / P(x, y), so that the share of waiting callers who
            # abandon within T is 1 - P(answered within T | wait) - e**(-theta T) P(V > T | wait).
            with np.errstate(under="ignore"):
                beyond_w = np.exp(sp.log_gamma_p(x, yc) - log_p)
            early_w = np.clip(1.0 - sl_w - np.exp(-theta_t) * beyond_w, 0.0, 1.0)
            sl_m = sl_offered / (1.0 - pw * early_w)
        sl[m] = np.clip(sl_m, 0.0, 1.0)
        p_wait[m] = pw
        p_abandon[m] = pab
        occupancy[m] = np.minimum(am * (1.0 - pab) / nn, 1.0)
        if full:
            gap = sp.truncated_gamma_log_gap(x + 1.0, y)
            asa[m] = pw * served_w * gap * inp.patience[m] / (1.0 - pab)
    out = {"service_level": sl, "abandon_probability": p_abandon, "occupancy": occupancy}
    if full:
        out["wait_probability"] = p_wait
        out["asa"] = asa
        out["mean_wait"] = p_abandon * inp.patience
    return out


def _validate(
    calls: npt.ArrayLike,
    aht: npt.ArrayLike,
    patience: npt.ArrayLike,
    interval: npt.ArrayLike,
    answer_time: npt.ArrayLike,
    **more: FloatArray,
) -> tuple[tuple[int, ...], _Inputs, list[FloatArray]]:
    named = {
        "calls": arr.non_negative("calls", calls),
        "aht": arr.positive("aht", aht),
        "patience": arr.positive("patience", patience),
        "interval": arr.positive("interval", interval),
        "answer_time": arr.non_negative("answer_time", answer_time),
        **more,
    }
    shape, flat = arr.broadcast(**named)
    c, h, p, iv, t, *rest = flat
    return shape, _Inputs(calls=c, aht=h, interval=iv, patience=p, answer_time=t), rest


def erlang_a_performance(
    *,
    calls: npt.ArrayLike,
    aht: npt.ArrayLike,
    patience: npt.ArrayLike,
    agents: npt.ArrayLike,
    interval: npt.ArrayLike,
    answer_time: npt.ArrayLike,
    sl_variant: SlVariant = "offered",
) -> ErlangAPerformance:
    """Service level (in ``sl_variant``), ASA, occupancy, P(wait) and P(abandon) with ``agents``
    on the phones. Numbers or arrays, broadcast together; times in seconds."""
    variant = _variant(sl_variant)
    n = arr.agent_counts("agents", agents).astype(np.float64)
    shape, inp, (nf,) = _validate(calls, aht, patience, interval, answer_time, agents=n)
    res = _evaluate(inp, nf, variant, full=True)
    return ErlangAPerformance(
        service_level=res["service_level"].reshape(shape),
        asa=res["asa"].reshape(shape),
        occupancy=res["occupancy"].reshape(shape),
        wait_probability=res["wait_probability"].reshape(shape),
        abandon_probability=res["abandon_probability"].reshape(shape),
        mean_wait=res["mean_wait"].reshape(shape),
        sl_variant=variant,
    )


def erlang_a(
    *,
    calls: npt.ArrayLike,
    aht: npt.ArrayLike,
    patience: npt.ArrayLike,
    interval: npt.ArrayLike,
    target_sl: npt.ArrayLike,
    answer_time: npt.ArrayLike,
    max_occupancy: npt.ArrayLike | None = None,
    shrinkage: npt.ArrayLike = 0.0,
    sl_variant: SlVariant = "offered",
) -> ErlangAStaffing:
    """Required agents per interval under Erlang A, and what they achieve.

    ``raw_agents`` is the exact least ``n`` whose service level (in ``sl_variant``) is at least
    ``target_sl`` and, if ``max_occupancy`` is given, whose occupancy is at most that; the search
    covers every ``n >= 1`` (fewer agents than the offered load can suffice when callers are
    impatient). ``agents`` is ``ceil(raw_agents / (1 - shrinkage))``. Zero calls need zero agents.

    Raises :class:`~callpulse.wfm.errors.InvalidParameterError` naming the parameter for bad
    input (as :func:`~callpulse.wfm.erlang_c.erlang_c`, plus ``patience`` not positive or an
    unknown ``sl_variant``) and :class:`~callpulse.wfm.errors.TargetUnreachableError` for a
    service-level target of 1 while calls arrive.
    """
    variant = _variant(sl_variant)
    shape, inp, (target, occ, shr) = _validate(
        calls,
        aht,
        patience,
        interval,
        answer_time,
        target_sl=arr.target_fraction("target_sl", target_sl),
        max_occupancy=arr.occupancy_fraction("max_occupancy", max_occupancy),
        shrinkage=arr.shrinkage_fraction("shrinkage", shrinkage),
    )
    busy = _busy(inp)
    if bool(np.any(busy & (target >= 1))):
        first = int(np.flatnonzero(busy & (target >= 1))[0])
        raise TargetUnreachableError(
            "target_sl",
            "a service level of 1 is never met while calls arrive (it must be below 1)",
            float(target[first]),
            first if shape else None,
        )
    raw = np.zeros(inp.calls.shape, dtype=np.int64)
    index = np.flatnonzero(busy)
    if index.size:
        sub_inp = _Inputs(
            calls=inp.calls[index],
            aht=inp.aht[index],
            interval=inp.interval[index],
            patience=inp.patience[index],
            answer_time=inp.answer_time[index],
        )
        sub_target, sub_occ = target[index], occ[index]
        load = sub_inp.calls * sub_inp.aht / sub_inp.interval

        def passes(sub: IntArray, n: IntArray) -> BoolArray:
            probe = _Inputs(
                calls=sub_inp.calls[sub],
                aht=sub_inp.aht[sub],
                interval=sub_inp.interval[sub],
                patience=sub_inp.patience[sub],
                answer_time=sub_inp.answer_time[sub],
            )
            res = _evaluate(probe, n.astype(np.float64), variant, full=False)
            ok = (res["service_level"] >= sub_target[sub]) & (res["occupancy"] <= sub_occ[sub])
            return np.asarray(ok, dtype=np.bool_)

        # Start at the offered load and gallop either way: the answer may lie below it.
        guess = np.maximum(np.ceil(load).astype(np.int64), 1)
        cap = np.ceil(load / sub_occ + 60.0 * np.sqrt(load) + 100.0).astype(np.int64)
        found = least_passing(passes, np.zeros_like(guess), guess, cap)
        if bool(np.any(found == UNREACHED)):
            first = int(np.flatnonzero(found == UNREACHED)[0])
            raise TargetUnreachableError(
                "target_sl",
                "no number of agents reaches it",
                float(sub_target[first]),
                int(index[first]) if shape else None,
            )
        raw[index] = found
    res = _evaluate(inp, raw.astype(np.float64), variant, full=True)
    return ErlangAStaffing(
        raw_agents=raw.reshape(shape),
        agents=shrink(raw, shr).reshape(shape),
        service_level=res["service_level"].reshape(shape),
        asa=res["asa"].reshape(shape),
        occupancy=res["occupancy"].reshape(shape),
        wait_probability=res["wait_probability"].reshape(shape),
        abandon_probability=res["abandon_probability"].reshape(shape),
        mean_wait=res["mean_wait"].reshape(shape),
        sl_variant=variant,
    )

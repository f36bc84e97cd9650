"""Slow, independent references for the engine's tests: exact rational arithmetic, a brute-force
Markov chain, and a discrete-event simulation. None of them shares code with callpulse.wfm."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.linalg import expm


@dataclass(frozen=True)
class Measures:
    service_level: float
    asa: float
    occupancy: float
    wait_probability: float
    abandon_probability: float = 0.0


def erlang_c_exact(
    calls: float, aht: float, interval: float, agents: int, answer_time: float
) -> Measures:
    """Erlang C by the Erlang B recurrence in exact rationals (the inputs' floats taken exactly)."""
    a = Fraction(calls) * Fraction(aht) / Fraction(interval)
    n = agents
    if a == 0:
        return Measures(1.0, 0.0, 0.0, 0.0)
    assert n > a, "Erlang C needs more agents than Erlangs"
    b = Fraction(1)
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    c = n * b / (n - a + a * b)
    sl = 1.0 - float(c) * math.exp(-float(n - a) * answer_time / aht)
    return Measures(
        service_level=sl,
        asa=float(c * Fraction(aht) / (n - a)),
        occupancy=float(a / n),
        wait_probability=float(c),
    )


def erlang_c_required_exact(
    calls: float, aht: float, interval: float, target: float, answer_time: float
) -> int:
    """The least n > a meeting the target, by walking up from floor(a) + 1 (exact rationals)."""
    a = Fraction(calls) * Fraction(aht) / Fraction(interval)
    n = math.floor(a) + 1
    while erlang_c_exact(calls, aht, interval, n, answer_time).service_level < target:
        n += 1
    return n


@dataclass(frozen=True)
class ErlangAMeasures:
    offered: float  # answered within T / offered
    answered: float  # answered within T / answered
    exclude_early_abandons: float  # answered within T / (offered - abandoned within T)
    asa: float  # mean wait of answered calls
    occupancy: float
    wait_probability: float
    abandon_probability: float


def erlang_a_ctmc(
    calls: float, aht: float, patience: float, interval: float, agents: int, answer_time: float
) -> ErlangAMeasures:
    """M/M/n+M by brute force: the stationary distribution of the birth-death chain (truncated
    where the tail is below e**-60), and the tagged caller's absorbing chain (position in queue ->
    answered / abandoned) integrated with a matrix exponential."""
    lam, mu, theta, n = calls / interval, 1.0 / aht, 1.0 / patience, agents
    logs = [0.0]
    j = 0
    while True:
        j += 1
        death = min(j, n) * mu + max(j - n, 0) * theta
        logs.append(logs[-1] + math.log(lam / death))
        if j > n + 5 and logs[-1] < max(logs) - 60:
            break
    p = np.exp(np.array(logs) - max(logs))
    p /= p.sum()
    queue = p[n:]  # an arrival finds n + k in the system, k ahead of it in the queue
    k_max = len(queue)
    served_idx, abandoned_idx = k_max, k_max + 1
    q = np.zeros((k_max + 2, k_max + 2))
    for k in range(k_max):
        advance = n * mu + k * theta
        q[k, served_idx if k == 0 else k - 1] += advance
        q[k, abandoned_idx] += theta
        q[k, k] -= advance + theta
    flow = expm(q * answer_time)
    served_by_t = flow[:k_max, served_idx]
    abandoned_by_t = flow[:k_max, abandoned_idx]
    served_ever = np.empty(k_max)
    mean_wait_served = np.empty(k_max)  # E[V 1{answered}] given k ahead
    prob, rate_sum = 1.0, 0.0
    for k in range(k_max):
        r = n * mu + k * theta
        prob *= r / (r + theta)
        rate_sum += 1.0 / (r + theta)
        served_ever[k] = prob
        mean_wait_served[k] = prob * rate_sum
    sl = float(p[:n].sum() + queue @ served_by_t)
    p_abandon = float(queue @ (1.0 - served_ever))
    early = float(queue @ abandoned_by_t)
    return ErlangAMeasures(
        offered=sl,
        answered=sl / (1.0 - p_abandon),
        exclude_early_abandons=sl / (1.0 - early),
        asa=float(queue @ mean_wait_served) / (1.0 - p_abandon),
        occupancy=lam * (1.0 - p_abandon) / (n * mu),
        wait_probability=float(queue.sum()),
        abandon_probability=p_abandon,
    )


@dataclass(frozen=True)
class Simulated:
    service_level: float
    service_level_se: float
    abandon_probability: float
    abandon_probability_se: float
    wait_probability: float
    asa: float


def simulate_mmn_m(
    calls: float,
    aht: float,
    patience: float,
    interval: float,
    agents: int,
    answer_time: float,
    *,
    customers: int,
    seed: int,
    batches: int = 20,
) -> Simulated:
    """Discrete-event simulation of M/M/n+M in first-come-first-served order.

    Callers take, in order of arrival, the agent that frees first; one whose wait for it would
    exceed their patience hangs up and leaves the agent to the next caller (the Kiefer-Wolfowitz
    recursion with abandonment). The first tenth is discarded as warm-up; standard errors come from
    batch means."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(interval / calls, customers)).tolist()
    services = rng.exponential(aht, customers).tolist()
    patiences = rng.exponential(patience, customers).tolist()
    free = [0.0] * agents
    answered_in_time = np.zeros(customers, dtype=bool)
    abandoned = np.zeros(customers, dtype=bool)
    waited = np.zeros(customers, dtype=bool)
    wait = np.zeros(customers)
    for i in range(customers):
        t = arrivals[i]
        earliest = free[0]
        start = t if earliest <= t else earliest
        waited[i] = earliest > t
        if start - t > patiences[i]:
            abandoned[i] = True
            continue
        wait[i] = start - t
        answered_in_time[i] = start - t <= answer_time
        heapq.heapreplace(free, start + services[i])
    keep = slice(customers // 10, None)
    sl_all, ab_all = answered_in_time[keep], abandoned[keep]
    sl_batches = np.array([b.mean() for b in np.array_split(sl_all, batches)])
    ab_batches = np.array([b.mean() for b in np.array_split(ab_all, batches)])
    served = ~abandoned[keep]
    return Simulated(
        service_level=float(sl_all.mean()),
        service_level_se=float(sl_batches.std(ddof=1) / math.sqrt(batches)),
        abandon_probability=float(ab_all.mean()),
        abandon_probability_se=float(ab_batches.std(ddof=1) / math.sqrt(batches)),
        wait_probability=float(waited[keep].mean()),
        asa=float(wait[keep][served].mean()),
    )

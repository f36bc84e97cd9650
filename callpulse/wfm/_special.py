"""Special functions for the queueing formulas: vectorised, in log space (internal).

``scipy.special`` supplies the regularised incomplete gamma functions. Where they underflow (deep
tails: thousands of agents, loads far from the staffing level) the same quantities come from
series summed term by term, or, where a series would converge slowly, from an integral
representation evaluated by Gauss-Legendre quadrature around the peak of its (log-concave)
integrand. Nothing here overflows and no factorial is ever formed; values agree with 40-digit
references to about 1e-13 relative up to arguments of 1e5 (the incomplete gamma functions of
scipy lose digits beyond that: about 1e-10 at 1e6).

Notation: ``P(s, z)`` and ``Q(s, z)`` are the regularised lower and upper incomplete gamma
functions; ``M(x, y) = sum_{j>=0} y**j / ((x+1)(x+2)...(x+j))`` (Kummer's ``1F1(1; x+1; y)``) is
the normalising sum of the queue part of the Erlang A chain.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special as _sp  # type: ignore[import-untyped]

from callpulse.wfm._arrays import FloatArray

__all__ = [
    "expit",
    "log1mexp",
    "log1pmx",
    "log_erlang_b",
    "log_gamma_p",
    "log_gamma_p_and_kummer",
    "log_gamma_scale",
    "log_kummer",
    "log_poisson_pmf",
    "ndtr",
    "stirlerr",
    "truncated_gamma_log_gap",
]

_TINY = 1e-280  # below this an incomplete-gamma value is treated as underflowed
_SERIES_EPS = 1e-17  # relative size of the last term kept in a series


def _f64(value: object) -> FloatArray:
    return np.asarray(value, dtype=np.float64)


_WINDOW_DROP = 45.0  # the quadrature window holds everything above exp(-45) of the peak
_PANELS = 4  # the window is cut into equal panels, each with a 32-point Gauss-Legendre rule


def _composite_gauss_legendre(panels: int, points: int) -> tuple[FloatArray, FloatArray]:
    """Nodes and weights of a composite Gauss-Legendre rule on [-1, 1]."""
    nodes, weights = np.polynomial.legendre.leggauss(points)
    width = 2.0 / panels
    left = -1.0 + width * np.arange(panels)
    all_nodes = (left[:, None] + 0.5 * width * (nodes[None, :] + 1.0)).ravel()
    all_weights = np.tile(0.5 * width * weights, panels)
    return _f64(all_nodes), _f64(all_weights)


_GL_NODES, _GL_WEIGHTS = _composite_gauss_legendre(_PANELS, 32)


def gammainc(s: FloatArray, z: FloatArray) -> FloatArray:
    """Regularised lower incomplete gamma ``P(s, z)``."""
    return _f64(_sp.gammainc(s, z))


def gammaincc(s: FloatArray, z: FloatArray) -> FloatArray:
    """Regularised upper incomplete gamma ``Q(s, z)``."""
    return _f64(_sp.gammaincc(s, z))


def gammaln(z: FloatArray) -> FloatArray:
    return _f64(_sp.gammaln(z))


def ndtr(z: FloatArray) -> FloatArray:
    """The standard normal distribution function."""
    return _f64(_sp.ndtr(z))


def expit(z: FloatArray) -> FloatArray:
    """The logistic function ``1 / (1 + exp(-z))``, safe for any ``z`` including +-inf."""
    return _f64(_sp.expit(z))


def log1mexp(log_p: FloatArray) -> FloatArray:
    """``log(1 - exp(log_p))`` for ``log_p <= 0``, accurate at both ends."""
    out = np.empty_like(log_p)
    near = log_p > -np.log(2.0)
    with np.errstate(divide="ignore"):
        out[near] = np.log(-np.expm1(log_p[near]))
        out[~near] = np.log1p(-np.exp(log_p[~near]))
    return out


_LOG_2PI = float(np.log(2.0 * np.pi))
_STIRLING = (1.0 / 12.0, -1.0 / 360.0, 1.0 / 1260.0, -1.0 / 1680.0, 1.0 / 1188.0)


def log1pmx(r: FloatArray) -> FloatArray:
    """``log(1 + r) - r`` for ``r >= -1``, without cancellation near 0.

    Near 0 it uses ``u = r / (2 + r)``: ``log(1 + r) - r = -r u + 2 sum_{j>=1} u**(2j+1) / (2j+1)``
    (the form of Loader's ``bd0``), whose terms fall like ``u**2 <= 0.02``.
    """
    r = _f64(r)
    with np.errstate(divide="ignore"):
        out = np.log1p(r) - r
    small = np.abs(r) < 0.25
    if bool(np.any(small)):
        rs = r[small]
        u = rs / (2.0 + rs)
        u2 = u * u
        power = u * u2
        acc = np.zeros_like(rs)
        for j in range(1, 12):
            acc += power / (2 * j + 1)
            power = power * u2
        out[small] = 2.0 * acc - rs * u
    return out


def stirlerr(x: FloatArray) -> FloatArray:
    """``log Gamma(x) - ((x - 1/2) log x - x + log(2 pi) / 2)``, the error of Stirling's formula."""
    x = _f64(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = gammaln(x) - ((x - 0.5) * np.log(x) - x + 0.5 * _LOG_2PI)
    large = x >= 15.0
    if bool(np.any(large)):
        inv = 1.0 / x[large]
        inv2 = inv * inv
        acc = np.zeros_like(inv)
        for c in reversed(_STIRLING):
            acc = acc * inv2 + c
        out[large] = acc * inv
    return out


def _scaled_log1pmx(n: FloatArray, a: FloatArray) -> FloatArray:
    """``n * log1pmx((a - n) / n) = n log(a / n) - a + n`` for ``n > 0, a >= 0``: through
    :func:`log1pmx` near ``a = n``, through ``log(a / n)`` elsewhere (``log a - log n`` where that
    ratio is not representable), so that an ``a`` orders of magnitude from ``n`` keeps its value."""
    out = np.empty_like(n)
    near = np.abs(a - n) < 0.5 * n
    out[near] = n[near] * log1pmx((a[near] - n[near]) / n[near])
    far = ~near
    nf, af = n[far], a[far]
    with np.errstate(divide="ignore", over="ignore", under="ignore"):
        ratio = af / nf
        log_ratio = np.where(
            (ratio > 0) & np.isfinite(ratio), np.log(ratio), np.log(af) - np.log(nf)
        )
    out[far] = nf * log_ratio - af + nf
    return out


def log_poisson_pmf(n: FloatArray, a: FloatArray) -> FloatArray:
    """``log(a**n e**-a / n!)`` in saddle-point form: no cancellation for large ``n`` and ``a``."""
    n, a = np.broadcast_arrays(_f64(n), _f64(a))
    out = -a.copy()
    pos = n > 0
    if bool(np.any(pos)):
        nn, aa = n[pos], a[pos]
        out[pos] = -0.5 * (_LOG_2PI + np.log(nn)) - stirlerr(nn) + _scaled_log1pmx(nn, aa)
    return out


def log_gamma_scale(x: FloatArray, y: FloatArray) -> FloatArray:
    """``log(x e**y y**-x Gamma(x))`` for ``x > 0, y > 0`` (so that ``M(x, y)`` is this times
    ``P(x, y)``), without cancellation for large ``x``."""
    return 0.5 * (_LOG_2PI + np.log(x)) + stirlerr(x) - _scaled_log1pmx(x, y)


# --------------------------------------------------------------------------- quadrature

LogDensity = Callable[[FloatArray], FloatArray]


def _drop_distance(g: LogDensity, span: FloatArray, sign: float) -> FloatArray:
    """Distance ``d`` in ``[0, span]`` (towards ``sign``) at which the concave ``g`` (``g(0) = 0``
    is its peak) has fallen to ``-_WINDOW_DROP`` (``span`` if it has not), by bisection."""
    lo = np.zeros_like(span)
    hi = span.copy()
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            dropped = ~(g((sign * mid)[:, None])[:, 0] > -_WINDOW_DROP)
        hi = np.where(dropped, mid, hi)
        lo = np.where(dropped, lo, mid)
    return hi


def _concave_quadrature(
    g: LogDensity, left_span: FloatArray, right_span: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Quadrature of ``exp(g(d))`` over ``[-left_span, right_span]`` for a concave ``g`` whose
    peak is ``g(0) = 0`` (callers shift their density to its peak, so that a narrow peak far
    from zero loses no resolution).

    ``g`` takes an ``(N, K)`` array of offsets (row ``i`` for element ``i``). The window is cut to
    where ``g >= -45``, and a composite Gauss-Legendre rule (4 x 32 points) is laid on it.
    Returns ``log`` of the integral, the offsets ``(N, 128)`` and their normalised weights (rows
    summing to 1), so that ``sum(weights * f(offsets))`` is the mean of ``f`` under ``exp(g)``.
    """
    lower = -_drop_distance(g, left_span, -1.0)
    upper = _drop_distance(g, right_span, 1.0)
    half = 0.5 * (upper - lower)
    offsets = (0.5 * (upper + lower))[:, None] + half[:, None] * _GL_NODES
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        weighted = np.nan_to_num(np.exp(g(offsets)), nan=0.0) * _GL_WEIGHTS
        total = np.sum(weighted, axis=-1)
        log_integral = np.log(total * half)
        weights = weighted / total[:, None]
    return log_integral, offsets, weights


# --------------------------------------------------------------------------- Erlang B, Kummer


def _log_inverse_erlang_b_small(n: FloatArray, a: FloatArray) -> FloatArray:
    """``log(1 / B(n, a))`` for ``n`` below ``a``.

    A finite series, ``1/B = sum_{k=0}^{n} n(n-1)...(n-k+1) / a**k``, whose terms shrink at least
    as fast as ``(n/a)**k``; where that ratio is near 1 (huge loads), the integral
    ``1/B = a * integral_0^inf exp(-a t) (1 + t)**n dt`` by quadrature instead.
    """
    out = np.empty_like(n)
    slow = (n > 50.0) & (n > 0.8 * a)
    fast = ~slow
    if bool(np.any(fast)):
        nn, aa = n[fast], a[fast]
        total = np.ones_like(nn)
        term = np.ones_like(nn)
        k = 0.0
        while True:
            term = term * (np.maximum(nn - k, 0.0) / aa)
            total += term
            k += 1.0
            if not bool(np.any(term > _SERIES_EPS * total)):
                break
        out[fast] = np.log(total)
    if bool(np.any(slow)):
        ns, as_ = n[slow], a[slow]
        nc, ac = ns[:, None], as_[:, None]

        def g(t: FloatArray) -> FloatArray:
            return -ac * t + nc * np.log1p(t)

        # g(d) <= -(a - n) d: the window ends before 45 / (a - n).
        span = _WINDOW_DROP / (as_ - ns) * 1.01
        log_integral, _, _ = _concave_quadrature(g, np.zeros_like(ns), span)
        out[slow] = np.log(as_) + log_integral
    return out


def log_erlang_b(n: FloatArray, a: FloatArray) -> FloatArray:
    """``log B(n, a)``: Erlang's loss formula for ``n >= 0`` servers and offered load ``a >= 0``.

    ``B(n, a) = pmf(n; a) / cdf(n; a)`` of a Poisson(a) variable, and ``cdf(n; a) = Q(n+1, a)``.
    Where that cdf underflows (``n`` far below ``a``), through a series or an integral for
    ``1/B`` (see :func:`_log_inverse_erlang_b_small`).
    """
    n, a = np.broadcast_arrays(_f64(n), _f64(a))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = gammaincc(n + 1.0, a)
        out = log_poisson_pmf(n, a) - np.log(q)
    out[n == 0] = 0.0
    bad = ~(q > _TINY) & (n > 0)
    if bool(np.any(bad)):
        out[bad] = -_log_inverse_erlang_b_small(n[bad], a[bad])
    return out


def _log_kummer_below(x: FloatArray, y: FloatArray) -> FloatArray:
    """``log M(x, y)``: the series where its terms fall fast (ratio ``y / (x + k)`` at most 0.8,
    or small ``x``), else the integral ``M(x, y) = x * integral_0^inf exp(-x t + y (1 - e**-t))
    dt`` by quadrature (``u = 1 - e**-t`` in ``x * integral_0^1 e**(y u) (1 - u)**(x - 1) du``)."""
    out = np.empty_like(x)
    slow = (x > 50.0) & (y > 0.8 * x)
    fast = ~slow
    if bool(np.any(fast)):
        xs, ys = x[fast], y[fast]
        total = np.ones_like(xs)
        term = np.ones_like(xs)
        k = 0.0
        while True:
            k += 1.0
            term = term * (ys / (xs + k))
            total += term
            if not bool(np.any(term > _SERIES_EPS * total)):
                break
        out[fast] = np.log(total)
    if bool(np.any(slow)):
        xs, ys = x[slow], y[slow]
        peak = np.maximum(np.log(ys) - np.log(xs), 0.0)  # h(t) = -x t - y expm1(-t) peaks here
        h_peak = -xs * peak - ys * np.expm1(-peak)
        xc, qc = xs[:, None], (ys * np.exp(-peak))[:, None]

        def g(d: FloatArray) -> FloatArray:
            return _f64(-xc * d - qc * np.expm1(-d))

        # g(d) <= -x (d - 1 + e**-d), which is <= -45 at d = sqrt(135 / x) + 90 / x.
        span = np.sqrt(135.0 / xs) + 90.0 / xs
        log_integral, _, _ = _concave_quadrature(g, peak, span)
        out[slow] = np.log(xs) + h_peak + log_integral
    return out


def log_gamma_p_and_kummer(s: FloatArray, z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``(log P(s, z), log M(s, z))`` for ``s > 0, z > 0``, related by
    ``M(s, z) = s e**z z**-s Gamma(s) P(s, z)``.

    ``P`` from ``gammainc`` where it is representable, and ``M`` from it where ``z > s/2``;
    elsewhere ``M`` directly (series or integral, :func:`_log_kummer_below`) and, where ``P``
    underflows, ``P`` from it.
    """
    s, z = np.broadcast_arrays(_f64(s), _f64(z))
    p = gammainc(s, z)
    scale = log_gamma_scale(s, z)
    with np.errstate(divide="ignore"):
        log_p = np.log(p)
    log_m = scale + log_p
    representable = p > _TINY
    below = ~(representable & (z > 0.5 * s))
    if bool(np.any(below)):
        log_m[below] = _log_kummer_below(s[below], z[below])
    deep = ~representable
    if bool(np.any(deep)):
        log_p[deep] = log_m[deep] - scale[deep]
    return log_p, log_m


def log_gamma_p(s: FloatArray, z: FloatArray) -> FloatArray:
    """``log P(s, z)``, the log of the regularised lower incomplete gamma, for ``s > 0, z >= 0``
    (``-inf`` at ``z = 0``); representable however deep in the tail."""
    s, z = np.broadcast_arrays(_f64(s), _f64(z))
    out = np.full_like(s, -np.inf)
    pos = z > 0
    if bool(np.any(pos)):
        out[pos] = log_gamma_p_and_kummer(s[pos], z[pos])[0]
    return out


def log_kummer(x: FloatArray, y: FloatArray) -> FloatArray:
    """``log M(x, y)``, ``M(x, y) = sum_{j>=0} y**j / ((x+1)...(x+j))``, for ``x > 0, y >= 0``."""
    x, y = np.broadcast_arrays(_f64(x), _f64(y))
    out = np.zeros_like(x)
    pos = y > 0
    if bool(np.any(pos)):
        out[pos] = log_gamma_p_and_kummer(x[pos], y[pos])[1]
    return out


def truncated_gamma_log_gap(s: FloatArray, y: FloatArray) -> FloatArray:
    """``E[log(y / Z) | Z <= y]`` for ``Z ~ Gamma(s, 1)``, ``s > 0``, ``y > 0``.

    By quadrature in ``w = log z``, where the density ``exp(s w - e**w)`` is log-concave with its
    peak at ``m = min(log s, log y)`` on ``w <= log y``; the offsets ``d = w - m`` have the log
    density ``s d - e**m (e**d - 1)``.
    """
    s, y = np.broadcast_arrays(_f64(s), _f64(y))
    log_y = np.log(y)
    log_s = np.log(s)
    peak = np.minimum(log_s, log_y)
    sc, ec = s[:, None], np.exp(peak)[:, None]

    def g(d: FloatArray) -> FloatArray:
        return _f64(sc * d - ec * np.expm1(d))

    # g(-d) <= -s (d - 1 + e**-d), which is <= -45 at d = 1 + 45 / s;
    # g(d) = -s (e**d - 1 - d) <= -s d**2 / 2 at the untruncated peak, <= -45 at d = 10 / sqrt(s).
    room = np.maximum(log_y - log_s, 0.0)  # from the peak up to the truncation at log y
    left = 1.0 + _WINDOW_DROP / s
    right = np.minimum(10.0 / np.sqrt(s), room)
    _, offsets, weights = _concave_quadrature(g, left, right)
    gap = room - np.sum(weights * offsets, axis=-1)
    return np.asarray(np.maximum(gap, 0.0), dtype=np.float64)

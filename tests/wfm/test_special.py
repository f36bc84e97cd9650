"""The engine's special functions against high-precision references (decimal, scipy's quad)."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from scipy import integrate

from callpulse.wfm import _special as sp


def _log_kummer_decimal(x: float, y: float) -> float:
    with localcontext() as ctx:
        ctx.prec = 40
        dx, dy = Decimal(x), Decimal(y)
        term = total = Decimal(1)
        k = 0
        while True:
            k += 1
            term *= dy / (dx + k)
            total += term
            if k > y and term < Decimal("1e-30") * total:
                return float(total.ln())


def _log_erlang_b_decimal(n: int, a: float) -> float:
    with localcontext() as ctx:
        ctx.prec = 40
        da = Decimal(a)
        b = Decimal(1)
        for k in range(1, n + 1):
            b = da * b / (k + da * b)
        return float(b.ln())


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (1.0, 0.3),
        (0.3, 5.0),
        (2.0, 100.0),
        (10.0, 20.0),
        (100.0, 40.0),
        (124.7, 133.3),  # the 187-agent case
        (125.7, 112.8),
        (1000.0, 900.0),
        (4000.0, 3000.0),
        (30000.0, 29900.0),
        (1e5, 9.6e4),
        (1e5, 1.02e5),
    ],
)
def test_log_kummer(x: float, y: float) -> None:
    got = float(sp.log_kummer(np.array([x]), np.array([y]))[0])
    assert got == pytest.approx(_log_kummer_decimal(x, y), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(("x", "y"), [(60.0, 50.0), (2000.0, 1700.0), (1e5, 9.99e4), (1e6, 9.9e5)])
def test_kummer_integral_path(x: float, y: float) -> None:
    # The quadrature that replaces the series where its terms fall slowly.
    got = float(sp._log_kummer_below(np.array([x]), np.array([y]))[0])
    assert got == pytest.approx(_log_kummer_decimal(x, y), rel=1e-13)


@pytest.mark.parametrize(
    ("n", "a"),
    [
        (1, 0.5),
        (10, 10.0),
        (200, 200.0),
        (3000, 2900.0),
        (10000, 9000.0),
        (50, 1000.0),  # cdf underflows: the series
        (100, 3000.0),
        (5000, 5500.0),
        (20000, 25000.0),  # the integral
    ],
)
def test_log_erlang_b(n: int, a: float) -> None:
    got = float(sp.log_erlang_b(np.array([float(n)]), np.array([a]))[0])
    assert got == pytest.approx(_log_erlang_b_decimal(n, a), rel=1e-12, abs=1e-13)


@pytest.mark.parametrize("r", [1e-12, -1e-6, 0.1, -0.2, 0.4999, -0.4999, 0.7, -0.9, 5.0, 1e6])
def test_log1pmx(r: float) -> None:
    with localcontext() as ctx:
        ctx.prec = 50
        d = Decimal(r)
        expected = float((1 + d).ln() - d)
    assert float(sp.log1pmx(np.array([r]))[0]) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize(
    ("s", "y"),
    [(1.5, 2.0), (125.7, 133.3), (125.7, 90.0), (5000.0, 4000.0), (5000.0, 6000.0), (0.5, 3.0)],
)
def test_truncated_gamma_log_gap(s: float, y: float) -> None:
    m = min(s - 1, y) if s > 1 else y
    shift = (s - 1) * math.log(max(m, 1e-300)) - m

    def density(z: float) -> float:
        return math.exp((s - 1) * math.log(z) - z - shift)

    points = [p for p in (m, max(m - 5 * math.sqrt(s), 0.0)) if 0 < p < y]
    num = integrate.quad(
        lambda z: math.log(y / z) * density(z), 0, y, limit=1000, points=points, epsabs=0
    )[0]
    den = integrate.quad(density, 0, y, limit=1000, points=points, epsabs=0)[0]
    got = float(sp.truncated_gamma_log_gap(np.array([s]), np.array([y]))[0])
    assert got == pytest.approx(num / den, rel=1e-9)


def test_truncated_gamma_log_gap_small_window() -> None:
    # y << 1, s = 2: density ~ z (1 - z + z**2/2) on [0, y], a series gives the mean of log(y/Z).
    y = 1e-3
    expected = (0.25 - y / 9 + y * y / 32) / (0.5 - y / 3 + y * y / 8)
    got = float(sp.truncated_gamma_log_gap(np.array([2.0]), np.array([y]))[0])
    assert got == pytest.approx(expected, rel=1e-9)

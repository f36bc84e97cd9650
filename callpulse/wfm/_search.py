"""Vectorised search for the least whole number passing a monotone test (internal)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from callpulse.wfm._arrays import BoolArray, IntArray

__all__ = ["UNREACHED", "least_passing"]

UNREACHED = -1
_UNKNOWN = np.iinfo(np.int64).max


def least_passing(
    passes: Callable[[IntArray, IntArray], BoolArray],
    failing: IntArray,
    guess: IntArray,
    cap: IntArray,
) -> IntArray:
    """For every element, the least ``n`` for which ``passes`` holds.

    ``passes(index, n)`` evaluates the test for the elements ``index`` (flat positions) at ``n``
    and must be monotone in ``n`` (once true, true for every larger ``n``). ``failing`` is an
    ``n`` known to fail (the answer is above it), ``guess`` the first value to try, and ``cap``
    the largest value worth trying: elements still failing there come back as ``UNREACHED``.

    The search starts at the guess and gallops (steps 1, 2, 4, ...) away from it until the answer
    is bracketed, then bisects; with a good guess it settles in two or three evaluations.
    """
    lo = np.array(failing, dtype=np.int64).ravel()
    hi = np.full_like(lo, _UNKNOWN)
    cap_flat = np.array(cap, dtype=np.int64).ravel()
    step = np.ones_like(lo)
    probe = np.minimum(np.maximum(np.array(guess, dtype=np.int64).ravel(), lo + 1), cap_flat)
    active = np.flatnonzero(lo < cap_flat)
    probe = probe[active]
    while active.size:
        ok = passes(active, probe)
        hi[active[ok]] = probe[ok]
        lo[active[~ok]] = probe[~ok]
        low, high, st = lo[active], hi[active], step[active]
        unknown = high == _UNKNOWN
        settled = (~unknown & (high - low <= 1)) | (unknown & (low >= cap_flat[active]))
        keep = ~settled
        active, low, high = active[keep], low[keep], high[keep]
        st, unknown = st[keep], unknown[keep]
        gallop_down = ~unknown & (high - low > 2 * st)
        probe = np.where(
            unknown,
            np.minimum(low + st, cap_flat[active]),
            np.where(gallop_down, high - st, low + (high - low) // 2),
        )
        step[active] = st * 2
    result = np.where(hi == _UNKNOWN, UNREACHED, hi)
    return result.reshape(np.shape(failing))

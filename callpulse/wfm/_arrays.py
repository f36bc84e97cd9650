"""Array aliases and input validation shared by the engine's modules (internal)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from callpulse.wfm.errors import InvalidParameterError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def as_float(name: str, value: npt.ArrayLike) -> FloatArray:
    """``value`` as a float64 array, or an error naming ``name``."""
    if isinstance(value, (str, bytes)):
        raise InvalidParameterError(name, "a number or an array of numbers", value)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(name, "a number or an array of numbers", value) from exc
    return arr


def require(name: str, arr: FloatArray, ok: BoolArray, requirement: str) -> None:
    """Raise :class:`InvalidParameterError` naming the first element of ``arr`` not ``ok``."""
    flat_ok = np.ravel(ok)
    if bool(np.all(flat_ok)):
        return
    index = int(np.flatnonzero(~flat_ok)[0])
    value = float(np.ravel(arr)[index])
    raise InvalidParameterError(name, requirement, value, index if arr.ndim else None)


def non_negative(name: str, value: npt.ArrayLike) -> FloatArray:
    arr = as_float(name, value)
    require(name, arr, np.isfinite(arr) & (arr >= 0), "a finite number >= 0")
    return arr


def positive(name: str, value: npt.ArrayLike) -> FloatArray:
    arr = as_float(name, value)
    require(name, arr, np.isfinite(arr) & (arr > 0), "a finite number > 0")
    return arr


def target_fraction(name: str, value: npt.ArrayLike) -> FloatArray:
    """A service-level target: in (0, 1]; a target of 1 is accepted here and found unreachable
    by the staffing search (it can only be met when there are no calls)."""
    arr = as_float(name, value)
    require(name, arr, np.isfinite(arr) & (arr > 0) & (arr <= 1), "a fraction in (0, 1)")
    return arr


def shrinkage_fraction(name: str, value: npt.ArrayLike) -> FloatArray:
    arr = as_float(name, value)
    require(name, arr, np.isfinite(arr) & (arr >= 0) & (arr < 1), "a fraction in [0, 1)")
    return arr


def occupancy_fraction(name: str, value: npt.ArrayLike | None) -> FloatArray:
    """A maximum occupancy in (0, 1]; ``None`` means no cap (1)."""
    if value is None:
        return np.ones((), dtype=np.float64)
    arr = as_float(name, value)
    require(name, arr, np.isfinite(arr) & (arr > 0) & (arr <= 1), "a fraction in (0, 1]")
    return arr


def agent_counts(name: str, value: npt.ArrayLike) -> IntArray:
    arr = as_float(name, value)
    ok = np.isfinite(arr) & (arr >= 0)
    require(name, arr, ok, "a whole number >= 0")
    require(name, arr, arr == np.floor(arr), "a whole number >= 0")
    return arr.astype(np.int64)


def broadcast(**arrays: FloatArray) -> tuple[tuple[int, ...], list[FloatArray]]:
    """Broadcast the named float arrays together: their common shape, and each as a flat copy
    (the engine computes on 1-d arrays and reshapes its results to that shape)."""
    shape: tuple[int, ...] = ()
    for name, a in arrays.items():
        try:
            shape = np.broadcast_shapes(shape, a.shape)
        except ValueError as exc:
            raise InvalidParameterError(
                name, f"an array whose shape {a.shape} broadcasts with {shape}"
            ) from exc
    flat = [np.array(np.broadcast_to(a, shape), dtype=np.float64).ravel() for a in arrays.values()]
    return shape, flat

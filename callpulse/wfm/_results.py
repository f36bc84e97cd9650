"""Shared helpers for the engine's result records (internal)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from callpulse.wfm._arrays import FloatArray, IntArray

Record = dict[str, float | int]


def records(result: Any) -> list[Record]:
    """One plain ``dict`` per element of a result dataclass of equally shaped arrays."""
    columns: dict[str, FloatArray | IntArray] = {
        field.name: np.ravel(getattr(result, field.name))
        for field in dataclasses.fields(result)
        if isinstance(getattr(result, field.name), np.ndarray)
    }
    size = len(next(iter(columns.values()))) if columns else 0
    out: list[Record] = []
    for i in range(size):
        row: Record = {}
        for name, column in columns.items():
            value = column[i]
            row[name] = int(value) if np.issubdtype(column.dtype, np.integer) else float(value)
        out.append(row)
    return out


def shrink(raw_agents: IntArray, shrinkage: FloatArray) -> IntArray:
    """Agents to schedule so that ``raw_agents`` remain after shrinkage:
    ``ceil(raw / (1 - shrinkage))``, the quotient rounded to 9 decimals first so that float noise
    (``14 / (1 - 0.3) = 20.000000000000004``) does not add an agent."""
    return np.ceil(np.round(raw_agents / (1.0 - shrinkage), 9)).astype(np.int64)

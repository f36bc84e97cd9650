"""Splitting an amount by weights so the parts sum exactly to the whole (pure, no database).

The rule: every part gets its exact share rounded down to the unit (a kopeck/tiyn for money,
a thousandth for volume); the units left over go one each to the parts with the largest
remainders, ties broken by name, then by key. With all weights zero the split is equal.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Part:
    key: Hashable
    name: str
    weight: Decimal


def split_exact(
    total: Decimal, parts: Sequence[Part], *, unit: Decimal = CENT
) -> dict[Hashable, Decimal]:
    """`total` shared by weight; the result sums exactly to `total` (largest remainder)."""
    if not parts:
        return {}
    if any(p.weight < 0 for p in parts):
        raise ValueError("weights must not be negative")
    units = int((total / unit).to_integral_value())
    if Decimal(units) * unit != total:
        raise ValueError("total is not a whole number of units")
    weights = [Fraction(p.weight) for p in parts]
    if sum(weights) == 0:
        weights = [Fraction(1)] * len(parts)
    whole = sum(weights)
    exact = [Fraction(units) * w / whole for w in weights]
    floors = [int(e // 1) for e in exact]
    left = units - sum(floors)
    order = sorted(
        range(len(parts)),
        key=lambda i: (-(exact[i] - floors[i]), parts[i].name, str(parts[i].key)),
    )
    for i in order[:left]:
        floors[i] += 1
    return {p.key: Decimal(n) * unit for p, n in zip(parts, floors, strict=True)}

"""Receivables from a credit history: pure arithmetic, no database.

Payments and write-offs settle the invoices that fall due first (FIFO by due date), so what is
overdue is the unpaid rest of the invoices whose due date has passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Receivables:
    debt: Decimal
    overdue_debt: Decimal
    overdue_since: date | None
    as_of: date


def compute_receivables(
    *, invoices: Iterable[tuple[date, Decimal]], settled: Decimal, as_of: date
) -> Receivables:
    """Debt and overdue debt on `as_of` from invoices (due date, amount) and the sum settled.

    An invoice is overdue from the day after its due date.

    A negative debt is an advance the client has paid.
    """
    ordered = sorted(invoices, key=lambda item: item[0])
    invoiced = sum((amount for _, amount in ordered), ZERO)
    left_to_apply = settled
    overdue = ZERO
    overdue_since: date | None = None
    for due_on, amount in ordered:
        applied = min(amount, max(left_to_apply, ZERO))
        left_to_apply -= applied
        unpaid = amount - applied
        if unpaid > 0 and due_on < as_of:
            overdue += unpaid
            if overdue_since is None:
                overdue_since = due_on + timedelta(days=1)  # the first day it is late
    return Receivables(
        debt=invoiced - settled, overdue_debt=overdue, overdue_since=overdue_since, as_of=as_of
    )

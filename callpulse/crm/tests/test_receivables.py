"""Receivables arithmetic: payments settle the earliest-due invoices first."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from callpulse.crm.receivables import compute_receivables

D = Decimal
TODAY = date(2026, 11, 23)


def test_an_unpaid_invoice_past_its_due_date_is_overdue_from_the_next_day():
    r = compute_receivables(
        invoices=[(date(2026, 10, 11), D("84500"))], settled=D("0"), as_of=TODAY
    )
    assert r.debt == D("84500")
    assert r.overdue_debt == D("84500")
    assert r.overdue_since == date(2026, 10, 12)


def test_an_invoice_due_today_is_not_yet_overdue():
    r = compute_receivables(invoices=[(TODAY, D("1000"))], settled=D("0"), as_of=TODAY)
    assert r.overdue_debt == 0 and r.overdue_since is None and r.debt == D("1000")


def test_payments_settle_the_oldest_invoice_first():
    invoices = [(date(2026, 11, 30), D("500")), (date(2026, 10, 1), D("300"))]
    r = compute_receivables(invoices=invoices, settled=D("400"), as_of=TODAY)
    assert r.debt == D("400")
    assert r.overdue_debt == 0  # the overdue 300 is paid; 100 of the later one too
    partly = compute_receivables(invoices=invoices, settled=D("100"), as_of=TODAY)
    assert partly.overdue_debt == D("200")
    assert partly.overdue_since == date(2026, 10, 2)


def test_an_advance_is_a_negative_debt():
    r = compute_receivables(invoices=[(TODAY, D("100"))], settled=D("150"), as_of=TODAY)
    assert r.debt == D("-50") and r.overdue_debt == 0


amounts = st.decimals(min_value=D("0.01"), max_value=D("10000000"), places=2)
days = st.integers(min_value=-400, max_value=60).map(lambda n: TODAY + timedelta(days=n))


@given(
    invoices=st.lists(st.tuples(days, amounts), max_size=12),
    settled=st.one_of(st.just(D(0)), amounts),
)
def test_figures_are_consistent_for_any_history(invoices, settled):
    r = compute_receivables(invoices=invoices, settled=settled, as_of=TODAY)
    invoiced = sum((a for _, a in invoices), D(0))
    due_already = sum((a for d, a in invoices if d < TODAY), D(0))
    assert r.debt == invoiced - settled
    assert D(0) <= r.overdue_debt <= due_already
    assert r.overdue_debt <= max(r.debt, D(0))
    assert r.overdue_debt == max(D(0), due_already - settled)
    assert (r.overdue_since is None) == (r.overdue_debt == 0)

"""Issue #17 for payroll: a person's name or a rule typed as a formula stays text in the XLSX,
and negative amounts stay numbers."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from callpulse.sales.exports import payouts_xlsx
from callpulse.sales.motivation import Payout, PayoutLine

from .test_motivation import month_plan

pytestmark = pytest.mark.django_db


def test_payouts_xlsx_writes_formula_like_text_as_quoted_strings(org) -> None:
    plan = month_plan(org)
    payout = Payout(
        user_id=1,
        name="=cmd|' /C calc'!A0",
        plan_amount=Decimal("1000.00"),
        fact=Decimal("900.00"),
        pct=Decimal("90.0"),
        lines=[PayoutLine(rule="@penalty", text="-5% for\x07 lateness", amount=Decimal("-50.00"))],
        penalties=Decimal("-50.00"),
        total=Decimal("-50.00"),
    )
    book = load_workbook(BytesIO(payouts_xlsx(plan, [payout])))
    person = book.worksheets[0]["A3"]
    assert (person.data_type, person.value) == ("s", "'=cmd|' /C calc'!A0")
    assert book.worksheets[0]["G3"].value == pytest.approx(-50.0)
    line = [cell.value for cell in book.worksheets[1][2]]
    assert line == ["'=cmd|' /C calc'!A0", "'@penalty", "'-5% for\ufffd lateness", -50.0]

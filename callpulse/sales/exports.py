"""Payouts for payroll as an XLSX workbook (openpyxl): one row per person, one per rule applied.

Every row goes through `callpulse.core.exports.append_row`: a name typed as `=…` stays text.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from callpulse.core.exports import append_row, sheet_title
from callpulse.sales.models import SalesPlan
from callpulse.sales.motivation import Payout

MONEY_FORMAT = "#,##0.00"


def payouts_xlsx(plan: SalesPlan, payouts: Sequence[Payout]) -> bytes:
    """The workbook: sheet 1 the payouts with a total row (values, not formulas), sheet 2 the
    explanation lines."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title(_("Payouts"))
    append_row(
        sheet,
        [
            _("%(department)s, %(start)s – %(end)s")
            % {
                "department": plan.department.name,
                "start": plan.starts_on.strftime("%d.%m.%Y"),
                "end": plan.ends_on.strftime("%d.%m.%Y"),
            }
        ],
    )
    header = [
        _("Person"),
        _("Plan"),
        _("Fact"),
        _("Plan done (percent)"),
        _("Bonuses"),
        _("Penalties"),
        _("Payout"),
        _("Promotion"),
    ]
    append_row(sheet, header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for p in payouts:
        append_row(
            sheet,
            [
                p.name,
                float(p.plan_amount),
                float(p.fact),
                float(p.pct) if p.pct is not None else None,
                float(p.bonus),
                float(p.penalties),
                float(p.total),
                _("yes") if p.promotion else "",
            ],
        )
    total = sum((p.total for p in payouts), Decimal("0.00"))
    append_row(sheet, [_("Total"), None, None, None, None, None, float(total), None])
    sheet[sheet.max_row][0].font = Font(bold=True)
    for row in sheet.iter_rows(min_row=3, min_col=2, max_col=7):
        for cell in row:
            if cell.column != 4:
                cell.number_format = MONEY_FORMAT
    sheet.column_dimensions["A"].width = 32
    lines = book.create_sheet(sheet_title(_("Explanation")))
    append_row(lines, [_("Person"), _("Rule"), _("Explanation"), _("Amount")])
    for cell in lines[1]:
        cell.font = Font(bold=True)
    for p in payouts:
        for line in p.lines:
            append_row(lines, [p.name, line.rule, line.text, float(line.amount)])
    lines.column_dimensions["A"].width = 32
    lines.column_dimensions["C"].width = 90
    out = BytesIO()
    book.save(out)
    return out.getvalue()

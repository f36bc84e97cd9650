"""Credit-check reasons kept as a code and parameters, put into words in the reader's language.

The routing reasons' pattern (telephony.routing): a hand-off stores the verdict's code and its
parameters (amounts as decimal strings, dates as ISO), and the words, the money and the date
format are chosen when it is read.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from callpulse.core.money import format_money


def _templates() -> dict[str, str]:
    return {
        "overdue": _("overdue %(amount)s since %(since)s"),
        "over_limit": _(
            "debt and open orders %(exposure)s + this order %(amount)s exceed the limit %(limit)s"
        ),
        "ok": _("within the credit limit"),
    }


MONEY_PARAMS = frozenset({"amount", "exposure", "limit"})


def _param_text(key: str, value: Any, currency: str) -> str:
    if key in MONEY_PARAMS:
        try:
            return format_money(Decimal(str(value)), currency)
        except (InvalidOperation, ValueError):
            return str(value)
    if key == "since":
        try:
            return formats.date_format(date.fromisoformat(str(value)), "d.m.Y")
        except ValueError:
            return str(value)
    return str(value)


def credit_reason_text(code: str, params: dict[str, Any]) -> str:
    """The verdict in the active language; "" for a code this version does not know."""
    template = _templates().get(code)
    if template is None:
        return ""
    currency = str(params.get("currency", "KZT"))
    values = {k: _param_text(k, v, currency) for k, v in params.items() if k != "currency"}
    try:
        return template % values
    except (KeyError, ValueError, TypeError):
        return template

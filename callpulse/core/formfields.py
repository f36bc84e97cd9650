"""Number fields that read and write numbers as the reader's language does.

Django renders a Decimal into an input as `215287540.21` whatever the language, and a Russian
reader types `215 287 540,21` back. These fields show the value grouped, with the language's
separators, and parse either form back to the same value, so saving an untouched form changes
nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import formats


def delocalize(text: str) -> str:
    """'215 287 540,21' (ru, kk) or '215,287,540.21' (en) → '215287540.21'.

    Any whitespace goes (spaces, no-break and narrow no-break spaces), then the language's
    thousands separator, then its decimal separator becomes a point. A point typed in ru/kk is
    taken as the decimal point too, since no one groups thousands with it there.
    """
    decimal_sep = str(formats.get_format("DECIMAL_SEPARATOR"))
    thousand_sep = str(formats.get_format("THOUSAND_SEPARATOR"))
    text = "".join(text.split())
    if thousand_sep.strip() and thousand_sep != decimal_sep:
        text = text.replace(thousand_sep, "")
    if decimal_sep != ".":
        text = text.replace(decimal_sep, ".")
    return text


class LocalizedNumberInput(forms.TextInput):
    """A text input (a number input cannot show grouping) with the decimal keypad on phones."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        """A stored number grouped as the language writes it; typed text is shown as typed."""
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            return str(formats.number_format(value, force_grouping=True))
        return super().format_value(value)


class LocalizedDecimalField(forms.DecimalField):
    """A Decimal shown and typed in the reader's language ('1 250 000,50' in ru)."""

    widget = LocalizedNumberInput

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = delocalize(value)
        return super().to_python(value)


class LocalizedFloatField(forms.FloatField):
    """A float shown and typed in the reader's language ('0,85' in ru)."""

    widget = LocalizedNumberInput

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = delocalize(value)
        return super().to_python(value)

"""Cell values as people type them: "1 234,50", "01.03.2026", "да", and headers in any case.

Pure Python (no database). Each parser takes what a CSV or XLSX cell holds (str, int, float,
Decimal, date, datetime, bool or None) and returns a typed value, or raises `BadValue` with a
message that names the value as the user wrote it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from callpulse.core.validators import forbidden_character


class BadValue(ValueError):
    """A cell that cannot be read; the message is shown to the user next to the row and column."""


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def show(value: object) -> str:
    """The value as it appears in the file, for messages."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normalize_header(value: object) -> str:
    """'Pack_Size', 'pack-size ' and 'PACK SIZE' are one header; so are 'Ед. изм.' and 'ед изм'."""
    text = "" if value is None else str(value)
    for mark in "_-.:":
        text = text.replace(mark, " ")
    return " ".join(text.casefold().split())


def parse_text(value: object, *, max_length: int, multiline: bool = False) -> str:
    """Stripped text; a number from a spreadsheet keeps no '.0' (SKU 12345, not 12345.0).

    Control characters are refused, as on the screens and the API; so are tabs and line breaks
    unless the text is `multiline`."""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    else:
        text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        raise BadValue(
            _("is longer than %(limit)d characters (%(length)d)")
            % {"limit": max_length, "length": len(text)}
        )
    character = forbidden_character(text, multiline=multiline)
    if character is not None:
        raise BadValue(
            _("contains the control character %(character)s: remove it") % {"character": character}
        )
    return text


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _number_text(text: str) -> str:
    """'1 234,50' → '1234.50'; '1.234,50' and '1,234.50' → '1234.50'; '1,5' → '1.5'."""
    text = _SPACES.sub("", text)
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        return text.replace(thousands, "").replace(decimal_mark, ".")
    for mark in ",.":
        if text.count(mark) > 1:  # 1,234,567 or 1.234.567: thousands separators only
            return text.replace(mark, "")
    return text.replace(",", ".")


def parse_decimal(value: object, *, places: int, max_digits: int) -> Decimal:
    """A number with at most `places` decimals and `max_digits` digits in all."""
    if isinstance(value, bool):
        raise BadValue(_("“%(value)s” is not a number") % {"value": show(value)})
    from_float = isinstance(value, float)
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        else:
            text = _number_text(str(value).strip())
            if not _PLAIN_NUMBER.match(text):
                raise InvalidOperation
            number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise BadValue(_("“%(value)s” is not a number") % {"value": show(value)}) from None
    if not number.is_finite():
        raise BadValue(_("“%(value)s” is not a number") % {"value": show(value)})
    step = Decimal(1).scaleb(-places)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        rounded = number.quantize(step)
        # A spreadsheet's binary float (0.1 + 0.2 = 0.30000000000000004) is not a typed decimal.
        if not (from_float and abs(rounded - number) < Decimal("1e-9")):
            raise BadValue(
                _("“%(value)s” has more than %(places)d decimal places")
                % {"value": show(value), "places": places}
            )
        number = rounded
    if abs(number) >= Decimal(10) ** (max_digits - places):
        raise BadValue(_("“%(value)s” is too large") % {"value": show(value)})
    return number


_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")


def parse_date(value: object) -> date:
    """A date cell, or text as YYYY-MM-DD or DD.MM.YYYY."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = show(value)
    iso = _ISO_DATE.match(text)
    dotted = _DOTTED_DATE.match(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dotted:
            return date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
    except ValueError:
        pass
    raise BadValue(
        _("“%(value)s” is not a date (write YYYY-MM-DD or DD.MM.YYYY)") % {"value": text}
    )


_TRUE = {"1", "yes", "y", "true", "t", "+", "да", "д", "истина", "active", "активен", "иә"}
_FALSE = {"0", "no", "n", "false", "f", "-", "нет", "н", "ложь", "inactive", "неактивен", "жоқ"}


def parse_bool(value: object) -> bool:
    """yes/no, true/false, 1/0, да/нет (and Excel's ИСТИНА/ЛОЖЬ)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = show(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue(_("“%(value)s” is not yes or no") % {"value": show(value)})

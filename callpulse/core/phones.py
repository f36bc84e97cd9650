"""Phone numbers in and out: anything a person types becomes E.164, or a clear error."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_phone(raw: str, *, region: str | None = None) -> str:
    """Return the E.164 form of a number typed in any common form.

    `8 (701) 123-45-67`, `+7 701 1234567` and `77011234567` all give `+77011234567`; numbers
    without a country code are read in the center's region (CALLPULSE_PHONE_REGION).
    Raises ValidationError when the text is not a real, dialable number.
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    e164, problem = _parse_e164(text, region or settings.CALLPULSE_PHONE_REGION)
    if problem == "unparsable":
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid", params={"value": text}
        )
    if problem == "invalid":
        raise ValidationError(
            _("“%(value)s” is not a valid phone number."), code="invalid", params={"value": text}
        )
    return e164


@lru_cache(maxsize=8192)
def _parse_e164(text: str, region: str) -> tuple[str, str]:
    """(E.164, "") or ("", problem). Remembered: the same numbers call again and again, and
    parsing is a large share of a routing decision's time."""
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return "", "unparsable"
    if not phonenumbers.is_valid_number(parsed):
        return "", "invalid"
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), ""


def looks_like_phone(text: str) -> bool:
    """True when a search text is mostly digits, so it should be matched as a number."""
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 5 and digits >= len(text.replace(" ", "")) * 0.6


def format_phone(e164: str) -> str:
    """The international form people read: +7 701 123 4567."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

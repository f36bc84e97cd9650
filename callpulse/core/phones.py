"""Phone numbers in and out: anything a person types becomes E.164, or a clear error."""

from __future__ import annotations

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
    try:
        parsed = phonenumbers.parse(text, region or settings.CALLPULSE_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid", params={"value": text}
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number."), code="invalid", params={"value": text}
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


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

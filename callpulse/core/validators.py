"""Validators shared by the apps' model fields, serializers and importers.

Names people type (clients, contacts, products, client types, departments, price columns) end up
on screens, in routing reasons and in spreadsheets; a control character in one cannot be seen,
cannot be searched for, and breaks XLSX files. They are refused where they come in.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# C0 controls (tab and line ends included), DEL, C1 controls, lone surrogates, and the Unicode
# line and paragraph separators: none belongs in a one-line name.
_SINGLE_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
# Multi-line text may hold tabs and line ends (LF, CR) and nothing else of the above.
_MULTILINE_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def forbidden_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character the text may not hold, as ``U+0007``; None when it is clean."""
    pattern = _MULTILINE_FORBIDDEN if multiline else _SINGLE_LINE_FORBIDDEN
    found = pattern.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


@deconstructible
class NoControlCharacters:
    """Refuses control characters (and, in one-line text, tabs and line breaks)."""

    message = _("Remove the control character %(character)s: it cannot be typed or printed.")
    code = "control_character"

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        character = forbidden_character(value, multiline=self.multiline)
        if character is not None:
            raise ValidationError(self.message, code=self.code, params={"character": character})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((type(self), self.multiline))


validate_single_line = NoControlCharacters()
validate_multiline = NoControlCharacters(multiline=True)

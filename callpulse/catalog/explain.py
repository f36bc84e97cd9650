"""Price explanations kept as codes and parameters, put into words in the reader's language.

The routing reasons' pattern (telephony.routing): an order line stores
`{"code": …, "params": {…}}` items, and the words are chosen when the line is read, so an order
priced by a Russian-speaking operator reads in English for an English-speaking manager (and in the
API's request language). Rows stored before this held the words themselves: shown as stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from callpulse.core.names import STANDARD_CLIENT_TYPES, name_by_code


def price_reason(code: str, **params: str) -> dict[str, Any]:
    """One step of a price's explanation, as stored on the order line."""
    return {"code": code, "params": params}


def _templates() -> dict[str, str]:
    return {
        "agreement": _("individual agreement → column “%(column)s”"),
        "volume": _("order of %(total)s → column “%(column)s”"),
        "client_type": _("%(type)s → column “%(column)s”"),
        "default_column": _("default column “%(column)s”"),
        "discount": _("%(kind)s “%(name)s” −%(percent)s%%"),
    }


def _param_text(key: str, value: str, params: dict[str, str]) -> str:
    if key == "type":
        return name_by_code(value, params.get("type_code", ""), STANDARD_CLIENT_TYPES)
    if key == "kind":
        from callpulse.catalog.models import DiscountKind  # models import the catalogue lazily

        if value in DiscountKind.values:
            return str(DiscountKind(value).label).lower()
    return value


def explanation_text(item: Any) -> str:
    """One step in words: a stored code with its parameters, or old stored text as it is."""
    if not isinstance(item, dict):
        return str(item)
    code, params = str(item.get("code", "")), dict(item.get("params") or {})
    template = _templates().get(code)
    if template is None:
        return code
    try:
        return template % {k: _param_text(k, str(v), params) for k, v in params.items()}
    except (KeyError, ValueError, TypeError):
        return template


def explanation_texts(items: Iterable[Any]) -> list[str]:
    """The whole explanation in the active language."""
    return [explanation_text(item) for item in items or ()]

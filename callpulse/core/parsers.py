"""Request bodies the API accepts: JSON with a bounded nesting depth.

Python's JSON decoder recurses once per level, so a body of a few thousand brackets raises
RecursionError — a 500 for what is plainly bad input. No endpoint needs more than a handful of
levels, so a body nested deeper than MAX_JSON_DEPTH is refused with a 400 naming the body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding  # type: ignore[attr-defined]
from rest_framework.utils import json

MAX_JSON_DEPTH = 32


def json_depth(value: Any) -> int:
    """How many arrays and objects deep a decoded JSON value goes (iterative: no recursion)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        pending.extend((child, depth) for child in children)
    return deepest


def too_deep_error() -> ParseError:
    """The 400 for a body nested deeper than MAX_JSON_DEPTH."""
    message = _("The JSON body is nested more than %(limit)d levels deep.") % {
        "limit": MAX_JSON_DEPTH
    }
    return ParseError({"body": [message]})


def nul_error(field: str = "body") -> ParseError:
    """The 400 for text holding a NUL character, which PostgreSQL cannot store or compare."""
    message = _("Text may not contain NUL characters.")
    return ParseError({field: [message]} if field != "detail" else message)


def _holds_nul(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than MAX_JSON_DEPTH with a 400, and
    text holding NUL characters (PostgreSQL refuses them in any statement: a 500 otherwise)."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = get_encoding(parser_context or {})
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding) if isinstance(raw, bytes) else raw
            constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=constant)
        except RecursionError as exc:
            raise too_deep_error() from exc
        except ValueError as exc:  # also UnicodeDecodeError
            raise ParseError(
                {"body": [_("The body is not valid JSON: %(error)s") % {"error": exc}]}
            ) from exc
        # Counting brackets is cheap; only a body with many of them needs the walk.
        if text.count("[") + text.count("{") > MAX_JSON_DEPTH and (
            json_depth(data) > MAX_JSON_DEPTH
        ):
            raise too_deep_error()
        # A NUL can only arrive escaped (JSON forbids raw control characters in strings).
        if "\\u0000" in text and _holds_nul(data):
            raise nul_error()
        return data

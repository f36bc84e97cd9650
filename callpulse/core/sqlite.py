"""SQLite's LIKE folds case for ASCII only, so `ключ` would not find `Ключевой`.

On SQLite connections we replace LIKE with a Unicode-aware version (PostgreSQL needs nothing:
its UPPER() LIKE UPPER() already folds Cyrillic and Kazakh letters).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=256)
def _pattern(like: str, escape: str | None) -> re.Pattern[str]:
    parts: list[str] = []
    chars = iter(like)
    for ch in chars:
        if escape is not None and ch == escape:
            parts.append(re.escape(next(chars, "")))
        elif ch == "%":
            parts.append(".*")
        elif ch == "_":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def unicode_like(pattern: str | None, value: Any, escape: str | None = None) -> bool | None:
    """SQL `value LIKE pattern [ESCAPE escape]`, case-insensitive for every alphabet."""
    if pattern is None or value is None:
        return None
    return _pattern(pattern.casefold(), escape).fullmatch(str(value).casefold()) is not None


def install_unicode_like(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: register LIKE (both arities) on new SQLite connections."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("like", 2, unicode_like, deterministic=True)
    raw.create_function("like", 3, unicode_like, deterministic=True)

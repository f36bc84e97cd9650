"""Typed helpers that read settings from the environment and fail closed."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """A string setting; without a default, a missing variable is a configuration error."""
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_secret(name: str, *, min_length: int = 50) -> str:
    """A secret: missing, empty, blank or short (under Django's 50 characters) is refused.

    An empty SECRET_KEY would sign sessions and password-reset links with a key anyone knows.
    """
    value = env_str(name)
    if len(value.strip()) < min_length or len(set(value)) < 5:
        raise ImproperlyConfigured(
            f"{name} must be a random string of at least {min_length} characters "
            f"(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]

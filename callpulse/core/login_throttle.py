"""Brute-force protection for every way in with a password: /login/, /admin/login/, API tokens.

Two counters of failed sign-ins, in Django's cache (Redis in production, so every app server
counts together): one per account, one per address. An account is locked after
CALLPULSE_LOGIN_FAILURES_PER_ACCOUNT failures, an address after
CALLPULSE_LOGIN_FAILURES_PER_ADDRESS, each for CALLPULSE_LOGIN_LOCKOUT_MINUTES from the first
failure of the window. While locked, even the right password is refused, with a message that
says so and when to try again.

Why our own rule and not django-axes: a contact center's floor sits behind one NAT address, so
the address must tolerate many more failures than an account (a few typos on each of 300 desks
must not lock the whole floor out), and axes has one limit for all its counters. A success
clears the account's counter, never the address's (an attacker with one valid login must not
reset the count for the others).

With the cache down (Redis unreachable) the rule fails open and logs it: locking every operator
out of the product during a Redis outage would do the attacker's work for them.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

from callpulse.core.addresses import client_address

KEY_PREFIX = "callpulse:login-failures"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lockout:
    scope: str  # "account" or "address"
    retry_after_seconds: int

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after_seconds / 60))
        if self.scope == "account":
            return ngettext(
                "Too many failed sign-ins for this account. Try again in %(minutes)d minute.",
                "Too many failed sign-ins for this account. Try again in %(minutes)d minutes.",
                minutes,
            ) % {"minutes": minutes}
        return ngettext(
            "Too many failed sign-ins from this address. Try again in %(minutes)d minute.",
            "Too many failed sign-ins from this address. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}


class LoginThrottled(PermissionDenied):
    """Raised by the backend while locked: Django's `authenticate` then stops and fails."""

    def __init__(self, lockout: Lockout) -> None:
        super().__init__(lockout.message)
        self.lockout = lockout


def _window_seconds() -> int:
    return int(settings.CALLPULSE_LOGIN_LOCKOUT_MINUTES) * 60


def _keys(request: HttpRequest | None, username: str | None) -> dict[str, str]:
    keys = {}
    if username:
        digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
        keys["account"] = f"{KEY_PREFIX}:account:{digest}"
    address = client_address(request) if request is not None else ""
    if address:
        keys["address"] = f"{KEY_PREFIX}:address:{address}"
    return keys


def _limits() -> dict[str, int]:
    return {
        "account": int(settings.CALLPULSE_LOGIN_FAILURES_PER_ACCOUNT),
        "address": int(settings.CALLPULSE_LOGIN_FAILURES_PER_ADDRESS),
    }


def lockout_for(request: HttpRequest | None, username: str | None) -> Lockout | None:
    """The lockout that holds now for this account or address, if any."""
    limits = _limits()
    keys = _keys(request, username)
    if not keys:
        return None
    wanted = [k for key in keys.values() for k in (key, key + ":since")]
    try:
        counters: dict[str, Any] = cache.get_many(wanted)
    except Exception:  # the cache is down: let people in, say so in the log
        log.warning("login throttle: cache unreachable, failed sign-ins are not limited")
        return None
    for scope, key in keys.items():
        failures = counters.get(key) or 0
        since = counters.get(key + ":since")
        if failures >= limits[scope] and since is not None:
            left = math.ceil(since + _window_seconds() - time.time())
            if left > 0:
                return Lockout(scope=scope, retry_after_seconds=left)
    return None


def record_failure(request: HttpRequest | None, username: str | None) -> None:
    """Count a failed sign-in against the account and the address, atomically.

    The window runs from the first failure (both keys expire with it), so a steady trickle of
    guesses cannot keep an account open; `add` + `incr` are atomic in Redis, so parallel
    guesses through several app servers are all counted.
    """
    window = _window_seconds()
    try:
        for key in _keys(request, username).values():
            cache.add(key + ":since", time.time(), timeout=window)
            cache.add(key, 0, timeout=window)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr: this failure opens a new window
                cache.set(key + ":since", time.time(), timeout=window)
                cache.set(key, 1, timeout=window)
    except Exception:
        log.warning("login throttle: cache unreachable, a failed sign-in was not counted")


def record_success(request: HttpRequest | None, username: str | None) -> None:
    """A right password clears the account's count (not the address's)."""
    key = _keys(None, username).get("account")
    if key:
        try:
            cache.delete_many([key, key + ":since"])
        except Exception:
            log.warning("login throttle: cache unreachable, the account's count was not cleared")


def ensure_not_locked(request: HttpRequest | None, username: str | None) -> None:
    lockout = lockout_for(request, username)
    if lockout is not None:
        raise LoginThrottled(lockout)


class ThrottledModelBackend(ModelBackend):
    """Django's model backend behind the lockout: the one backend every password goes through.

    `authenticate` is called by the login screen, the admin's login and the API token endpoint;
    a lockout raises PermissionDenied, which makes Django stop and report a failed sign-in.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get("username")
        ensure_not_locked(request, username)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(request, username)
        else:
            record_success(request, username)
        return user


def _refuse_if_locked(form: AuthenticationForm) -> None:
    username = form.data.get("username") if form.data else None
    lockout = lockout_for(form.request, username)
    form.lockout = lockout  # type: ignore[attr-defined]  # the screen says why
    if lockout is not None:
        raise ValidationError(lockout.message, code="throttled")


class ThrottledAuthenticationForm(AuthenticationForm):
    """The sign-in form: while locked, it says so instead of "wrong password"."""

    lockout: Lockout | None = None

    def clean(self) -> dict[str, Any]:
        _refuse_if_locked(self)
        return super().clean()


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    lockout: Lockout | None = None

    def clean(self) -> dict[str, Any]:
        _refuse_if_locked(self)
        return super().clean()


class ThrottledLoginView(LoginView):
    """The sign-in screen; a locked account or address is answered 429 with the reason."""

    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        answer = super().form_invalid(form)
        if getattr(form, "lockout", None) is not None:
            answer.status_code = 429
        return answer

"""The address a request came from, for the limits that count per address."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request


def client_address(request: HttpRequest | Request) -> str:
    """The visitor's address; behind a proxy (CALLPULSE_BEHIND_PROXY), the last hop it added,
    which the visitor cannot spoof. Used by the website form's limits and the sign-in lockout."""
    if getattr(settings, "CALLPULSE_BEHIND_PROXY", False):
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))

"""Authentication of machines (the phone system, the website) by a scoped service token."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from callpulse.core.models import ServiceToken


@dataclass(frozen=True)
class ServicePrincipal:
    """Who is calling when a machine calls: not a member of staff, never holds a role."""

    token: ServiceToken
    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = False
    is_staff: bool = False
    pk: None = None

    @property
    def role_codes(self) -> frozenset[str]:
        return frozenset()

    def __str__(self) -> str:
        return f"service:{self.token.name}"


_remembered: dict[str, tuple[float, ServiceToken]] = {}
_remembered_lock = threading.Lock()


def forget_service_tokens() -> None:
    """Drop the remembered tokens (tests; a revoked token stops working within the cache time)."""
    with _remembered_lock:
        _remembered.clear()


class ServiceTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` with a ServiceToken's key.

    A phone system sends many events a second with the same token, so a valid token is
    remembered per process for CALLPULSE_TOKEN_CACHE_SECONDS, as staff tokens are.
    """

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ServicePrincipal, ServiceToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give exactly one service token after Bearer.")
        key = header[1].decode(errors="replace")
        clock = time.monotonic()
        with _remembered_lock:
            hit = _remembered.get(key)
        if hit is not None and hit[0] > clock:
            return ServicePrincipal(token=hit[1]), hit[1]
        token = ServiceToken.objects.filter(key=key, is_active=True).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked service token.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ServiceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        ttl = getattr(settings, "CALLPULSE_TOKEN_CACHE_SECONDS", 10)
        if ttl > 0:
            with _remembered_lock:
                if len(_remembered) > 1_000:
                    _remembered.clear()
                _remembered[key] = (clock + ttl, token)
        return ServicePrincipal(token=token), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def service_scope(scope: str) -> type[BasePermission]:
    """Permission: the request carries a service token holding `scope` (staff tokens fail)."""

    class HasServiceScope(BasePermission):
        message = f"A service token with the “{scope}” scope is required."

        def has_permission(self, request: Request, view: Any) -> bool:
            token = request.auth
            return isinstance(token, ServiceToken) and scope in token.scope_set

    return HasServiceScope


def service_token_create(*, name: str, scopes: list[str]) -> ServiceToken:
    """A new token with a random 48-character key."""
    return ServiceToken.objects.create(
        name=name, key=secrets.token_urlsafe(36), scopes=",".join(sorted(set(scopes)))
    )

"""DRF permission classes built from the role rules in core.roles."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from callpulse.core.models import User
from callpulse.core.roles import user_has_role


def staff_user(request: Request) -> User:
    """The signed-in member of staff (views behind IsAuthenticated only)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def role_permission(
    *, read: frozenset[str] | None = None, write: frozenset[str] | None = None
) -> type[BasePermission]:
    """A permission class: reads need a role in `read` (None: any staff), writes a role in `write`.

    `write=None` leaves writes to the service, which enforces its own rule.
    """

    class RolePermission(BasePermission):
        message = "Your role does not allow this."

        def has_permission(self, request: Request, view: Any) -> bool:
            user = request.user
            if not (user and user.is_authenticated):
                return False
            roles = read if request.method in SAFE_METHODS else write
            return roles is None or user_has_role(user, roles)

    return RolePermission


def staff_user_from(request: HttpRequest) -> User:
    """The signed-in member of staff of a page request (behind login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user

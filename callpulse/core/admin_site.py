"""The Django admin site, opened to the roles whose rules have admin screens (issue #14, item 5).

Django's admin lets in `is_staff` users only; the head of sales and the director edit the catalog
there without being staff. The site lets in staff and the holders of `ADMIN_SCREEN_RULES`; each
model admin then answers by its own rule (`RoleRuleAdmin`), so these roles see their models and
nothing else (users, roles, tokens keep Django's model permissions, which they do not hold).
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest

from callpulse.core.roles import CATALOG_EDITORS, user_has_role

# The role rules that have model admins of their own (each a `RoleRuleAdmin.role_rule`).
ADMIN_SCREEN_RULES: tuple[frozenset[str], ...] = (CATALOG_EDITORS,)


def may_enter_admin(user: Any) -> bool:
    """Staff, or a holder of a rule with admin screens; always an active user."""
    if not getattr(user, "is_active", False):
        return False
    return bool(user.is_staff) or any(user_has_role(user, rule) for rule in ADMIN_SCREEN_RULES)


class CallpulseAdminSite(AdminSite):
    """The admin site; who may enter is `may_enter_admin`."""

    def has_permission(self, request: HttpRequest) -> bool:
        return may_enter_admin(request.user)


class CallpulseAdminConfig(AdminConfig):
    """`django.contrib.admin` with `CallpulseAdminSite` as `admin.site`."""

    default_site = "callpulse.core.admin_site.CallpulseAdminSite"


class RoleRuleAdmin:
    """A ModelAdmin mixin: view, add, change and delete answered by one role rule alone.

    Put it before `admin.ModelAdmin` in the bases. The rule is the same frozenset the API and the
    services check, so the admin cannot drift from them.
    """

    role_rule: frozenset[str] = frozenset()

    def _holds_rule(self, request: HttpRequest) -> bool:
        return user_has_role(request.user, self.role_rule)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._holds_rule(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._holds_rule(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._holds_rule(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._holds_rule(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._holds_rule(request)

"""The navigation each role sees, computed once per request."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from callpulse.core.roles import (
    CALLBACK_QUEUE_READERS,
    CATALOG_EDITORS,
    ORDER_READERS_ALL,
    ORDER_TAKERS,
    STAFF_DIRECTORY,
    user_has_role,
)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    roles: frozenset[str] | None  # None: everyone signed in
    staff_only: bool = False
    section: str = ""  # views whose name starts with this light the item up too


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("home", _("Today"), None),
    NavItem("telephony:desk", _("Desk"), None),
    NavItem("crm:search", _("Clients"), None, section="crm:"),
    NavItem("orders:list", _("Orders"), ORDER_TAKERS | ORDER_READERS_ALL, section="orders:"),
    NavItem("telephony:callbacks", _("Callbacks"), CALLBACK_QUEUE_READERS),
    NavItem("telephony:unlogged", _("Calls to log"), STAFF_DIRECTORY),
    NavItem("staff-presence", _("Who is in"), STAFF_DIRECTORY),
    NavItem("sales:home", _("Plans"), None, section="sales:"),
    NavItem("campaigns:home", _("Campaigns"), None, section="campaigns:"),
    NavItem("workforce:home", _("Workforce"), None, section="workforce:"),
    # The catalog's pages are in the admin, opened to its editors (issue #14, item 5).
    NavItem(
        "admin:catalog_product_changelist", _("Catalog"), CATALOG_EDITORS, section="admin:catalog_"
    ),
    NavItem("api-docs", _("API"), None, staff_only=True),
    NavItem("admin:index", _("Administration"), None, staff_only=True),
)


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = []
    for item in NAVIGATION:
        if item.staff_only and not user.is_staff:
            continue
        if item.roles is not None and not user_has_role(user, item.roles):
            continue
        items.append(
            {
                "url": reverse(item.url_name),
                "label": item.label,
                "active": current == item.url_name
                or bool(item.section and current.startswith(item.section)),
            }
        )
    return {"nav_items": items}

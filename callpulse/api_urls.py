"""/api/v1/: one router for every app's viewsets."""

from __future__ import annotations

from typing import Any

from django.urls import re_path
from rest_framework.routers import DefaultRouter

from callpulse.campaigns import api as campaigns_api
from callpulse.catalog.api import PriceColumnViewSet, PriceListViewSet, ProductViewSet
from callpulse.core.api import AbsenceViewSet, DepartmentViewSet, PingView, TeamViewSet, UserViewSet
from callpulse.core.api_auth import TokenCreateView
from callpulse.crm.api import ClientTypeViewSet, ClientViewSet
from callpulse.orders.api import OrderViewSet
from callpulse.sales import api as sales_api
from callpulse.telephony.api import (
    AgentViewSet,
    CallbackViewSet,
    CallViewSet,
    CTIEventView,
    PhoneCommandViewSet,
    RoutingSuggestView,
)
from callpulse.workforce import api as workforce_api

NUMERIC_ID = "[0-9]+"


class OptionalSlashRouter(DefaultRouter):
    """Accepts `/clients/lookup` as well as `/clients/lookup/` (phone systems differ).

    Every record is found by its numeric primary key, so a detail route matches digits only:
    `/callbacks/abc/dial/` is a 404 like any unknown address, never a ValueError (a 500) from
    the lookup. A viewset looking records up otherwise declares its own `lookup_value_regex`.
    """

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        if lookup_field in ("pk", "id") and getattr(viewset, "lookup_value_regex", None) is None:
            kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
            return f"(?P<{lookup_prefix}{kwarg}>{NUMERIC_ID})"
        return str(super().get_lookup_regex(viewset, lookup_prefix))


router = OptionalSlashRouter()
router.register("users", UserViewSet, basename="user")
router.register("departments", DepartmentViewSet, basename="department")
router.register("teams", TeamViewSet, basename="team")
router.register("absences", AbsenceViewSet, basename="absence")
router.register("client-types", ClientTypeViewSet, basename="client-type")
router.register("clients", ClientViewSet, basename="client")
router.register("products", ProductViewSet, basename="product")
router.register("price-columns", PriceColumnViewSet, basename="price-column")
router.register("price-lists", PriceListViewSet, basename="price-list")
router.register("orders", OrderViewSet, basename="order")
router.register("calls", CallViewSet, basename="call")
router.register("agents", AgentViewSet, basename="agent")
router.register("callbacks", CallbackViewSet, basename="callback")
router.register("cti/commands", PhoneCommandViewSet, basename="phone-command")
for app_api in (sales_api, campaigns_api, workforce_api):
    for prefix, viewset, basename in app_api.ROUTES:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    re_path(r"^auth/token/?$", TokenCreateView.as_view(), name="auth-token"),
    re_path(r"^cti/events/?$", CTIEventView.as_view(), name="cti-events"),
    re_path(r"^routing/suggest/?$", RoutingSuggestView.as_view(), name="routing-suggest"),
    re_path(r"^ping/?$", PingView.as_view(), name="ping"),
    *sales_api.URLPATTERNS,
    *campaigns_api.URLPATTERNS,
    *workforce_api.URLPATTERNS,
    *router.urls,
]

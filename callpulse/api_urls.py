"""/api/v1/: one router for every app's viewsets."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from callpulse.core.api import AbsenceViewSet, DepartmentViewSet, TeamViewSet, UserViewSet
from callpulse.crm.api import ClientTypeViewSet, ClientViewSet


class OptionalSlashRouter(DefaultRouter):
    """Accepts `/clients/lookup` as well as `/clients/lookup/` (phone systems differ)."""

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("users", UserViewSet, basename="user")
router.register("departments", DepartmentViewSet, basename="department")
router.register("teams", TeamViewSet, basename="team")
router.register("absences", AbsenceViewSet, basename="absence")
router.register("client-types", ClientTypeViewSet, basename="client-type")
router.register("clients", ClientViewSet, basename="client")

urlpatterns = router.urls

"""Top-level URLs: the web screens, the admin, the API and its documentation."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("callpulse.core.urls")),
    path("clients/", include("callpulse.crm.urls")),
    path("desk/", include("callpulse.telephony.urls")),
    path("orders/", include("callpulse.orders.urls")),
    path("sales/", include("callpulse.sales.urls")),
    path("campaigns/", include("callpulse.campaigns.urls")),
    path("workforce/", include("callpulse.workforce.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("callpulse.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script for the CSP to allow.
    # Swagger UI sets inline styles as it renders: allowed on this staff-only page alone.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

"""URLs: the admin, /metrics, the public API, the staff-only admin API and the OpenAPI schema."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .metrics import metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    # Prometheus metrics for operators: staff sessions or METRICS_ALLOWED_IPS (themepark/metrics.py).
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    # Staff-only admin API (CONTRACTS.md §3).
    path("api/admin/import/", include("importer.api.urls")),
    path("api/admin/", include("quality.api.urls")),
    path("api/admin/", include("collector.api.urls")),
    # Public API (CONTRACTS.md §2).
    path("api/", include("warehouse.api.urls")),
    path("api/", include("themepark.api_router")),
]

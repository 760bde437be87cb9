"""URLs: the landing page, the admin, /metrics, the public API, the staff-only admin API and the OpenAPI schema.

Everything under /api/ answers JSON: a path no route knows gets a JSON 404 (or a redirect to
the same path with a slash when that one exists), and Django's own 404/500 handlers answer
JSON for /api/ paths too.
"""
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, include, path, re_path, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from collector.alerts.feeds import ParkEventsFeed
from themepark.api.exceptions import internal_error_body, json_error

from .operator_metrics import metrics_view

API_PREFIX = "/api/"


@csrf_exempt  # a POST to an unknown API path is a JSON 404, not the CSRF failure page
def api_not_found(request, rest=""):
    """The fallback of /api/: JSON 404, or the slash redirect APPEND_SLASH would have made."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and getattr(match.func, "__name__", "") != api_not_found.__name__:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
    return json_error(f"No API endpoint at {request.path}.", 404)


def handler404(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return json_error(f"No API endpoint at {request.path}.", 404)
    return defaults.page_not_found(request, exception)


def handler500(request):
    if request.path.startswith(API_PREFIX):
        body = internal_error_body(request)
        return json_error(body.pop("error"), 500, **{k: v for k, v in body.items() if k != "success"})
    return defaults.server_error(request)


urlpatterns = [
    path("", TemplateView.as_view(template_name="landing.html"), name="landing"),
    path("admin/", admin.site.urls),
    # Prometheus metrics for operators: staff sessions or METRICS_ALLOWED_IPS (themepark/operator_metrics.py).
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    # Staff-only admin API (docs/contracts.md §3).
    path("api/admin/import/", include("importer.api.urls")),
    path("api/admin/", include("quality.api.urls")),
    path("api/admin/", include("collector.api.urls")),
    # Public API (docs/contracts.md §2).
    path("api/", include("warehouse.api.data_urls")),
    path("api/", include("warehouse.api.urls")),
    # Public Atom feed of a park's alert events.
    path("feeds/parks/<int:park_id>/events.atom", ParkEventsFeed(), name="park-events-feed"),
    re_path(r"^api(?:/(?P<rest>.*))?$", api_not_found, name="api-not-found"),
]

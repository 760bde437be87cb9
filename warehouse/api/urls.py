"""The public API's router, mounted at /api/ by the root URLs (docs/contracts.md §2)."""
from rest_framework.routers import DefaultRouter

from . import views as warehouse
from .health import HealthViewSet

router = DefaultRouter()
router.trailing_slash = "/?"  # /api/health and /api/health/ both answer (the constructor only knows "/" or "")
router.register("health", HealthViewSet, basename="health")
router.register("parks", warehouse.ParkViewSet, basename="park")
router.register("rides", warehouse.RideViewSet, basename="ride")
router.register("live", warehouse.LiveViewSet, basename="live")
router.register("trends", warehouse.TrendViewSet, basename="trend")
router.register("search", warehouse.SearchViewSet, basename="search")

app_name = "api"
urlpatterns = router.urls

"""The one router every app's API registers on, mounted at /api/."""
from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash="/?")

app_name = "api"
urlpatterns = router.urls

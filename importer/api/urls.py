"""URLs of the import admin API, mounted at /api/admin/import/ (staff only)."""
from django.urls import path

from . import views

urlpatterns = [
    path("start", views.ImportStartView.as_view(), name="import-start"),
    path("status/<str:import_id>", views.ImportStatusView.as_view(), name="import-status"),
    path("pause/<str:import_id>", views.ImportPauseView.as_view(), name="import-pause"),
    path("resume/<str:import_id>", views.ImportResumeView.as_view(), name="import-resume"),
    path("cancel/<str:import_id>", views.ImportCancelView.as_view(), name="import-cancel"),
    path("list", views.ImportListView.as_view(), name="import-list"),
    path("quality/<str:import_id>", views.ImportQualityView.as_view(), name="import-quality"),
]

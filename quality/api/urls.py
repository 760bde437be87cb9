"""Storage and quality parts of the staff-only admin API (docs/contracts.md §3), under /api/admin/."""
from django.urls import path

from . import views

storage = views.StorageViewSet
quality = views.QualityViewSet
issues = views.IssueViewSet

urlpatterns = [
    path("storage/summary", storage.as_view({"get": "summary"}), name="storage-summary"),
    path("storage/growth", storage.as_view({"get": "growth"}), name="storage-growth"),
    path("storage/partitions", storage.as_view({"get": "partitions"}), name="storage-partitions"),
    path("storage/retention-comparison", storage.as_view({"get": "retention_comparison"}),
         name="storage-retention-comparison"),
    path("storage/alerts", storage.as_view({"get": "alerts"}), name="storage-alerts"),
    path("storage/measure", storage.as_view({"post": "measure"}), name="storage-measure"),
    path("quality/summary", quality.as_view({"get": "summary"}), name="quality-summary"),
    path("quality/gaps", quality.as_view({"get": "gaps"}), name="quality-gaps"),
    path("quality/freshness", quality.as_view({"get": "freshness"}), name="quality-freshness"),
    path("quality/coverage", quality.as_view({"get": "coverage"}), name="quality-coverage"),
    path("quality/issues", issues.as_view({"get": "list"}), name="quality-issues"),
    path("quality/issues/<int:pk>", issues.as_view({"get": "retrieve", "patch": "partial_update"}),
         name="quality-issue-detail"),
]

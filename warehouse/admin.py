"""Admin of this app. The observation tables have composite keys and cannot be registered;
the statistics job's log is shown read-only."""
from django.contrib import admin

from .models import AggregationRun


@admin.register(AggregationRun)
class AggregationRunAdmin(admin.ModelAdmin):
    """The statistics job's runs, for the health check and for finding failed park days."""

    list_display = ("started_at", "mode", "status", "finished_at", "parks_done", "days_done", "errors")
    list_filter = ("status", "mode")
    search_fields = ("error_text",)
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in AggregationRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

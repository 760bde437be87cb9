"""Back office: quality-log triage, the storage page and the operator dashboard."""
from django.contrib import admin, messages
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from . import svg_charts, reports
from .choices import ResolutionStatus
from .dashboard import dashboard_context
from .forms import TransitionNoteForm
from .models import DataQualityLog, StorageMetrics
from .services import issues_transition
from .storage import MB, storage_measure


def _transition_action(status, description):
    """A bulk action that first asks for a note on an intermediate page, then applies `status`."""

    def action(modeladmin, request, queryset):
        form = TransitionNoteForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            changed, skipped = issues_transition(issues=queryset, status=status, note=form.cleaned_data["note"],
                                                 user=request.user)
            modeladmin.message_user(request, f"{changed} issue(s) marked {status}.", messages.SUCCESS)
            if skipped:
                modeladmin.message_user(request, f"{skipped} issue(s) skipped: {status} is not allowed from "
                                                 f"their status.", messages.WARNING)
            return None
        context = {**modeladmin.admin_site.each_context(request), "title": f"Mark issues {status}",
                   "form": form, "issues": queryset, "status": status, "action_name": f"mark_{status.lower()}",
                   "opts": modeladmin.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/quality/dataqualitylog/transition.html", context)

    action.__name__ = f"mark_{status.lower()}"
    return admin.action(description=description, permissions=["change"])(action)


@admin.register(DataQualityLog)
class DataQualityLogAdmin(admin.ModelAdmin):
    """Triage of the quality log; rows are findings, so they are read-only apart from the workflow."""

    list_display = ("created_at", "issue_type", "resolution_status", "source", "park_link", "ride_link",
                    "period_start", "period_end", "record_count", "short_description")
    list_filter = ("issue_type", "resolution_status", "source", ("park", admin.RelatedOnlyFieldListFilter),
                   ("created_at", admin.DateFieldListFilter), ("period_start", admin.DateFieldListFilter),
                   "entity_type")
    search_fields = ("description", "entity_id", "source_key", "notes")
    list_select_related = ("park", "ride")
    readonly_fields = [f.name for f in DataQualityLog._meta.fields]
    actions = [_transition_action(ResolutionStatus.INVESTIGATING, "Mark selected issues INVESTIGATING"),
               _transition_action(ResolutionStatus.RESOLVED, "Mark selected issues RESOLVED (note required)"),
               _transition_action(ResolutionStatus.WONTFIX, "Mark selected issues WONTFIX (note required)")]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="park", ordering="park__name")
    def park_link(self, obj):
        if not obj.park_id:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("admin:themepark_park_change", args=[obj.park_id]),
                           obj.park.name)

    @admin.display(description="ride", ordering="ride__name")
    def ride_link(self, obj):
        if not obj.ride_id:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("admin:themepark_ride_change", args=[obj.ride_id]),
                           obj.ride.name)

    @admin.display(description="description")
    def short_description(self, obj):
        return obj.description[:120]

    def changelist_view(self, request, extra_context=None):
        counts = dict(DataQualityLog.objects.values_list("resolution_status").annotate(n=Count("pk")).order_by())
        url = reverse("admin:quality_dataqualitylog_changelist")
        extra_context = {**(extra_context or {}), "status_counts": [
            (status, counts.get(status, 0), f"{url}?resolution_status__exact={status}")
            for status in ResolutionStatus.values]}
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        dashboard = path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="quality_dashboard")
        return [dashboard] + super().get_urls()

    def dashboard_view(self, request):
        context = {**self.admin_site.each_context(request), "title": "Operations dashboard", **dashboard_context()}
        return TemplateResponse(request, "admin/quality/dashboard.html", context)


@admin.register(StorageMetrics)
class StorageMetricsAdmin(admin.ModelAdmin):
    """Daily table sizes; the storage page (`storage/`) charts them with projections and alerts."""

    list_display = ("measured_on", "table_name", "row_count", "data_mb", "index_mb", "partition_count", "vendor")
    list_filter = ("measured_on", "vendor")
    search_fields = ("table_name",)
    readonly_fields = [f.name for f in StorageMetrics._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="data MB", ordering="data_bytes")
    def data_mb(self, obj):
        return f"{obj.data_bytes / MB:,.2f}"

    @admin.display(description="index MB", ordering="index_bytes")
    def index_mb(self, obj):
        return f"{obj.index_bytes / MB:,.2f}"

    @admin.display(description="partitions")
    def partition_count(self, obj):
        return len(obj.partitions)

    def get_urls(self):
        view = path("storage/", self.admin_site.admin_view(self.storage_view), name="quality_storage")
        return [view] + super().get_urls()

    def storage_view(self, request):
        if request.method == "POST":
            if not self.has_change_permission(request):
                return redirect("admin:quality_storage")
            rows = storage_measure(analyze="analyze" in request.POST)
            self.message_user(request, f"{len(rows)} table(s) measured.", messages.SUCCESS)
            return redirect("admin:quality_storage")
        return TemplateResponse(request, "admin/quality/storage.html",
                                {**self.admin_site.each_context(request), "title": "Storage",
                                 "opts": self.model._meta, **storage_page_context()})


def storage_page_context() -> dict:
    growth = reports.storage_growth()
    series = reports.total_series()
    first = series[0][0] if series else None
    points = [((day - first).days, total / MB) for day, total in series]
    projected = []
    if points and growth["bytes_per_day"] is not None:
        last_x = points[-1][0]
        projected = [(last_x + 365 * y, growth["projections_mb"][f"{y}y"]) for y in (1,)]
    end_label = f"{series[-1][0]} + 1 year (projected)" if projected else (str(series[-1][0]) if series else "")
    rows = reports.rows_series()
    daily_rows = [(str(b[0]), max(0, b[1] - a[1]) / max(1, (b[0] - a[0]).days)) for a, b in zip(rows, rows[1:])]
    summary = reports.storage_summary()
    partition_bars = [(f"{t['table']}.{p['name']}", p["data_mb"] + p["index_mb"])
                      for t in summary["tables"] for p in t["partitions"]]
    return {
        "summary": summary, "growth": growth, "alerts": reports.storage_alerts(growth),
        "retention": reports.storage_retention(), "partitions": reports.storage_partitions(),
        "size_chart": svg_charts.line_chart(points, projected=projected, x_labels=(str(first or ""), end_label)),
        "partition_chart": svg_charts.bar_chart(partition_bars),
        "rows_chart": svg_charts.bar_chart(daily_rows[-30:], unit="rows/day"),
        "table_chart": svg_charts.bar_chart(sorted(((t["table"], t["total_mb"]) for t in summary["tables"]),
                                                   key=lambda bar: -bar[1])[:15]),
    }

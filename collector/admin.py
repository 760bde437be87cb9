"""Back office of the collector: the run log (read-only), park schedules, ride metadata with
its version history."""
from django.contrib import admin

from .models import CollectionRun, EntityMetadata, EntityMetadataVersion, ParkSchedule


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: nothing is added, changed or deleted by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CollectionRun)
class CollectionRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "status", "parks_ok", "parks_failed", "observations_written", "duplicates",
                    "stale", "invalid", "duration")
    list_filter = ("status", ("started_at", admin.DateFieldListFilter))
    search_fields = ("errors",)
    date_hierarchy = "started_at"
    show_full_result_count = False

    @admin.display(description="seconds")
    def duration(self, run):
        seconds = run.duration_seconds
        return None if seconds is None else round(seconds, 1)


@admin.register(ParkSchedule)
class ParkScheduleAdmin(admin.ModelAdmin):
    list_display = ("park", "date", "schedule_type", "opening_time", "closing_time", "description")
    list_filter = ("schedule_type", "park")
    search_fields = ("park__name", "description")
    date_hierarchy = "date"
    list_select_related = ("park",)
    raw_id_fields = ("park",)


class VersionInline(admin.TabularInline):
    model = EntityMetadataVersion
    fields = ("version", "recorded_at", "data")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EntityMetadata)
class EntityMetadataAdmin(admin.ModelAdmin):
    """Metadata is written by sync_metadata; the admin shows it and every earlier version."""

    list_display = ("ride", "attraction_type", "min_height_cm", "max_height_cm", "indoor_outdoor", "version",
                    "changed_at", "checked_at")
    list_filter = ("indoor_outdoor", "attraction_type", "ride__park")
    search_fields = ("ride__name", "name")
    list_select_related = ("ride", "ride__park")
    readonly_fields = ("ride", "name", "latitude", "longitude", "entity_type", "attraction_type", "min_height_cm",
                       "max_height_cm", "indoor_outdoor", "tags", "version", "content_hash", "checked_at",
                       "changed_at")
    inlines = [VersionInline]

    def has_add_permission(self, request, obj=None):
        return False

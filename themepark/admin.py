"""Catalog back office: tier, category and reports_down are edited here; a ride's page shows
its archive mapping history and its metadata versions."""
from django.contrib import admin
from django.utils.html import format_html_join

from importer.models import RideMapping

from .location import LocationSource, fill_location
from .models import Destination, Land, Park, Ride, RideNameHistory


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "themeparks_wiki_id")
    search_fields = ("name", "slug", "themeparks_wiki_id")


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ("name", "destination", "location", "timezone", "operator", "reports_down", "is_disney",
                    "is_universal", "is_active", "themeparks_wiki_id", "queue_times_id")
    list_filter = ("is_active", "reports_down", "is_disney", "is_universal", "location_source", "timezone")
    list_editable = ("reports_down", "is_active")
    search_fields = ("name", "slug", "themeparks_wiki_id", "queue_times_id", "city", "region", "country")
    list_select_related = ("destination",)
    actions = ("fill_locations",)

    def save_model(self, request, obj, form, change):
        """A place typed here is the admin's: the geocoder never overwrites it."""
        if {"city", "region", "country"} & set(form.changed_data):
            obj.location_source = LocationSource.MANUAL
        super().save_model(request, obj, form, change)

    @admin.action(description="Fill location from coordinates or timezone (replaces manual places)")
    def fill_locations(self, request, queryset):
        changed = 0
        for park in queryset:
            if fill_location(park, force=True):
                park.save(update_fields=["city", "region", "country", "location_source"])
                changed += 1
        self.message_user(request, f"{changed} park location(s) updated.")


@admin.register(Land)
class LandAdmin(admin.ModelAdmin):
    list_display = ("name", "park")
    search_fields = ("name",)
    list_select_related = ("park",)


class RideNameHistoryInline(admin.TabularInline):
    model = RideNameHistory
    extra = 0
    readonly_fields = ("name", "replaced_at", "source")
    can_delete = False


class RideMappingInline(admin.TabularInline):
    """Every archive mapping decision that chose this ride."""

    model = RideMapping
    fk_name = "ride"
    extra = 0
    can_delete = False
    fields = ("archive_entity_id", "archive_name", "method", "status", "score", "updated_at")
    readonly_fields = fields
    verbose_name_plural = "archive mapping history"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ride)
class RideAdmin(admin.ModelAdmin):
    list_display = ("name", "park", "entity_type", "category", "tier", "is_active", "last_operated_at",
                    "themeparks_wiki_id", "queue_times_id")
    list_filter = ("entity_type", "tier", "category", "is_active", "park")
    list_editable = ("tier",)
    search_fields = ("name", "themeparks_wiki_id", "external_id", "queue_times_id")
    list_select_related = ("park",)
    raw_id_fields = ("land",)
    fields = ("park", "land", "name", "entity_type", "category", "tier", "is_active", "themeparks_wiki_id",
              "queue_times_id", "external_id", "last_operated_at", "metadata_versions", "created_at", "updated_at")
    readonly_fields = ("last_operated_at", "metadata_versions", "created_at", "updated_at")
    inlines = [RideNameHistoryInline, RideMappingInline]

    @admin.display(description="Metadata versions")
    def metadata_versions(self, obj):
        metadata = getattr(obj, "metadata", None) if obj.pk else None
        if metadata is None:
            return "No metadata collected yet"
        rows = metadata.versions.order_by("-version")
        return format_html_join(
            "\n", "<div>v{} recorded {}: <code>{}</code></div>",
            ((v.version, v.recorded_at.strftime("%Y-%m-%d %H:%M"), v.data) for v in rows),
        ) or "No versions"

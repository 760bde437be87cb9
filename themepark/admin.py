"""Catalog back office: tier, category and reports_down are edited here; a ride's page shows
its archive mapping history and its metadata versions. Tiers set here are staff's, which the
rules of classify_rides never overwrite; the ride list sets them in bulk, hands rides back to
the rules, and exports and imports tier lists as CSV."""
from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html_join

from warehouse.aggregation.classify import tiers_csv, tiers_csv_import, tiers_return_to_rules, tiers_set_by_staff
from warehouse.aggregation.ranges import forget_ride_counts

from .location import LocationSource, fill_location
from .choices import TierSource
from .models import (Destination, EntityMetadata, EntityMetadataVersion, Land, Park, ParkSchedule, Ride,
                     RideNameHistory)


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


class TierCsvForm(forms.Form):
    file = forms.FileField(help_text="CSV with the columns name, park, ride_id, tier (as the export writes them)")


def _set_tier_action(tier):
    def action(modeladmin, request, queryset):
        count = tiers_set_by_staff(queryset.values_list("pk", flat=True), tier)
        modeladmin.message_user(request, f"{count} ride(s) set to {f'tier {tier}' if tier else 'unclassified'} "
                                         "by staff (the rules will not change them)")
    action.__name__ = f"set_tier_{tier or 'none'}"
    action.short_description = f"Set tier: {tier or 'unclassified'} (staff)"
    return action


@admin.register(Ride)
class RideAdmin(admin.ModelAdmin):
    list_display = ("name", "park", "entity_type", "category", "tier", "tier_source", "tier_reason", "is_active",
                    "last_operated_at", "themeparks_wiki_id", "queue_times_id")
    list_filter = ("entity_type", "tier", "tier_source", "category", "is_active", "park")
    list_editable = ("tier",)
    search_fields = ("name", "themeparks_wiki_id", "external_id", "queue_times_id")
    list_select_related = ("park",)
    raw_id_fields = ("land",)
    fields = ("park", "land", "name", "entity_type", "category", "tier", "tier_source", "tier_reason", "tier_set_at",
              "is_active", "themeparks_wiki_id", "queue_times_id", "external_id", "last_operated_at",
              "metadata_versions", "created_at", "updated_at")
    readonly_fields = ("tier_source", "tier_reason", "tier_set_at", "last_operated_at", "metadata_versions",
                       "created_at", "updated_at")
    # Apps that keep rows about a ride add their inline here (ride_inline_add), e.g. the importer's mappings.
    inlines = [RideNameHistoryInline]
    actions = [_set_tier_action(1), _set_tier_action(2), _set_tier_action(3), _set_tier_action(None),
               "return_to_rules", "export_tiers"]

    def save_model(self, request, obj, form, change):
        """A tier edited here (the page or the list) is staff's from now on."""
        if "tier" in form.changed_data:
            obj.tier_source, obj.tier_reason, obj.tier_set_at = TierSource.STAFF, "set by staff", timezone.now()
        super().save_model(request, obj, form, change)
        if "tier" in form.changed_data:  # the park rankings' kept ride counts weighed the old tier
            forget_ride_counts([obj.park_id])

    @admin.action(description="Return to rules (classify now)")
    def return_to_rules(self, request, queryset):
        summary = tiers_return_to_rules(queryset.values_list("pk", flat=True))
        self.message_user(request, f"{queryset.count()} ride(s) returned to the rules; {len(summary.changes)} tier(s) "
                                   "changed in their parks")

    @admin.action(description="Export tiers as CSV")
    def export_tiers(self, request, queryset):
        response = HttpResponse(tiers_csv(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="ride-tiers.csv"'
        return response

    def get_urls(self):
        extra = [path("import-tiers/", self.admin_site.admin_view(self.import_tiers_view),
                      name="themepark_ride_import_tiers")]
        return extra + super().get_urls()

    def import_tiers_view(self, request):
        """Upload a CSV of tiers (name, park, ride_id, tier): each tier given becomes staff's."""
        if not self.has_change_permission(request):
            return redirect("admin:index")
        form = TierCsvForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["file"].read().decode("utf-8-sig", errors="replace")
            result = tiers_csv_import(text)
            for error in result.errors[:20]:
                messages.warning(request, error)
            self.message_user(request, f"{result.updated} tier(s) set by staff, {result.unchanged} unchanged, "
                                       f"{len(result.errors)} row(s) with errors")
            return redirect("admin:themepark_ride_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": "Import ride tiers from CSV"}
        return render(request, "admin/themepark/ride/import_tiers.html", context)

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


def ride_inline_add(inline):
    """Let an app that keeps rows about a ride show them on the ride's page, without the catalog
    importing that app (called from the app's admin module)."""
    if inline not in RideAdmin.inlines:
        RideAdmin.inlines = [*RideAdmin.inlines, inline]

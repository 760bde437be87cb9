"""Catalog back office: tier, category and reports_down are edited here."""
from django.contrib import admin

from .models import Destination, Land, Park, Ride, RideNameHistory


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "themeparks_wiki_id")
    search_fields = ("name", "slug", "themeparks_wiki_id")


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ("name", "destination", "timezone", "operator", "reports_down", "is_disney",
                    "is_universal", "is_active", "themeparks_wiki_id", "queue_times_id")
    list_filter = ("is_active", "reports_down", "is_disney", "is_universal", "timezone")
    list_editable = ("reports_down", "is_active")
    search_fields = ("name", "slug", "themeparks_wiki_id", "queue_times_id")
    list_select_related = ("destination",)


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


@admin.register(Ride)
class RideAdmin(admin.ModelAdmin):
    list_display = ("name", "park", "entity_type", "category", "tier", "is_active", "last_operated_at",
                    "themeparks_wiki_id", "queue_times_id")
    list_filter = ("entity_type", "tier", "category", "is_active", "park")
    list_editable = ("tier",)
    search_fields = ("name", "themeparks_wiki_id", "external_id", "queue_times_id")
    list_select_related = ("park",)
    raw_id_fields = ("land",)
    readonly_fields = ("last_operated_at", "created_at", "updated_at")
    inlines = [RideNameHistoryInline]

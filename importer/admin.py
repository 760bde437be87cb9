"""Import back office: run checkpoints with pause/resume/cancel/retry, and the mapping review screen."""
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from themepark.admin import ride_inline_add
from themepark.models import Ride

from . import services
from .choices import MappingStatus
from .models import ImportCheckpoint, RideMapping


# Checkpoints -------------------------------------------------------------------------------
@admin.register(ImportCheckpoint)
class ImportCheckpointAdmin(admin.ModelAdmin):
    list_display = ("import_id", "status", "progress_display", "events_imported", "duplicates", "invalid",
                    "rate", "errors", "failed_count", "started_at", "updated_at")
    list_filter = ("status", "replace")
    search_fields = ("import_id", "source", "last_file")
    actions = ("pause", "resume", "cancel", "retry_failed")
    readonly_fields = [f.name for f in ImportCheckpoint._meta.fields]

    def has_add_permission(self, request):
        return False  # runs start from the command or the admin API

    @admin.display(description="progress")
    def progress_display(self, obj):
        return f"{obj.files_done}/{obj.files_total} files ({obj.progress}%)"

    @admin.display(description="failed files")
    def failed_count(self, obj):
        return len(obj.failed_files)

    @admin.action(description="Pause selected imports (at the next file)")
    def pause(self, request, queryset):
        self.message_user(request, f"{services.checkpoint_pause(checkpoints=queryset)} import(s) paused",
                          messages.SUCCESS)

    @admin.action(description="Resume selected imports in the background")
    def resume(self, request, queryset):
        self.message_user(request, f"{services.checkpoint_resume(checkpoints=queryset)} import(s) resumed",
                          messages.SUCCESS)

    @admin.action(description="Cancel selected imports (at the next file)")
    def cancel(self, request, queryset):
        self.message_user(request, f"{services.checkpoint_cancel(checkpoints=queryset)} import(s) cancelled",
                          messages.SUCCESS)

    @admin.action(description="Retry failed files of selected imports")
    def retry_failed(self, request, queryset):
        count = services.checkpoint_retry_failed(checkpoints=queryset)
        self.message_user(request, f"{count} import(s) restarted to retry their failed files", messages.SUCCESS)


# Mappings ----------------------------------------------------------------------------------
def _decide(modeladmin, request, queryset, service, verb):
    done, errors = 0, []
    for mapping in queryset.select_related("ride", "park"):
        try:
            service(mapping=mapping)
            done += 1
        except ValueError as exc:
            errors.append(f"{mapping.archive_name}: {exc}")
    modeladmin.message_user(request, f"{done} mapping(s) {verb}", messages.SUCCESS)
    for error in errors:
        modeladmin.message_user(request, error, messages.WARNING)


@admin.register(RideMapping)
class RideMappingAdmin(admin.ModelAdmin):
    list_display = ("archive_name", "park", "ride", "score", "method", "status", "candidates_display", "review_link")
    list_filter = ("status", "method", "park")
    search_fields = ("archive_name", "archive_entity_id", "ride__name")
    list_select_related = ("park", "ride")
    raw_id_fields = ("park", "ride")
    readonly_fields = ("archive_entity_id", "archive_name", "archive_internal_id", "park", "ride", "provisional",
                       "score", "candidates", "method", "status", "name_seen_at", "created_at", "updated_at")
    actions = ("confirm", "create_ride", "reject")

    def has_add_permission(self, request):
        return False

    @admin.display(description="candidates (score)")
    def candidates_display(self, obj):
        return format_html_join(", ", "{} ({})", ((c["name"], c["score"]) for c in obj.candidates or []))

    @admin.display(description="")
    def review_link(self, obj):
        url = reverse("admin:importer_ridemapping_review", args=[obj.pk])
        return format_html('<a href="{}">review</a>', url)

    @admin.action(description="Confirm the suggested ride (observations move)")
    def confirm(self, request, queryset):
        _decide(self, request, queryset, services.mapping_confirm, "confirmed")

    @admin.action(description="Make each a new ride of its own")
    def create_ride(self, request, queryset):
        _decide(self, request, queryset, services.mapping_create_ride, "made into new rides")

    @admin.action(description="Reject (delete their archive rows, skip them in later imports)")
    def reject(self, request, queryset):
        _decide(self, request, queryset, services.mapping_reject, "rejected")

    def get_urls(self):
        review = self.admin_site.admin_view(self.review_view)
        return [path("<int:pk>/review/", review, name="importer_ridemapping_review")] + super().get_urls()

    def review_view(self, request, pk):
        """One mapping with its candidate rides side by side, and the four decisions."""
        mapping = get_object_or_404(RideMapping.objects.select_related("park", "ride"), pk=pk)
        if request.method == "POST":
            decision = request.POST.get("decision")
            try:
                if decision == "confirm":
                    services.mapping_confirm(mapping=mapping)
                elif decision == "choose":
                    ride = get_object_or_404(Ride, pk=request.POST.get("ride_id") or 0)
                    services.mapping_choose_ride(mapping=mapping, ride=ride)
                elif decision == "create":
                    services.mapping_create_ride(mapping=mapping)
                elif decision == "reject":
                    services.mapping_reject(mapping=mapping)
                else:
                    raise ValueError(f"unknown decision {decision!r}")
            except ValueError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return redirect(request.path)
            self.message_user(request, f"{mapping.archive_name}: {decision} done", messages.SUCCESS)
            return redirect(reverse("admin:importer_ridemapping_changelist") + f"?status={MappingStatus.NEEDS_REVIEW}")
        rides = {r.pk: r for r in Ride.objects.filter(pk__in=[c["ride_id"] for c in mapping.candidates or []])}
        candidates = [{**c, "ride": rides.get(c["ride_id"])} for c in mapping.candidates or []]
        others = Ride.objects.filter(park=mapping.park).exclude(pk=mapping.ride_id).order_by("name")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "mapping": mapping,
                   "candidates": candidates, "others": others, "title": f"Review mapping: {mapping.archive_name}"}
        return TemplateResponse(request, "admin/importer/ridemapping/review.html", context)


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


ride_inline_add(RideMappingInline)

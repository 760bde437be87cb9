"""Back office of the collector: the run log (read-only), alert subscriptions, and the alert outbox
and delivery log (read-only). Schedules and ride metadata are in the catalog's admin."""
from django import forms
from django.contrib import admin
from django.utils import timezone

from .models import AlertDelivery, AlertEvent, AlertEventType, AlertSubscription, CollectionRun, DeliveryStatus


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


class AlertSubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(choices=AlertEventType.choices, widget=forms.CheckboxSelectMultiple)
    target_url = forms.URLField(required=False, max_length=500, assume_scheme="https",
                                help_text="Webhook URL; empty: feed only")

    class Meta:
        model = AlertSubscription
        fields = ["name", "park", "ride", "events", "target_url", "is_active"]

    def clean(self):
        data = super().clean()
        if (data.get("park") is None) == (data.get("ride") is None):
            raise forms.ValidationError("Choose exactly one of a park or a ride.")
        return data


@admin.register(AlertSubscription)
class AlertSubscriptionAdmin(admin.ModelAdmin):
    """Staff create subscriptions here; the secret is generated and shown to pass on to the receiver."""

    form = AlertSubscriptionForm
    list_display = ("name", "park", "ride", "event_list", "target_url", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "target_url", "park__name", "ride__name")
    raw_id_fields = ("park", "ride")
    readonly_fields = ("secret", "created_at")
    list_select_related = ("park", "ride")

    def get_fields(self, request, obj=None):
        return [*AlertSubscriptionForm.Meta.fields, *self.readonly_fields]

    @admin.display(description="events")
    def event_list(self, subscription):
        return ", ".join(subscription.events or ())


@admin.register(AlertEvent)
class AlertEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "event_type", "park", "ride", "from_state", "to_state", "dispatched_at")
    list_filter = ("event_type", "park")
    search_fields = ("ride__name", "park__name", "key")
    date_hierarchy = "occurred_at"
    list_select_related = ("park", "ride")
    show_full_result_count = False


@admin.action(description="Retry the selected dead-lettered deliveries")
def retry_dead(modeladmin, request, queryset):
    count = queryset.filter(status=DeliveryStatus.DEAD).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
    modeladmin.message_user(request, f"{count} deliveries queued again.")


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: every attempt of every event to every webhook, and the dead letters."""

    list_display = ("created_at", "subscription", "event", "status", "attempts", "response_status",
                    "next_attempt_at", "delivered_at", "last_error")
    list_filter = ("status", "subscription")
    search_fields = ("subscription__name", "last_error")
    list_select_related = ("subscription", "event", "event__park", "event__ride")
    actions = [retry_dead]
    show_full_result_count = False

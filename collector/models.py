"""What the collector keeps besides observations: one log row per collection run and the alert
outbox. Park schedules and ride metadata are catalog data (themepark.models)."""
from django.db import models

from .choices import RunStatus


class CollectionRun(models.Model):
    """One run of collect_snapshots: when, how many parks succeeded or failed, what was written."""

    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    parks_ok = models.PositiveIntegerField(default=0)
    parks_failed = models.PositiveIntegerField(default=0)
    observations_written = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    stale = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{park_id, park, error}] of failed parks")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "started_at"], name="collection_run_status_idx")]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def duration_seconds(self):
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


# ---------------------------------------------------------------------------------------------
# Alerts (collector.alerts): subscriptions, the outbox of detected events, webhook deliveries
# ---------------------------------------------------------------------------------------------
class AlertEventType(models.TextChoices):
    WENT_DOWN = "went_down"
    REOPENED = "reopened"
    PARK_OPENED = "park_opened"
    PARK_CLOSED = "park_closed"


RIDE_EVENTS = (AlertEventType.WENT_DOWN, AlertEventType.REOPENED)
PARK_EVENTS = (AlertEventType.PARK_OPENED, AlertEventType.PARK_CLOSED)


def _new_secret():
    import secrets

    return secrets.token_hex(32)


class AlertSubscription(models.Model):
    """Who wants which events of a ride or a park (a park's subscription also covers its rides'
    went_down/reopened), delivered to `target_url` or, without one, only listed in the park's feed."""

    name = models.CharField(max_length=200)
    park = models.ForeignKey("themepark.Park", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="alert_subscriptions", help_text="A park, or empty with a ride")
    ride = models.ForeignKey("themepark.Ride", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="alert_subscriptions", help_text="A ride, or empty with a park")
    events = models.JSONField(default=list, help_text="Any of went_down, reopened, park_opened, park_closed")
    target_url = models.URLField(max_length=500, blank=True, help_text="Webhook URL; empty: feed only")
    secret = models.CharField(max_length=128, default=_new_secret,
                              help_text="Key of the X-Themepark-Signature HMAC-SHA256 of each delivery")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.CheckConstraint(
            condition=models.Q(park__isnull=True, ride__isnull=False) | models.Q(park__isnull=False, ride__isnull=True),
            name="alert_subscription_park_xor_ride")]

    def __str__(self):
        return self.name


class AlertEvent(models.Model):
    """The outbox: one detected event, written in the transaction of the observations that show it.
    `key` is derived from what happened (entity, type, moment), so a repeated collection of the
    same moment cannot write it twice; receivers use it as the idempotency key."""

    key = models.UUIDField(unique=True)
    event_type = models.CharField(max_length=16, choices=AlertEventType.choices)
    park = models.ForeignKey("themepark.Park", on_delete=models.CASCADE, related_name="alert_events")
    ride = models.ForeignKey("themepark.Ride", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="alert_events")
    occurred_at = models.DateTimeField(help_text="The observation time that showed the change")
    from_state = models.CharField(max_length=13, blank=True)
    to_state = models.CharField(max_length=13, blank=True)
    payload = models.JSONField(default=dict)
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="When its deliveries were created")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["park", "occurred_at"], name="alert_event_park_time_idx"),
                   models.Index(fields=["dispatched_at"], name="alert_event_dispatch_idx")]

    def __str__(self):
        return f"{self.event_type} {self.ride or self.park} at {self.occurred_at:%Y-%m-%d %H:%M}"


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    DEAD = "DEAD", "Dead letter"


class AlertDelivery(models.Model):
    """One event to one webhook: its attempts (each in `log`), the next one, and how it ended."""

    subscription = models.ForeignKey(AlertSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(AlertEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=9, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    log = models.JSONField(default=list, blank=True, help_text="[{at, status, error}] of every attempt")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "alert deliveries"
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="alert_delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="alert_delivery_due_idx")]

    def __str__(self):
        return f"{self.event} -> {self.subscription} ({self.status})"

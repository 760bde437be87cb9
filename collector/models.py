"""What the collector keeps besides observations: park schedules (the open windows of
METRICS.md §3), ride metadata with its version history, and one log row per collection run."""
from django.db import models

from .choices import IndoorOutdoor, RunStatus, ScheduleType


class ParkSchedule(models.Model):
    """One schedule entry of a park on a park-local date, times in UTC; a window that crosses
    midnight is kept whole on the date it opens."""

    park = models.ForeignKey("themepark.Park", on_delete=models.CASCADE, related_name="schedules")
    date = models.DateField(help_text="The park-local date the entry belongs to")
    schedule_type = models.CharField(max_length=16, choices=ScheduleType.choices)
    opening_time = models.DateTimeField(null=True, blank=True)
    closing_time = models.DateTimeField(null=True, blank=True)
    description = models.CharField(max_length=255, blank=True)
    purchases = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["park", "date", "opening_time"]
        constraints = [models.UniqueConstraint(fields=["park", "date", "schedule_type", "opening_time"],
                                               name="park_schedule_entry_once")]
        indexes = [models.Index(fields=["park", "date"], name="schedule_park_date_idx")]

    def __str__(self):
        return f"{self.park} {self.date} {self.schedule_type}"


class EntityMetadata(models.Model):
    """The current metadata of a ride from its ThemeParks.wiki entity document; every earlier
    state is kept as an EntityMetadataVersion (collector.metadata documents the fields)."""

    ride = models.OneToOneField("themepark.Ride", on_delete=models.CASCADE, related_name="metadata")
    name = models.CharField(max_length=255, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    entity_type = models.CharField(max_length=16, blank=True)
    attraction_type = models.CharField(max_length=16, blank=True)
    min_height_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    max_height_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    indoor_outdoor = models.CharField(max_length=8, choices=IndoorOutdoor.choices, default=IndoorOutdoor.UNKNOWN)
    tags = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64)
    checked_at = models.DateTimeField(help_text="When the document was last fetched")
    changed_at = models.DateTimeField(help_text="When the current version was first seen")

    class Meta:
        verbose_name_plural = "entity metadata"
        indexes = [models.Index(fields=["latitude", "longitude"], name="metadata_location_idx")]

    def __str__(self):
        return f"{self.ride} v{self.version}"


class EntityMetadataVersion(models.Model):
    """One state of a ride's metadata, kept when a newer one replaces it (and for the current one)."""

    metadata = models.ForeignKey(EntityMetadata, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    data = models.JSONField(help_text="The versioned fields as they were")
    content_hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["metadata", "-version"]
        constraints = [models.UniqueConstraint(fields=["metadata", "version"], name="metadata_version_once")]

    def __str__(self):
        return f"{self.metadata.ride} v{self.version}"


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

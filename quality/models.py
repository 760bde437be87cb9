"""The data-quality log: every refused, stale, duplicate or missing piece of data, for triage."""
from django.db import models

from .choices import IssueType, QualitySource, ResolutionStatus


class DataQualityLog(models.Model):
    """One data-quality finding, with the entity, time range and counts it concerns."""

    issue_type = models.CharField(max_length=16, choices=IssueType.choices)
    entity_type = models.CharField(max_length=32, blank=True, help_text="RIDE, PARK, DESTINATION, FILE, ...")
    entity_id = models.CharField(max_length=128, blank=True)
    park = models.ForeignKey("themepark.Park", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ride = models.ForeignKey("themepark.Ride", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=8, choices=QualitySource.choices, default=QualitySource.SYSTEM)
    source_key = models.CharField(max_length=512, blank=True, help_text="Archive key or URL concerned")
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    description = models.TextField()
    record_count = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)
    resolution_status = models.CharField(max_length=16, choices=ResolutionStatus.choices,
                                         default=ResolutionStatus.OPEN)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "data_quality_log"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["issue_type", "resolution_status"], name="dql_type_status_idx"),
            models.Index(fields=["created_at"], name="dql_created_idx"),
            # detect_gaps looks up earlier entries of the same entity to extend them.
            models.Index(fields=["entity_type", "entity_id", "issue_type"], name="dql_entity_idx"),
        ]

    def __str__(self):
        return f"{self.issue_type} {self.entity_type} {self.entity_id}: {self.description[:60]}"


class StorageMetrics(models.Model):
    """The size of one table on one day, as `measure_storage` read it (re-measuring the same day
    replaces the row). `partitions` lists the table's partitions with their own rows and bytes."""

    measured_on = models.DateField()
    measured_at = models.DateTimeField()
    table_name = models.CharField(max_length=64)
    row_count = models.BigIntegerField(default=0, help_text="InnoDB's estimate on MySQL/MariaDB")
    data_bytes = models.BigIntegerField(default=0)
    index_bytes = models.BigIntegerField(default=0)
    partitions = models.JSONField(default=list, blank=True)
    vendor = models.CharField(max_length=16, blank=True, help_text="Database backend measured")

    class Meta:
        db_table = "storage_metrics"
        verbose_name_plural = "storage metrics"
        ordering = ["-measured_on", "table_name"]
        constraints = [models.UniqueConstraint(fields=["table_name", "measured_on"], name="storage_table_day_once")]
        indexes = [models.Index(fields=["measured_on"], name="storage_day_idx")]

    def __str__(self):
        return f"{self.table_name} on {self.measured_on}: {self.total_bytes} bytes"

    @property
    def total_bytes(self):
        return self.data_bytes + self.index_bytes

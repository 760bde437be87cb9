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
        ]

    def __str__(self):
        return f"{self.issue_type} {self.entity_type} {self.entity_id}: {self.description[:60]}"

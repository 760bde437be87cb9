"""What the collector keeps besides observations: park schedules (the open windows of
METRICS.md §3)."""
from django.db import models

from .choices import ScheduleType


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

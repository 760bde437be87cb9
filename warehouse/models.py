"""The observation store: one narrow row per observation, partitioned by month on MySQL.

Both tables are keyed on (ride, recorded_at[, queue_type]) with no surrogate id: the key is
the natural identity of an observation, makes writes idempotent, and already contains the
partition column, as MySQL requires of every unique key of a partitioned table. Neither table
has a foreign-key constraint (MySQL forbids them on partitioned tables), hence
`db_constraint=False`.
"""
from django.db import models

from themepark.choices import DataSource, QueueType, RideStatus

from .querysets import SnapshotQuerySet


class RideStatusSnapshot(models.Model):
    """One observation of a ride: its status and standby wait at `recorded_at` (UTC)."""

    pk = models.CompositePrimaryKey("ride", "recorded_at")
    ride = models.ForeignKey("themepark.Ride", on_delete=models.DO_NOTHING, db_constraint=False,
                             db_index=False, related_name="+")  # the primary key starts with ride
    recorded_at = models.DateTimeField()
    status = models.CharField(max_length=13, choices=RideStatus.choices, null=True, blank=True)
    wait_time = models.SmallIntegerField(null=True, blank=True, help_text="Standby wait, minutes")
    computed_is_open = models.BooleanField(default=False)
    data_source = models.CharField(max_length=7, choices=DataSource.choices)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        db_table = "ride_status_snapshots"
        # (ride, recorded_at) is the primary key; this one serves "all rides in a time range".
        indexes = [models.Index(fields=["recorded_at", "ride"], name="snapshot_time_ride_idx")]

    def __str__(self):
        return f"ride {self.ride_id} at {self.recorded_at:%Y-%m-%d %H:%M:%S}: {self.status}"


class QueueData(models.Model):
    """One queue of an observation (standby, single rider, return time, paid, boarding group)."""

    pk = models.CompositePrimaryKey("ride", "recorded_at", "queue_type")
    ride = models.ForeignKey("themepark.Ride", on_delete=models.DO_NOTHING, db_constraint=False,
                             db_index=False, related_name="+")  # the primary key starts with ride
    recorded_at = models.DateTimeField()
    queue_type = models.CharField(max_length=16, choices=QueueType.choices)
    wait_time_minutes = models.SmallIntegerField(null=True, blank=True)
    return_time_start = models.DateTimeField(null=True, blank=True)
    return_time_end = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, null=True, blank=True)
    price_amount = models.IntegerField(null=True, blank=True, help_text="In the currency's smallest unit")
    price_currency = models.CharField(max_length=3, null=True, blank=True)
    boarding_group_status = models.CharField(max_length=16, null=True, blank=True)
    boarding_group_current_start = models.IntegerField(null=True, blank=True)
    boarding_group_current_end = models.IntegerField(null=True, blank=True)
    next_allocation_time = models.DateTimeField(null=True, blank=True)
    estimated_wait_minutes = models.IntegerField(null=True, blank=True)

    class Meta:
        db_table = "queue_data"

    def __str__(self):
        return f"ride {self.ride_id} {self.queue_type} at {self.recorded_at:%Y-%m-%d %H:%M:%S}"

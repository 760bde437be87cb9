"""The observation store: one narrow row per observation, partitioned by month on MySQL.

Both tables are keyed on (ride, recorded_at[, queue_type]) with no surrogate id: the key is
the natural identity of an observation, makes writes idempotent, and already contains the
partition column, as MySQL requires of every unique key of a partitioned table. Neither table
has a foreign-key constraint (MySQL forbids them on partitioned tables), hence
`db_constraint=False`.

On MySQL/MariaDB the columns are narrower than the fields below declare (migration 0009,
docs/store.md): INT ride ids, DATETIME to the second, ENUMs for `status`, `data_source` and
`queue_type`, page-compressed tables. The standby wait is `RideStatusSnapshot.wait_time`; a
STANDBY `QueueData` row exists only when it carries more than that wait.
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
        # (ride, recorded_at), the primary key, is the only index: every read names its rides and
        # a time range (which prunes partitions). A second, time-first index would double the
        # cost of every bulk load (each row lands in it at a random place) for no reader.

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


# ---------------------------------------------------------------------------------------------
# Statistics (docs/metrics.md): computed from the observations by the statistics engine, upserted.
# Dates are park-local park days (04:00 to 04:00); hours are UTC hours. Figures are stored
# unrounded; the API rounds them as docs/contracts.md says.
# ---------------------------------------------------------------------------------------------
class WindowSource(models.TextChoices):
    SCHEDULE = "SCHEDULE"
    INFERRED = "INFERRED"


class PeriodType(models.TextChoices):
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"


class ParkOperatingSession(models.Model):
    """The open window of a park on one park day, from its schedule or inferred (docs/metrics.md §3)."""

    park = models.ForeignKey("themepark.Park", on_delete=models.CASCADE, related_name="operating_sessions")
    date = models.DateField()
    open_from = models.DateTimeField()
    open_to = models.DateTimeField()
    operating_hours = models.FloatField()
    source = models.CharField(max_length=8, choices=WindowSource.choices)
    metrics_version = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["park", "date"], name="session_park_date_once")]
        ordering = ["park", "date"]

    def __str__(self):
        return f"{self.park} {self.date}: {self.operating_hours:.2f} h ({self.source})"


class RideStatusChange(models.Model):
    """A change of a ride's state, with how long the previous state lasted."""

    ride = models.ForeignKey("themepark.Ride", on_delete=models.CASCADE, related_name="status_changes")
    changed_at = models.DateTimeField()
    from_status = models.CharField(max_length=13, null=True, blank=True, help_text="Empty: unknown")
    to_status = models.CharField(max_length=13, null=True, blank=True, help_text="Empty: unknown")
    previous_duration_minutes = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ride", "changed_at"], name="status_change_once")]
        indexes = [models.Index(fields=["changed_at"], name="status_change_time_idx")]

    def __str__(self):
        return f"{self.ride_id} {self.from_status} -> {self.to_status} at {self.changed_at}"


class _RideFigures(models.Model):
    """Figures of a ride over some span (docs/metrics.md §4)."""

    ride = models.ForeignKey("themepark.Ride", on_delete=models.CASCADE, related_name="+")
    park = models.ForeignKey("themepark.Park", on_delete=models.CASCADE, related_name="+")
    operating_minutes = models.FloatField(default=0)
    downtime_minutes = models.FloatField(default=0)
    known_minutes = models.FloatField(default=0, help_text="Minutes of the open window with known state")
    wait_known_minutes = models.FloatField(default=0, help_text="Minutes OPERATING with a known standby wait: "
                                                                "the weight of avg_wait_minutes in roll-ups")
    uptime_percentage = models.FloatField(null=True, blank=True)
    avg_wait_minutes = models.FloatField(null=True, blank=True)
    peak_wait_minutes = models.IntegerField(null=True, blank=True)
    status_changes = models.IntegerField(default=0)
    longest_downtime_minutes = models.FloatField(default=0)
    operated = models.BooleanField(default=False)
    metrics_version = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class _ParkFigures(models.Model):
    """Figures of a park over some span (docs/metrics.md §5)."""

    park = models.ForeignKey("themepark.Park", on_delete=models.CASCADE, related_name="+")
    shame_score = models.FloatField(default=0)
    total_downtime_hours = models.FloatField(default=0)
    weighted_downtime_hours = models.FloatField(default=0)
    effective_park_weight = models.FloatField(default=0)
    rides_operated = models.IntegerField(default=0)
    rides_down = models.IntegerField(default=0)
    uptime_percentage = models.FloatField(null=True, blank=True)
    avg_wait_minutes = models.FloatField(null=True, blank=True)
    peak_wait_minutes = models.IntegerField(null=True, blank=True)
    open_hours = models.FloatField(default=0)
    metrics_version = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class _RideReliability(models.Model):
    """A ride's reliability over some span (docs/metrics.md §8-§9): breakdowns and downtime by kind. The
    breakdowns' own minutes are the rest of `downtime_minutes`: the kinds split it exactly."""

    breakdowns = models.IntegerField(default=0, help_text="Down spells of kind breakdown")
    park_wide_minutes = models.FloatField(default=0, help_text="Downtime while half the park was down")
    late_opening_minutes = models.FloatField(default=0, help_text="Downtime from opening before the ride ran")
    stale_feed_minutes = models.FloatField(default=0, help_text="Downtime on a frozen feed")

    class Meta:
        abstract = True


class _ParkReliability(_RideReliability):
    """A park's breakdowns and downtime by kind, with the tier-weighted hours a ranking may leave out."""

    weighted_park_wide_hours = models.FloatField(default=0)
    weighted_stale_feed_hours = models.FloatField(default=0)

    class Meta:
        abstract = True


class RideHourlyStats(_RideFigures):
    """A ride's figures for one UTC hour intersected with its park's open window."""

    hour_start_utc = models.DateTimeField()
    date = models.DateField(help_text="The park day the hour belongs to")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ride", "hour_start_utc"], name="ride_hour_once")]
        indexes = [models.Index(fields=["park", "hour_start_utc"], name="ride_hour_park_idx")]


class RideDailyStats(_RideFigures, _RideReliability):
    """A ride's figures for one park day."""

    date = models.DateField()
    opened_on_time = models.BooleanField(null=True, blank=True,
                                         help_text="OPERATING within 15 minutes of opening; empty: did not operate")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ride", "date"], name="ride_day_once")]
        indexes = [
            # Covers the ranking scans (all rides of many parks over a date range) so MySQL reads
            # the index alone instead of one clustered-key lookup per ride-day.
            models.Index(fields=["date", "park", "ride", "operating_minutes", "downtime_minutes", "avg_wait_minutes",
                                 "wait_known_minutes", "operated", "status_changes", "longest_downtime_minutes",
                                 "peak_wait_minutes",
                                 "breakdowns", "park_wide_minutes", "late_opening_minutes", "stale_feed_minutes",
                                 "opened_on_time"],
                         name="ride_day_ranking_idx"),
            # a park's days over a range: replacing a park day, rolling up weeks, months, years
            models.Index(fields=["park", "date"], name="ride_day_park_date_idx"),
        ]


class RidePeriodStats(_RideFigures, _RideReliability):
    """A ride's figures for a week, month or year of park days (sums and time-weighted means of its days)."""

    period_type = models.CharField(max_length=5, choices=PeriodType.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    days_operated = models.IntegerField(default=0)
    days_on_time = models.IntegerField(default=0, help_text="Days operated on which it opened on time")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ride", "period_type", "period_start"], name="ride_period_once")]
        indexes = [models.Index(fields=["period_type", "period_start"], name="ride_period_idx")]


class ParkHourlyStats(_ParkFigures):
    """A park's figures for one UTC hour (hourly shame: the hour's share of the open window)."""

    hour_start_utc = models.DateTimeField()
    date = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["park", "hour_start_utc"], name="park_hour_once")]


class ParkDailyStats(_ParkFigures, _ParkReliability):
    """A park's figures for one park day, with its daily shame score."""

    date = models.DateField()
    coverage_percentage = models.FloatField(null=True, blank=True,
                                            help_text="Share of the open window with known state")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["park", "date"], name="park_day_once")]
        indexes = [models.Index(fields=["date"], name="park_day_date_idx"),
                   # the park's days recomputed since a range was summed (`aggregation.ranges`):
                   # a few index entries, however long the range
                   models.Index(fields=["park", "computed_at", "date"], name="park_day_computed_idx")]


class ParkPeriodStats(_ParkFigures, _ParkReliability):
    """A park's figures for a week, month or year: shame is the mean of its open days' scores."""

    period_type = models.CharField(max_length=5, choices=PeriodType.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    days_open = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["park", "period_type", "period_start"],
                                               name="park_period_once")]
        indexes = [models.Index(fields=["period_type", "period_start"], name="park_period_idx")]


class DownSpellKind(models.TextChoices):
    BREAKDOWN = "breakdown"
    PARK_WIDE = "park_wide"
    LATE_OPENING = "late_opening"
    STALE_FEED = "stale_feed"


class DownSpell(models.Model):
    """A ride's down spell inside an open window, with its kind (docs/metrics.md §8-§9): the events of a
    ride's details and the breakdowns the stay-or-go estimate rests on."""

    ride = models.ForeignKey("themepark.Ride", on_delete=models.CASCADE, related_name="+")
    park = models.ForeignKey("themepark.Park", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(help_text="The park day")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    minutes = models.FloatField()
    kind = models.CharField(max_length=12, choices=DownSpellKind.choices)
    cut_by_close = models.BooleanField(default=False, help_text="Still down when the open window ended")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ride", "started_at"], name="down_spell_once")]
        indexes = [models.Index(fields=["park", "date"], name="down_spell_park_date_idx"),
                   models.Index(fields=["ride", "kind", "started_at"], name="down_spell_ride_kind_idx")]

    def __str__(self):
        return f"ride {self.ride_id} {self.kind} {self.started_at:%Y-%m-%d %H:%M} ({self.minutes:.0f} min)"


class LiveRideState(models.Model):
    """A ride's state now: its latest observation while within its hold, for the `live` period."""

    ride = models.OneToOneField("themepark.Ride", on_delete=models.CASCADE, primary_key=True, related_name="live_state")
    park = models.ForeignKey("themepark.Park", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=13, null=True, blank=True, help_text="Empty: unknown (past its hold)")
    wait_time = models.IntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    operated_last_7_days = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["park", "status"], name="live_ride_park_status_idx")]


class LiveParkState(models.Model):
    """A park's state now, with its live shame score (docs/metrics.md §5)."""

    park = models.OneToOneField("themepark.Park", on_delete=models.CASCADE, primary_key=True, related_name="live_state")
    is_open = models.BooleanField(default=False)
    rides_open = models.IntegerField(default=0)
    rides_closed = models.IntegerField(default=0)
    rides_down = models.IntegerField(default=0)
    rides_refurbishment = models.IntegerField(default=0)
    total_rides = models.IntegerField(default=0)
    avg_wait_time = models.FloatField(null=True, blank=True)
    max_wait_time = models.IntegerField(null=True, blank=True)
    shame_score = models.FloatField(default=0)
    last_updated = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class AggregationRun(models.Model):
    """One run of the statistics job, for the health check and the admin dashboard."""

    class Mode(models.TextChoices):
        INCREMENTAL = "INCREMENTAL"
        RANGE = "RANGE"
        REBUILD = "REBUILD"
        REPAIR = "REPAIR"

    class Status(models.TextChoices):
        RUNNING = "RUNNING"
        COMPLETED = "COMPLETED"
        FAILED = "FAILED"

    mode = models.CharField(max_length=12, choices=Mode.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    parks_done = models.IntegerField(default=0)
    days_done = models.IntegerField(default=0)
    errors = models.IntegerField(default=0)
    error_text = models.TextField(blank=True)
    lock_token = models.CharField(max_length=32, blank=True,
                                  help_text="The run's job lock: a RUNNING run whose lock is gone has died")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "finished_at"], name="aggregation_status_idx")]

    def __str__(self):
        return f"{self.mode} run at {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class ParkDayFingerprint(models.Model):
    """What a park day's observations looked like when its figures were computed (from the rows
    the computation read): `aggregate_stats --check` compares it with the observations now stored."""

    park = models.ForeignKey("themepark.Park", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    snapshots = models.IntegerField(default=0, help_text="Observations of the park's attractions in the park day")
    down_snapshots = models.IntegerField(default=0, help_text="Those with status DOWN")
    wait_total = models.BigIntegerField(default=0, help_text="Sum of their standby waits, minutes")
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["park", "date"], name="park_day_fingerprint_once")]

    def __str__(self):
        return f"park {self.park_id} {self.date}: {self.snapshots} observations"


# The rankings' range sums live in their own module (derived data of the daily rows).
from .range_models import ParkRangeStamp, RideRangeStats  # noqa: E402, F401

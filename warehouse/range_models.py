"""Derived tables of the rankings: each ride's sums over the ranges of park days asked for most
(warehouse.aggregation.ranges writes them, warehouse.scopes reads them)."""
from django.db import models


class RideRangeStats(models.Model):
    """A ride's sums over one range of park days (first_day..last_day, both inclusive) that the
    rankings ask for often (the last 7 and 30 complete days, last week, last month and the ranges before them), summed
    from its daily rows by the statistics run (warehouse.aggregation.ranges): a ranking over such a
    range reads one row per ride. Derived data, valid while its park's stamp is newer than every
    daily row of the range (`ParkRangeStamp`). Keyed (clustered) by range, park and ride: a ranking
    reads its parks' rows of one range as one contiguous stretch."""

    pk = models.CompositePrimaryKey("first_day", "last_day", "park", "ride")
    ride = models.ForeignKey("themepark.Ride", on_delete=models.CASCADE, related_name="+")
    park = models.ForeignKey("themepark.Park", on_delete=models.CASCADE, related_name="+")
    first_day = models.DateField()
    last_day = models.DateField()
    operating_minutes = models.FloatField()
    downtime_minutes = models.FloatField()
    wait_minutes = models.FloatField(help_text="Minutes with a known wait on days with a mean wait")
    wait_sum = models.FloatField(null=True, help_text="Sum of mean wait x minutes with a known wait")
    status_changes = models.IntegerField()
    longest_downtime_minutes = models.FloatField(null=True)
    peak_wait_minutes = models.IntegerField(null=True)
    breakdowns = models.IntegerField()
    park_wide_minutes = models.FloatField()
    late_opening_minutes = models.FloatField()
    stale_feed_minutes = models.FloatField()
    days_operated = models.IntegerField()
    days_on_time = models.IntegerField()


class ParkRangeStamp(models.Model):
    """When a park's `RideRangeStats` of one range were summed, with the park's own sums over its
    daily rows of the range (what a ranking's park totals and coverage add up,
    `warehouse.park_sums`): they count only while no daily row of the park in the range has been
    written since. A sum over no row (or no row that counts) is empty, as SQL's SUM gives it."""

    pk = models.CompositePrimaryKey("park", "first_day", "last_day")
    park = models.ForeignKey("themepark.Park", on_delete=models.CASCADE, related_name="+")
    first_day = models.DateField()
    last_day = models.DateField()
    computed_at = models.DateTimeField()
    days = models.IntegerField(default=0, help_text="Daily rows summed")
    shame_sum = models.FloatField(null=True, help_text="Sum of the open days' shame scores")
    days_open = models.IntegerField(default=0)
    total_downtime_hours = models.FloatField(null=True)
    weighted_downtime_hours = models.FloatField(null=True)
    breakdowns = models.IntegerField(null=True)
    park_wide_minutes = models.FloatField(null=True)
    late_opening_minutes = models.FloatField(null=True)
    stale_feed_minutes = models.FloatField(null=True)
    coverage_sum = models.FloatField(null=True, help_text="Sum of coverage x open hours over days with a coverage")
    coverage_hours = models.FloatField(null=True, help_text="Open hours of the days with a coverage")
    wait_sum = models.FloatField(null=True, help_text="Sum of mean wait x open hours")
    wait_hours = models.FloatField(null=True, help_text="Open hours of the days with a mean wait")
    peak_wait_minutes = models.IntegerField(null=True)
    # What a park ranking counts of the park's rides over the range (`ranges.RIDE_COUNTS`), with the
    # rides' tiers when it was summed: not known (rides_operated empty) once a ride's tier changes.
    rides_down = models.IntegerField(null=True)
    rides_operated = models.IntegerField(null=True, help_text="Rides operated; empty: the counts are not known")
    effective_weight = models.FloatField(null=True, help_text="Sum of the tier weights of the rides operated")
    ride_uptime_mean = models.FloatField(null=True, help_text="Mean uptime of the rides operated")
    rides_reporting = models.IntegerField(null=True, help_text="Rides with a known wait")

"""Reusable reads of the observation store. Time filters are ranges on the raw column, so
MySQL prunes to the monthly partitions they touch (a DATE(recorded_at) predicate would not)."""
from django.db import models


class SnapshotQuerySet(models.QuerySet):
    def between(self, start, end):
        """Observations with start <= recorded_at < end."""
        return self.filter(recorded_at__gte=start, recorded_at__lt=end)

    def for_ride(self, ride):
        return self.filter(ride=ride)

    def for_rides(self, rides):
        return self.filter(ride__in=rides)

"""Hand-built statistics rows for the API tests (no tests of its own): each builder writes one
row with the figures given, so a test can assert the API shows exactly them."""
from datetime import datetime, timezone

from themepark.tests.factories import make_park, make_ride
from warehouse.engine_constants import METRICS_VERSION
from warehouse.models import LiveParkState, LiveRideState, ParkDailyStats, RideDailyStats

# Wednesday 2024-06-12 16:00 UTC: park day 2024-06-12 in New York (12:00) and in Tokyo (01:00 on the 13th).
NOW = datetime(2024, 6, 12, 16, 0, tzinfo=timezone.utc)


def park_day(park, day, *, shame=0.0, downtime_hours=0.0, weighted_hours=None, weight=0.0, rides_operated=0,
             rides_down=0, uptime=None, open_hours=10.0, avg_wait=None, peak_wait=None, save=True):
    """The row (saved unless `save=False`, for a bulk_create by the caller)."""
    return _saved(save, ParkDailyStats(
        park=park, date=day, shame_score=shame, total_downtime_hours=downtime_hours,
        weighted_downtime_hours=downtime_hours * 2 if weighted_hours is None else weighted_hours,
        effective_park_weight=weight, rides_operated=rides_operated, rides_down=rides_down,
        uptime_percentage=uptime, open_hours=open_hours, avg_wait_minutes=avg_wait, peak_wait_minutes=peak_wait,
        metrics_version=METRICS_VERSION))


def ride_day(ride, day, *, operating=600.0, downtime=0.0, operated=True, avg_wait=None, peak_wait=None,
             changes=0, longest=0.0, wait_known=None, save=True):
    total = operating + downtime
    if wait_known is None:  # by default the wait was known all the time the ride operated
        wait_known = operating if avg_wait is not None else 0.0
    return _saved(save, RideDailyStats(
        ride=ride, park_id=ride.park_id, date=day, operating_minutes=operating, downtime_minutes=downtime,
        known_minutes=total, uptime_percentage=100 * operating / total if total else None,
        avg_wait_minutes=avg_wait, peak_wait_minutes=peak_wait, status_changes=changes,
        longest_downtime_minutes=longest, operated=operated, wait_known_minutes=wait_known,
        metrics_version=METRICS_VERSION))


def _saved(save, row):
    if save:
        row.save()
    return row


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def live_ride(ride, status, wait=None, *, operated=True):
    return LiveRideState.objects.create(ride=ride, park_id=ride.park_id, status=status, wait_time=wait,
                                        recorded_at=NOW, operated_last_7_days=operated)


def live_park(park, **fields):
    return LiveParkState.objects.create(park=park, last_updated=NOW, **fields)


def park_with_rides(tiers=(1, 2, 3), **park_fields):
    park = make_park(**park_fields)
    return park, [make_ride(park, tier=tier) for tier in tiers]

"""The data shared by the frontend contract tests (test_api_frontend_*.py): a world of two parks with
daily and hourly statistics rows, live states and a few observations, and the periods and filters
the pages send."""
from datetime import date, timedelta

import pytest

from themepark.tests.factories import make_observations
from warehouse.engine_constants import METRICS_VERSION
from warehouse.ingest import ingest
from warehouse.models import ParkDailyStats, ParkHourlyStats, RideDailyStats, RideHourlyStats

from .api_data import NOW, live_park, live_ride, park_day, park_with_rides, ride_day, utc

TODAY, YESTERDAY = date(2024, 6, 12), date(2024, 6, 11)  # New York park days at NOW
FRONTEND_PERIODS = ("live", "today", "yesterday", "last_week", "last_month")
FILTERS = ("all-parks", "disney-universal")


def hour_rows(park, rides, day, hours, *, shame=1.0, downtime=(30, 0), waits=(40.0, 20.0)):
    """Park and ride hourly rows of `day` at the given UTC hours."""
    for hour in hours:
        start = utc(day.year, day.month, day.day, hour)
        ParkHourlyStats.objects.create(park=park, date=day, hour_start_utc=start, shame_score=shame + hour / 10,
                                       avg_wait_minutes=30.0 + hour, rides_down=1, open_hours=1,
                                       metrics_version=METRICS_VERSION)
        for ride, down, wait in zip(rides, downtime, waits):
            RideHourlyStats.objects.create(ride=ride, park=park, date=day, hour_start_utc=start,
                                           operating_minutes=60 - down, downtime_minutes=down,
                                           known_minutes=60, uptime_percentage=100 * (60 - down) / 60,
                                           avg_wait_minutes=wait + hour, wait_known_minutes=60 - down,
                                           operated=True, metrics_version=METRICS_VERSION)


@pytest.fixture
def world():
    """Two parks (a Disney one in New York, another in Tokyo), daily rows from May 1 to today,
    hourly rows for today and yesterday, live states and a few raw observations."""
    magic, (m1, m2) = park_with_rides(tiers=(1, 2), name="Magic", is_disney=True, queue_times_id=3,
                                      city="Bay Lake", region="Florida", country="United States")
    plain, (p1,) = park_with_rides(tiers=(3,), name="Plain", timezone="Asia/Tokyo", country="Japan")
    live_park(magic, is_open=True, rides_open=1, rides_down=1, total_rides=2, shame_score=1.5, avg_wait_time=30.0,
              max_wait_time=45)
    live_park(plain, is_open=False, total_rides=1)
    live_ride(m1, "DOWN")
    live_ride(m2, "OPERATING", 25)
    live_ride(p1, "CLOSED")
    day, parks, rides = date(2024, 5, 1), [], []
    while day <= TODAY:
        n = day.toordinal() % 5
        parks += [park_day(magic, day, shame=1.0 + n / 2, downtime_hours=1.0 + n, weight=5, rides_operated=2,
                           rides_down=1, uptime=90.0, avg_wait=25.0 + n, peak_wait=60, save=False),
                  park_day(plain, day, shame=0.5, downtime_hours=0.5, weight=1, rides_operated=1, rides_down=1,
                           uptime=95.0, avg_wait=15.0, peak_wait=30, save=False)]
        rides += [ride_day(m1, day, operating=540 - 10 * n, downtime=60 + 10 * n, avg_wait=45.0 + n, peak_wait=60,
                           changes=2, save=False),
                  ride_day(m2, day, operating=600, avg_wait=20.0, peak_wait=35, save=False),
                  ride_day(p1, day, operating=570, downtime=30, avg_wait=15.0, peak_wait=30, save=False)]
        day += timedelta(days=1)
    ParkDailyStats.objects.bulk_create(parks)
    RideDailyStats.objects.bulk_create(rides)
    hour_rows(magic, (m1, m2), YESTERDAY, (14, 15, 16))
    hour_rows(magic, (m1, m2), TODAY, (13, 14))
    ingest(make_observations(m1, 3, utc(2024, 6, 11, 15, 5)), now=NOW)
    return magic, plain, (m1, m2, p1)

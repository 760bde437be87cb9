"""Every list endpoint reads a fixed number of queries, however many parks and rides it lists:
the count measured on a world of one park is pinned (django_assert_num_queries) on a world of
four, so a query per row (N+1) fails here; and each ranking's count is pinned outright, so a
query added to a ranking shows here."""
from datetime import date, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from themepark.choices import RideStatus
from warehouse.aggregation.ranges import ranges_refresh

from .api_data import NOW, live_park, live_ride, park_day, park_with_rides, ride_day

TODAY = date(2024, 6, 12)
YESTERDAY = TODAY - timedelta(days=1)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

# (path, query, queries): the last 7 and 30 days and last week read the rides' range sums (two
# queries check they are fresh: the stamps with the parks' sums over them and over the period
# before, for the trend, then the parks' days recomputed since; no park daily rows); a
# ride ranking reads its rides' names, live states and parks' live states in one query; a park
# ranking reads the park daily rows of its period and of the period before (its trend) in one query.
LISTS = [
    ("/api/parks/downtime", {"period": "yesterday"}, 4),
    ("/api/parks/downtime", {"period": "today"}, 4),
    ("/api/parks/downtime", {"period": "7days"}, 4),  # its rides counted on the kept range
    ("/api/parks/downtime", {"period": "30days", "exclude": "park_wide"}, 6),
    ("/api/parks/waittimes", {"period": "yesterday"}, 4),
    ("/api/parks/waittimes", {"period": "30days"}, 4),
    ("/api/rides/downtime", {"period": "yesterday"}, 5),
    ("/api/rides/downtime", {"period": "last_week"}, 6),
    ("/api/rides/downtime", {"period": "7days"}, 6),
    ("/api/rides/downtime", {"period": "30days", "sort_by": "trend_percentage"}, 6),
    ("/api/rides/downtime", {"period": "30days", "exclude": "park_wide"}, 6),  # coverage: no exclusion to apply
    # a year through yesterday: one query checks its year to date is fresh, one looks for rollups
    # (its days before January: park daily rows); a ride ranking looks for the year before's rollups
    # (its trend) in the same query
    ("/api/rides/downtime", {"start": "2023-06-12", "end": "2024-06-11"}, 8),
    ("/api/parks/downtime", {"start": "2023-06-12", "end": "2024-06-11"}, 7),
    ("/api/rides/waittimes", {"period": "yesterday"}, 5),
    ("/api/rides/waittimes", {"period": "7days"}, 6),
    ("/api/trends", {"category": "parks-declining", "period": "yesterday"}, 5),
    ("/api/trends", {"category": "rides-declining", "period": "7days"}, 8),
    ("/api/trends/longest-wait-times", {"period": "yesterday", "entity": "rides"}, 5),
    ("/api/trends/least-reliable", {"period": "yesterday", "entity": "parks"}, 4),
    ("/api/trends/chart-data", {"period": "yesterday", "type": "rides"}, 4),
    ("/api/trends/chart-data", {"period": "30days", "type": "parks"}, 4),
    ("/api/trends/heatmap-data", {"period": "yesterday", "type": "rides-downtime"}, 4),
    ("/api/search/index", {}, 2),
    ("/api/live/status-summary", {}, 3),
]


def add_parks(count):
    for n in range(count):
        park, rides = park_with_rides(country="US", continent="North America")
        for day in (TODAY, YESTERDAY, YESTERDAY - timedelta(days=1), YESTERDAY - timedelta(days=8)):
            worse = 3 if day == YESTERDAY else 1  # yesterday declined against the day before
            park_day(park, day, shame=0.5 * worse + n, downtime_hours=1.0 * worse, weight=6, rides_operated=3,
                     rides_down=1, uptime=100 - 5 * worse, avg_wait=20.0, peak_wait=50)
            for i, ride in enumerate(rides):
                down = 60 * worse * (i == 0)
                ride_day(ride, day, operating=600 - down, downtime=down, avg_wait=10.0 + i, peak_wait=30 + i,
                         changes=2 * (i == 0), longest=float(down))
        live_park(park, is_open=True)
        for i, ride in enumerate(rides):
            live_ride(ride, RideStatus.DOWN if i == 0 else RideStatus.OPERATING, None if i == 0 else 15 + i)
        ranges_refresh({park: []}, NOW)  # the 7- and 30-day sums, as the statistics run leaves them


def _get(api, path, query):
    cache.clear()  # measure the view, not the response cache
    response = api.get(path, query)
    assert response.status_code == 200, response.content
    return response


IDS = [f"{path}?{'&'.join(f'{k}={v}' for k, v in query.items())}" for path, query, _ in LISTS]


@pytest.mark.parametrize("path,query,queries", LISTS, ids=IDS)
def test_a_list_endpoint_reads_as_many_queries_for_four_parks_as_for_one(api, path, query, queries,
                                                                          django_assert_num_queries):
    add_parks(1)
    with CaptureQueriesContext(connection) as one_park:
        small = _get(api, path, query)
    add_parks(3)
    with django_assert_num_queries(queries):
        large = _get(api, path, query)
    assert len(one_park.captured_queries) == queries
    if path != "/api/live/status-summary":  # counts only: same size whatever the world
        assert len(large.content) > len(small.content)


def test_the_quality_issue_list_reads_as_many_queries_for_many_issues_as_for_one(django_assert_num_queries):
    from django.contrib.auth.models import User
    from rest_framework.test import APIClient

    from quality.services import quality_issue_record
    from themepark.tests.factories import make_park, make_ride

    client = APIClient()
    client.force_authenticate(User.objects.create_user("staff", is_staff=True))

    def add(count):
        for _ in range(count):
            park = make_park()
            quality_issue_record(issue_type="GAP", description="gap", park=park, ride=make_ride(park))

    add(1)
    with CaptureQueriesContext(connection) as one:
        small = _get(client, "/api/admin/quality/issues", {})
    add(5)
    with django_assert_num_queries(len(one.captured_queries)):
        large = _get(client, "/api/admin/quality/issues", {})
    assert len(large.json()["data"]) > len(small.json()["data"])


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield

"""Rankings: /api/parks/downtime, /api/parks/waittimes, /api/rides/downtime, /api/rides/waittimes.
Figures must equal the hand-built statistics rows, rounded as docs/contracts.md §2 says."""
from datetime import date, timedelta

import pytest
import time_machine

from themepark.tests.factories import make_park, make_ride

from .api_data import NOW, live_park, live_ride, park_day, park_with_rides, ride_day

TODAY = date(2024, 6, 12)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]



@pytest.fixture
def two_parks():
    """A Disney park with one down ride yesterday and a plain park with none."""
    disney, (d1, d2, d3) = park_with_rides(name="Magic", is_disney=True, country="US", continent="North America",
                                           queue_times_id=6)
    plain, (p1, p2, p3) = park_with_rides(name="Plain", country="DE", continent="Europe")
    day = TODAY - timedelta(days=1)
    park_day(disney, day, shame=1.234, downtime_hours=1.5, weighted_hours=4.5, weight=6, rides_operated=3,
             rides_down=1, uptime=95.0, avg_wait=31.26, peak_wait=90)
    ride_day(d1, day, operating=510, downtime=90, avg_wait=40.0, peak_wait=90, changes=4, longest=60.04)
    ride_day(d2, day, operating=600, avg_wait=20.0, peak_wait=35)
    ride_day(d3, day, operating=600, avg_wait=10.0, peak_wait=15)
    park_day(plain, day, shame=0.0, weight=6, rides_operated=3, uptime=100.0, avg_wait=12.0, peak_wait=20)
    for ride in (p1, p2, p3):
        ride_day(ride, day, operating=600, avg_wait=12.0, peak_wait=20)
    return disney, plain, (d1, d2, d3), (p1, p2, p3)


def test_park_downtime_shows_the_stats_rows_rounded(api, two_parks):
    disney, plain, rides, _ = two_parks
    body = api.get("/api/parks/downtime", {"period": "yesterday"}).json()
    assert body["success"] is True and body["period"] == "yesterday" and body["sort_by"] == "shame_score"
    first = body["data"][0]
    assert first.items() >= {"rank": 1, "park_id": disney.pk, "park_name": "Magic", "location": "US",
                             "timezone": "America/New_York", "shame_score": 1.2, "total_downtime_hours": 1.5,
                             "weighted_downtime_hours": 4.5, "uptime_percentage": 95.0, "rides_down": 1,
                             "effective_park_weight": 6.0, "park_is_open": False,
                             "queue_times_url": "https://queue-times.com/parks/6", "trend_percentage": None}.items()
    assert body["data"][1]["park_id"] == plain.pk and body["data"][1]["queue_times_url"] is None
    assert body["aggregate_stats"] == {"total_parks_tracked": 2, "rides_operating": 6, "rides_down": 1,
                                       "total_downtime_hours": 1.5, "avg_uptime_percentage": 97.5}
    assert body["dates"] == {"start": "2024-06-11", "end": "2024-06-11"}


def test_rankings_carry_themeparks_wiki_and_queue_times_attribution(api, two_parks):
    names = [a["name"] for a in api.get("/api/parks/downtime?period=yesterday").json()["attribution"]]
    assert names == ["ThemeParks.wiki", "Powered by Queue-Times.com"]
    plain_only = api.get("/api/parks/downtime?period=yesterday&filter=disney-universal").json()
    assert [d["park_name"] for d in plain_only["data"]] == ["Magic"]


def test_disney_universal_filter_leaves_out_other_parks(api, two_parks):
    body = api.get("/api/rides/downtime", {"period": "yesterday", "filter": "disney-universal"}).json()
    assert {row["park_name"] for row in body["data"]} == {"Magic"}


def test_park_range_shame_is_the_mean_of_open_days_and_hours_are_summed(api):
    park, (ride,) = park_with_rides(tiers=(1,))
    park_day(park, TODAY - timedelta(days=2), shame=2.0, downtime_hours=1.0, weight=3, rides_operated=1, rides_down=1)
    park_day(park, TODAY - timedelta(days=3), shame=4.0, downtime_hours=2.0, weight=3, rides_operated=1, rides_down=1)
    park_day(park, TODAY - timedelta(days=4), shame=0.0, open_hours=0)  # closed: not in the mean
    ride_day(ride, TODAY - timedelta(days=2), operating=540, downtime=60)
    ride_day(ride, TODAY - timedelta(days=3), operating=480, downtime=120)
    row = api.get("/api/parks/downtime?period=7days").json()["data"][0]
    assert row["shame_score"] == 3.0 and row["total_downtime_hours"] == 3.0
    assert row["weighted_downtime_hours"] == 6.0 and row["rides_down"] == 1
    assert row["uptime_percentage"] == round(100 * 1020 / 1200, 1) and row["effective_park_weight"] == 3.0


def test_a_custom_range_replaces_the_period(api, two_parks):
    body = api.get("/api/parks/downtime", {"start": "2024-06-11", "end": "2024-06-11"}).json()
    assert body["period"] == "custom" and body["data"][0]["shame_score"] == 1.2
    assert api.get("/api/parks/downtime", {"start": "2024-06-01", "end": "2024-06-02"}).json()["data"] == []


@pytest.mark.parametrize("period", ["live", "today", "yesterday", "last_week", "last_month", "7days", "30days"])
@pytest.mark.parametrize("path", ["/api/parks/downtime", "/api/parks/waittimes", "/api/rides/downtime",
                                  "/api/rides/waittimes"])
def test_every_ranking_answers_every_period(api, two_parks, path, period):
    response = api.get(path, {"period": period})
    assert response.status_code == 200 and response.json()["success"] is True
    expect_rows = period in ("yesterday", "7days", "30days") or (period == "last_week" and False)
    assert bool(response.json()["data"]) == expect_rows


def test_periods_are_resolved_in_each_parks_own_timezone(api):
    moment = NOW.replace(hour=20)  # 16:00 in New York (June 12), 05:00 in Tokyo (June 13)
    tokyo, (t1,) = park_with_rides(tiers=(1,), name="Tokyo", timezone="Asia/Tokyo")
    ny, (n1,) = park_with_rides(tiers=(1,), name="NY", timezone="America/New_York")
    park_day(tokyo, date(2024, 6, 12), shame=5.0, weight=3, rides_operated=1)  # Tokyo's yesterday
    park_day(tokyo, date(2024, 6, 11), shame=9.0, weight=3, rides_operated=1)
    park_day(ny, date(2024, 6, 11), shame=1.0, weight=3, rides_operated=1)  # New York's yesterday
    with time_machine.travel(moment, tick=False):
        body = api.get("/api/parks/downtime?period=yesterday").json()
    assert {row["park_name"]: row["shame_score"] for row in body["data"]} == {"Tokyo": 5.0, "NY": 1.0}
    assert body["dates"] == {"start": "2024-06-11", "end": "2024-06-12"}


@pytest.mark.parametrize("sort_by, first", [("shame_score", "Magic"), ("total_downtime_hours", "Magic"),
                                            ("uptime_percentage", "Magic"), ("rides_down", "Magic")])
def test_parks_sort_worst_first(api, two_parks, sort_by, first):
    body = api.get("/api/parks/downtime", {"period": "yesterday", "sort_by": sort_by}).json()
    assert body["sort_by"] == sort_by and body["data"][0]["park_name"] == first


def test_limit_bounds_the_rows(api, two_parks):
    assert len(api.get("/api/parks/downtime?period=yesterday&limit=1").json()["data"]) == 1
    assert len(api.get("/api/rides/downtime?period=yesterday&limit=2").json()["data"]) == 2


def test_live_park_ranking_uses_the_live_shame_score(api, two_parks):
    disney, plain, (d1, d2, d3), _ = two_parks
    live_park(disney, is_open=True, shame_score=3.333, rides_down=1, rides_open=2, total_rides=3)
    live_park(plain, is_open=True, shame_score=0.0, rides_open=3, total_rides=3)
    park_day(disney, TODAY, shame=0.5, downtime_hours=0.25, weight=6, rides_operated=3, rides_down=1)
    body = api.get("/api/parks/downtime?period=live").json()
    assert body["data"][0]["shame_score"] == 3.3 and body["data"][0]["park_is_open"] is True
    assert body["aggregate_stats"]["rides_operating"] == 5


def test_park_waittimes_are_time_weighted_over_the_period(api, two_parks):
    disney, plain, *_ = two_parks
    body = api.get("/api/parks/waittimes?period=yesterday").json()
    assert [(r["park_name"], r["avg_wait_minutes"], r["peak_wait_minutes"], r["rides_reporting"])
            for r in body["data"]] == [("Magic", 31.3, 90, 3), ("Plain", 12.0, 20, 3)]


def test_ride_downtime_shows_figures_and_live_status(api, two_parks):
    disney, _, (d1, d2, d3), _ = two_parks
    live_ride(d1, "DOWN")
    body = api.get("/api/rides/downtime?period=yesterday").json()
    first = body["data"][0]
    assert first.items() >= {"rank": 1, "ride_id": d1.pk, "ride_name": d1.name, "park_id": disney.pk,
                             "park_name": "Magic", "tier": 1, "downtime_hours": 1.5, "uptime_percentage": 85.0,
                             "status_changes": 4, "longest_downtime_minutes": 60.0, "current_status": "DOWN",
                             "avg_wait_time": 40, "peak_wait_time": 90, "location": "US", "park_is_open": None,
                             "current_is_open": False, "is_down": True, "trend_percentage": None}.items()
    by_uptime = api.get("/api/rides/downtime?period=yesterday&sort_by=uptime_percentage").json()["data"]
    assert by_uptime[0]["ride_id"] == d1.pk and by_uptime[-1]["uptime_percentage"] == 100.0


def test_ride_waittimes_rank_by_mean_wait_and_live_mode_by_current_wait(api, two_parks):
    disney, _, (d1, d2, d3), _ = two_parks
    rows = api.get("/api/rides/waittimes?period=yesterday").json()["data"]
    assert [r["ride_id"] for r in rows[:3]] == [d1.pk, d2.pk, rows[2]["ride_id"]]
    assert rows[0]["avg_wait_minutes"] == 40.0 and rows[0]["peak_wait_minutes"] == 90
    live_ride(d3, "OPERATING", 75)
    live_ride(d2, "OPERATING", 30)
    live_ride(d1, "DOWN")
    live = api.get("/api/rides/waittimes?mode=live").json()
    assert [(r["ride_id"], r["current_wait_time"]) for r in live["data"]] == [(d3.pk, 75), (d2.pk, 30)]
    assert live["period"] == "live"


@pytest.mark.parametrize("path, query, parameter", [
    ("/api/parks/downtime", "period=forever", "period"),
    ("/api/parks/downtime", "filter=some", "filter"),
    ("/api/parks/downtime", "sort_by=name", "sort_by"),
    ("/api/parks/downtime", "limit=101", "limit"),
    ("/api/parks/downtime", "limit=0", "limit"),
    ("/api/parks/downtime", "limit=ten", "limit"),
    ("/api/parks/downtime", "start=2024-06-01", "end"),
    ("/api/parks/downtime", "start=2024-06-05&end=2024-06-01", "start"),
    ("/api/parks/downtime", "start=junk&end=2024-06-01", "start"),
    ("/api/parks/waittimes", "limit=500", "limit"),
    ("/api/rides/downtime", "sort_by=shame_score", "sort_by"),
    ("/api/rides/downtime", "limit=201", "limit"),
    ("/api/rides/waittimes", "mode=sometimes", "mode"),
    ("/api/rides/waittimes", "filter=", None),
])
def test_bad_parameters_are_a_400_naming_the_parameter_and_allowed_values(api, path, query, parameter):
    response = api.get(f"{path}?{query}")
    if parameter is None:  # an empty value means the default
        assert response.status_code == 200
        return
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["error"].startswith(f"{parameter}:")
    if parameter == "period":
        assert "live, today, yesterday, last_week, last_month, 7days, 30days" in body["error"]
    if parameter == "filter":
        assert "all-parks, disney-universal" in body["error"]


def test_inactive_parks_and_other_parks_rides_are_not_ranked(api, two_parks):
    gone = make_park(name="Gone", is_active=False)
    ride = make_ride(gone, tier=1)
    park_day(gone, TODAY - timedelta(days=1), shame=9.0, weight=3, rides_operated=1)
    ride_day(ride, TODAY - timedelta(days=1), downtime=300)
    body = api.get("/api/parks/downtime?period=yesterday").json()
    assert "Gone" not in [r["park_name"] for r in body["data"]]
    assert ride.pk not in [r["ride_id"] for r in api.get("/api/rides/downtime?period=yesterday").json()["data"]]


@pytest.mark.django_db
def test_a_rides_mean_wait_over_a_range_is_weighted_by_the_minutes_its_wait_was_known(client):
    ride = make_ride(make_park(timezone="UTC"))
    ride_day(ride, date(2024, 6, 1), operating=600, avg_wait=10, wait_known=60)
    ride_day(ride, date(2024, 6, 2), operating=600, avg_wait=40, wait_known=540)
    body = client.get("/api/rides/waittimes?start=2024-06-01&end=2024-06-02").json()
    # (10 x 60 + 40 x 540) / 600 = 37.0, not the plain mean 25.0
    assert body["data"][0]["avg_wait_minutes"] == 37.0

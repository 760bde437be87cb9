"""Per-park and per-ride endpoints, raw history, the live summary, search and health."""
from datetime import date, datetime, timedelta, timezone

import pytest

from collector.models import CollectionRun
from themepark.tests.factories import make_observations, make_park, make_ride
from warehouse.engine_constants import METRICS_VERSION
from warehouse.ingest import QueueRow, ingest
from warehouse.models import (AggregationRun, ParkHourlyStats, ParkOperatingSession, RideHourlyStats,
                              RideStatusChange)

from .api_data import NOW, live_park, live_ride, park_day, park_with_rides, ride_day

TODAY = date(2024, 6, 12)
YESTERDAY = TODAY - timedelta(days=1)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]



def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_park_details_show_breakdown_sessions_and_hourly_chart(api):
    park, (r1, r2, r3) = park_with_rides(tiers=(1, 2, None), name="Magic", operator="Disney", queue_times_id=9)
    make_ride(park, tier=3, is_active=False)
    for ride in (r1, r2, r3):
        live_ride(ride, "OPERATING")
    live_park(park, is_open=True, rides_open=2, rides_closed=1, total_rides=3, avg_wait_time=22.6, max_wait_time=60)
    park_day(park, YESTERDAY, shame=1.26, downtime_hours=1.5, weighted_hours=4.5, weight=7, rides_operated=3,
             rides_down=1)
    ride_day(r1, YESTERDAY, operating=510, downtime=90)
    ride_day(r2, YESTERDAY, operating=600)
    ParkOperatingSession.objects.create(park=park, date=YESTERDAY, open_from=utc(2024, 6, 11, 13),
                                        open_to=utc(2024, 6, 12, 1), operating_hours=12.0, source="SCHEDULE",
                                        metrics_version=METRICS_VERSION)
    ParkHourlyStats.objects.create(park=park, date=YESTERDAY, hour_start_utc=utc(2024, 6, 11, 14), shame_score=2.04,
                                   metrics_version=METRICS_VERSION)
    body = api.get(f"/api/parks/{park.pk}/details?period=yesterday").json()
    assert body["park"] == {"park_id": park.pk, "name": "Magic", "location": "", "city": "", "region": "",
                            "country": "", "operator": "Disney",
                            "timezone": "America/New_York", "queue_times_url": "https://queue-times.com/parks/9"}
    assert body["current_status"] == {"is_open": True, "rides_open": 2, "operating": 2, "rides_closed": 1,
                                      "rides_down": 0, "total_rides": 3, "uptime_percentage": 100.0,
                                      "avg_wait_time": 23, "max_wait_time": 60, "last_updated": "2024-06-12T16:00:00Z"}
    assert body["shame_breakdown"] == {
        "breakdown_type": "yesterday", "shame_score": 1.3, "total_downtime_hours": 1.5,
        "weighted_downtime_hours": 4.5, "effective_park_weight": 5.0,
        "rides": [{"ride_id": r1.pk, "ride_name": r1.name, "tier": 1, "tier_weight": 3, "downtime_hours": 1.5,
                   "weighted_contribution": 4.5, "days_with_downtime": 1, "status": "DOWN"}],
        "rides_affected_count": 1, "period_label": "Jun 11, 2024", "days_in_period": 1}
    assert body["tier_distribution"] == {"tier_1_count": 1, "tier_2_count": 1, "tier_3_count": 0,
                                         "unclassified_count": 1, "total_rides": 3}
    assert body["operating_sessions"] == [{"date": "2024-06-11", "open_from": "2024-06-11T13:00:00Z",
                                           "open_to": "2024-06-12T01:00:00Z", "operating_hours": 12.0}]
    assert body["chart_data"] == {"labels": ["2024-06-11T14:00:00Z"], "data": [2.0], "avg_wait": [None],
                                  "rides_down": [0], "average": 2.0, "granularity": "hourly"}
    assert body["excluded_rides_count"] == 1


def test_park_details_over_a_week_chart_daily_shame_with_nulls_for_missing_days(api):
    park, _ = park_with_rides(tiers=(1,))
    park_day(park, date(2024, 6, 4), shame=3.0)
    chart = api.get(f"/api/parks/{park.pk}/details?period=last_week").json()["chart_data"]
    assert chart["granularity"] == "daily" and chart["labels"][0] == "2024-06-03" and len(chart["labels"]) == 7
    assert chart["data"] == [None, 3.0, None, None, None, None, None]


def test_park_rides_split_active_and_excluded_with_the_reason(api):
    park, (r1, r2) = park_with_rides(tiers=(1, 3))
    stale = make_ride(park, tier=2, last_operated_at=NOW - timedelta(days=30))
    gone = make_ride(park, tier=None, is_active=False)
    live_ride(r1, "OPERATING", 10)
    live_ride(r2, "CLOSED", operated=True)
    body = api.get(f"/api/parks/{park.pk}/rides").json()
    assert {r["ride_id"] for r in body["rides"]["active"]} == {r1.pk, r2.pk}
    excluded = {r["ride_id"]: r for r in body["rides"]["excluded"]}
    assert excluded[gone.pk]["reason"] == "inactive"
    assert excluded[stale.pk]["reason"] == "not operated in the last 7 days"
    assert excluded[stale.pk]["last_operated_at"] == "2024-05-13T16:00:00Z"
    assert body["effective_park_weight"] == 4.0


@pytest.mark.parametrize("path", ["/api/parks/{}/details", "/api/parks/{}/rides", "/api/rides/{}/details",
                                  "/api/rides/{}/history"])
@pytest.mark.parametrize("bad_id", ["999999", "abc", "99999999999999999999999"])
def test_unknown_ids_are_a_json_404(api, path, bad_id):
    response = api.get(path.format(bad_id))
    assert response.status_code == 404
    assert response.json()["success"] is False and bad_id in response.json()["error"]


def test_ride_details_summary_timeseries_and_downtime_events(api):
    park, (ride,) = park_with_rides(tiers=(1,), themeparks_wiki_id="wiki-park")
    ride_day(ride, YESTERDAY, operating=510, downtime=90, avg_wait=41.26, peak_wait=90)
    RideHourlyStats.objects.create(ride=ride, park=park, date=YESTERDAY, hour_start_utc=utc(2024, 6, 11, 15),
                                   operating_minutes=30, downtime_minutes=30, uptime_percentage=50.0,
                                   avg_wait_minutes=35.0, metrics_version=METRICS_VERSION)
    for at, status in [(utc(2024, 6, 11, 15, 0), "DOWN"), (utc(2024, 6, 11, 15, 30), "OPERATING"),
                       (utc(2024, 6, 11, 20, 0), "DOWN"), (utc(2024, 6, 11, 21, 0), "OPERATING")]:
        RideStatusChange.objects.create(ride=ride, changed_at=at, to_status=status)
    body = api.get(f"/api/rides/{ride.pk}/details?period=yesterday").json()
    assert body["ride"]["ride_id"] == ride.pk and body["ride"]["park_name"] == park.name
    assert body["summary"].items() >= {"total_downtime_hours": 1.5, "uptime_percentage": 85.0, "avg_wait_time": 41,
                                       "peak_wait_time": 90, "total_operating_hours": 8.5}.items()
    hour = {"hour_start_utc": "2024-06-11T15:00:00Z", "avg_wait_time_minutes": 35.0, "uptime_percentage": 50.0,
            "downtime_minutes": 30.0, "downtime_hours": 0.5, "operating_hours": 0.5, "snapshot_count": 0,
            "status": "DOWN"}
    assert body["timeseries"] == body["hourly_breakdown"] == [hour]
    assert body["period"] == "yesterday" and body["granularity"] == "hourly"
    assert body["downtime_events"] == [
        {"start": "2024-06-11T15:00:00Z", "end": "2024-06-11T15:30:00Z", "duration_minutes": 30.0, "kind": None},
        {"start": "2024-06-11T20:00:00Z", "end": "2024-06-11T21:00:00Z", "duration_minutes": 60.0, "kind": None}]
    weekly = api.get(f"/api/rides/{ride.pk}/details?period=7days").json()["timeseries"]
    assert weekly == [{"date": "2024-06-11", "avg_wait_time_minutes": 41.3, "uptime_percentage": 85.0,
                       "downtime_minutes": 90.0, "downtime_hours": 1.5, "operating_hours": 8.5, "snapshot_count": 0,
                       "status": "DOWN"}]


def test_ride_details_show_latest_queue_values_and_paid_price_history(api, ride):
    obs = make_observations(ride, 2, NOW - timedelta(minutes=10), wait_time=25)
    obs[0].queues = [QueueRow(queue_type="PAID_RETURN_TIME", price_amount=1500, price_currency="USD")]
    obs[1].queues = [QueueRow(queue_type="PAID_RETURN_TIME", price_amount=1700, price_currency="USD"),
                     QueueRow(queue_type="STANDBY", wait_time_minutes=25)]
    ingest(obs, now=NOW)
    queues = api.get(f"/api/rides/{ride.pk}/details?period=today").json()["queues"]
    assert queues["STANDBY"]["wait_time_minutes"] == 25
    assert queues["PAID_RETURN_TIME"]["price_amount"] == 1700
    assert [p["price_amount"] for p in queues["PAID_RETURN_TIME"]["price_history"]] == [1500, 1700]


def test_ride_history_is_cursor_paginated_over_the_default_day(api, ride):
    ingest(make_observations(ride, 30, NOW - timedelta(hours=30), step=timedelta(hours=1)), now=NOW)
    first = api.get(f"/api/rides/{ride.pk}/history?page_size=10").json()
    assert first["success"] is True and len(first["data"]) == 10
    assert first["data"][0] == {"recorded_at": "2024-06-11T16:00:00Z", "status": "OPERATING", "wait_time": 10,
                                "data_source": "LIVE"}
    seen = [row["recorded_at"] for row in first["data"]]
    url = first["next"]
    while url:
        page = api.get(url).json()
        seen += [row["recorded_at"] for row in page["data"]]
        url = page["next"]
    assert len(seen) == 24 and seen == sorted(seen)  # 16:00 yesterday .. 15:00 today
    ranged = api.get(f"/api/rides/{ride.pk}/history?start=2024-06-11T11:00:00Z&end=2024-06-11T13:00:00Z").json()
    assert [r["recorded_at"] for r in ranged["data"]] == ["2024-06-11T11:00:00Z", "2024-06-11T12:00:00Z"]


@pytest.mark.parametrize("query, parameter", [("start=yesterday", "start"), ("end=2024-13-40", "end"),
                                              ("start=2024-06-12&end=2024-06-01", "start"),
                                              ("start=2024-01-01&end=2024-06-01", "end"),
                                              ("page_size=0", "page_size")])
def test_ride_history_refuses_bad_ranges(api, ride, query, parameter):
    response = api.get(f"/api/rides/{ride.pk}/history?{query}")
    assert response.status_code == 400 and response.json()["error"].startswith(parameter)


def test_status_summary_counts_attractions_and_closed_parks(api):
    open_park, (a, b, c) = park_with_rides(tiers=(1, 2, 3), is_universal=True)
    shut, (d,) = park_with_rides(tiers=(1,))
    show = make_ride(open_park, entity_type="SHOW")
    live_park(open_park, is_open=True)
    live_park(shut, is_open=False)
    for ride, status in [(a, "OPERATING"), (b, "DOWN"), (c, "REFURBISHMENT"), (d, "CLOSED"), (show, "OPERATING")]:
        live_ride(ride, status)
    body = api.get("/api/live/status-summary").json()
    assert body["status_summary"] == {"OPERATING": 1, "DOWN": 1, "CLOSED": 0, "REFURBISHMENT": 1,
                                      "PARK_CLOSED": 1, "total": 4}
    assert api.get("/api/live/status-summary?filter=disney-universal").json()["status_summary"]["total"] == 3
    assert api.get(f"/api/live/status-summary?park_id={shut.pk}").json()["status_summary"]["PARK_CLOSED"] == 1
    assert api.get("/api/live/status-summary?park_id=0").status_code == 400
    assert api.get("/api/live/status-summary?park_id=424242").status_code == 404
    assert "max-age=60" in api.get("/api/live/status-summary").headers["Cache-Control"]


def test_search_index_lists_active_parks_and_attractions(api):
    park, (ride,) = park_with_rides(tiers=(1,), name="Magic", country="US")
    make_ride(park, entity_type="RESTAURANT")
    make_park(is_active=False)
    body = api.get("/api/search/index").json()
    assert body["parks"] == [{"id": park.pk, "type": "park", "name": "Magic", "location": "US",
                              "url": f"park-detail.html?park_id={park.pk}"}]
    assert body["rides"] == [{"id": ride.pk, "type": "ride", "name": ride.name, "park_id": park.pk,
                              "park_name": "Magic", "location": "US", "url": f"ride-detail.html?id={ride.pk}"}]


def test_health_is_degraded_without_collection_and_healthy_when_fresh(api, ride):
    body = api.get("/api/health").json()
    assert body["status"] == "degraded" and body["checks"]["database"]["ok"] is True
    assert body["checks"]["data_collection"] == {"last_collection": None, "age_minutes": None}
    ingest(make_observations(ride, 1, NOW - timedelta(minutes=4)), now=NOW)  # no run recorded: the fallback
    assert api.get("/api/health").json()["checks"]["data_collection"]["age_minutes"] == 4.0
    CollectionRun.objects.create(started_at=NOW - timedelta(minutes=3), finished_at=NOW - timedelta(minutes=2),
                                 status="SUCCESS")
    AggregationRun.objects.create(mode="INCREMENTAL", status="COMPLETED", started_at=NOW - timedelta(minutes=12),
                                  finished_at=NOW - timedelta(minutes=10))
    response = api.get("/api/health/")
    body = response.json()
    assert body["checks"]["data_collection"]["age_minutes"] == 2.0
    assert body["checks"]["aggregation"] == {"last_completed_at": "2024-06-12T15:50:00Z", "lag_minutes": 10.0}
    assert body["checks"]["partitions"]["months_ahead"] is None or body["checks"]["partitions"]["months_ahead"] >= 0
    expected = "healthy" if (body["checks"]["partitions"]["months_ahead"] or 1) >= 1 else "degraded"
    assert body["status"] == expected and response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"

"""The frontend contract (docs/frontend-contract.md) of one park's and one ride's pages (details, ride
charts) and of the search index: every field the pages read, with its JSON type, for every period;
and the charts' values against the statistics rows of hand-built data."""
from datetime import date

import pytest

from themepark.tests.factories import make_ride
from warehouse.models import RideHourlyStats

from .api_data import utc
from .field_tables import NUM, OPT_INT, OPT_NUM, conforms, rows
from .frontend_world import world  # noqa: F401 - a fixture
from .frontend_world import FRONTEND_PERIODS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.mark.parametrize("period", FRONTEND_PERIODS)
def test_park_details_for_the_modal_and_the_page(api, world, period):
    magic, _, _ = world
    body = api.get(f"/api/parks/{magic.pk}/details", {"period": period}).json()
    conforms(body, {"park.name": str, "park.location": str, "park.operator": str, "park.timezone": str,
                    "period": str, "shame_breakdown.shame_score": NUM, "shame_breakdown.breakdown_type": str,
                    "tier_distribution.tier_1_count": int, "tier_distribution.tier_2_count": int,
                    "tier_distribution.tier_3_count": int, "tier_distribution.total_rides": int,
                    "excluded_rides_count": int, "current_status.total_rides": int,
                    "current_status.rides_open": int, "current_status.operating": int,
                    "current_status.rides_closed": int, "current_status.uptime_percentage": NUM,
                    "chart_data.labels[]": str, "chart_data.data[]": OPT_NUM, "chart_data.avg_wait[]": OPT_NUM,
                    "chart_data.rides_down[]": OPT_INT, "chart_data.granularity": str})
    assert body["period"] == period and body["shame_breakdown"]["breakdown_type"] == period
    breakdown = body["shame_breakdown"]
    if period == "live":
        conforms(body, {"shame_breakdown.park_is_open": bool, "shame_breakdown.total_weighted_down": NUM,
                        "shame_breakdown.total_park_weight": NUM, "shame_breakdown.rides_down[].ride_name": str,
                        "shame_breakdown.rides_down[].tier_weight": int})
        assert [r["ride_name"] for r in breakdown["rides_down"]] == [world[2][0].name]
    else:
        conforms(body, {"shame_breakdown.total_downtime_hours": NUM, "shame_breakdown.weighted_downtime_hours": NUM,
                        "shame_breakdown.rides_affected_count": int, "shame_breakdown.rides[].ride_name": str,
                        "shame_breakdown.rides[].tier": int, "shame_breakdown.rides[].status": str,
                        "shame_breakdown.rides[].weighted_contribution": NUM,
                        "shame_breakdown.rides[].downtime_hours": NUM, "shame_breakdown.period_label": str,
                        "shame_breakdown.days_in_period": int, "shame_breakdown.rides[].days_with_downtime": int})
        assert rows(breakdown, "rides")[0]["ride_name"] == world[2][0].name


def test_park_details_leave_out_an_unknown_live_uptime_rather_than_null(api, world):
    _, plain, _ = world
    status = api.get(f"/api/parks/{plain.pk}/details", {"period": "live"}).json()["current_status"]
    assert "uptime_percentage" not in status and status["rides_open"] == 0


RIDE_CHARTS = {"chart_type": str, "granularity": str, "labels[]": str, "datasets[].label": str,
               "datasets[].tier": int, "datasets[].data[]": OPT_NUM}


@pytest.mark.parametrize("period", ["today", "yesterday", "last_week", "last_month", "live"])
@pytest.mark.parametrize("kind", [None, "downtime", "wait_times"])
def test_park_rides_charts(api, world, period, kind):
    magic, _, _ = world
    body = api.get(f"/api/parks/{magic.pk}/rides/charts", {"period": period, **({"type": kind} if kind else {})})
    body = body.json()
    conforms(body, RIDE_CHARTS)
    assert body["chart_type"] == (kind or "downtime")
    assert rows(body, "datasets") and all(len(d["data"]) == len(body["labels"]) for d in body["datasets"])


RIDE_DETAILS = {"ride.name": str, "ride.park_name": str, "ride.tier": int, "ride.category": str, "period": str,
                "summary.total_downtime_hours": NUM, "summary.uptime_percentage": NUM,
                "summary.avg_wait_time": NUM, "summary.total_operating_hours": NUM,
                "timeseries[].status": str, "timeseries[].avg_wait_time_minutes": OPT_NUM,
                "timeseries[].uptime_percentage": OPT_NUM, "timeseries[].snapshot_count": int,
                "hourly_breakdown[].uptime_percentage": OPT_NUM, "hourly_breakdown[].avg_wait_time_minutes": OPT_NUM,
                "hourly_breakdown[].downtime_hours": NUM, "hourly_breakdown[].snapshot_count": int}


@pytest.mark.parametrize("period", ["today", "yesterday", "last_week", "last_month", "live"])
def test_ride_details(api, world, period):
    ride = world[2][0]
    body = api.get(f"/api/rides/{ride.pk}/details", {"period": period}).json()
    conforms(body, RIDE_DETAILS)
    assert body["period"] == period
    for key in ("timeseries", "hourly_breakdown"):
        for point in rows(body, key):
            if period in ("today", "yesterday", "live"):  # hourly rows carry no date key at all
                assert "date" not in point and point["hour_start_utc"].endswith("Z")
            else:
                assert "hour_start_utc" not in point and len(point["date"]) == 10


def test_search_index(api, world):
    body = api.get("/api/search/index").json()
    conforms(body, {"parks[].type": str, "parks[].name": str, "parks[].location": str, "parks[].url": str,
                    "rides[].type": str, "rides[].name": str, "rides[].park_name": str, "rides[].url": str})
    assert {p["type"] for p in body["parks"]} == {"park"} and {r["type"] for r in body["rides"]} == {"ride"}
    assert body["parks"][0]["url"] == f"park-detail.html?park_id={body['parks'][0]['id']}"
    assert body["rides"][0]["url"] == f"ride-detail.html?id={body['rides'][0]['id']}"


def test_park_rides_wait_chart_is_the_hourly_rows_with_null_where_none(api, world):
    magic, _, (m1, m2, _) = world
    RideHourlyStats.objects.filter(ride=m2, hour_start_utc=utc(2024, 6, 11, 15)).delete()
    body = api.get(f"/api/parks/{magic.pk}/rides/charts", {"period": "yesterday", "type": "wait_times"}).json()
    assert body["labels"] == ["10:00", "11:00", "12:00"] and body["granularity"] == "hourly"
    data = {d["ride_id"]: d["data"] for d in body["datasets"]}
    assert data == {m1.pk: [54.0, 55.0, 56.0], m2.pk: [34.0, None, 36.0]}
    downtime = api.get(f"/api/parks/{magic.pk}/rides/charts", {"period": "last_week"}).json()
    assert downtime["chart_type"] == "downtime" and downtime["labels"][0] == "Jun 03"
    first = {d["ride_id"]: d for d in downtime["datasets"]}[m1.pk]
    assert first["data"] == [round((60 + 10 * (date(2024, 6, d).toordinal() % 5)) / 60, 2) for d in range(3, 10)]


def test_ride_hourly_breakdown_is_the_hourly_rows_with_observation_counts(api, world):
    ride = world[2][0]
    body = api.get(f"/api/rides/{ride.pk}/details", {"period": "yesterday"}).json()
    assert [(r["hour_start_utc"], r["downtime_hours"], r["avg_wait_time_minutes"], r["snapshot_count"])
            for r in body["hourly_breakdown"]] == [("2024-06-11T14:00:00Z", 0.5, 54.0, 0),
                                                   ("2024-06-11T15:00:00Z", 0.5, 55.0, 3),
                                                   ("2024-06-11T16:00:00Z", 0.5, 56.0, 0)]


def test_a_ride_without_rows_in_the_period_gets_no_invented_values(api, world):
    magic, _, _ = world
    quiet = make_ride(magic, tier=2)
    charts = api.get(f"/api/parks/{magic.pk}/rides/charts", {"period": "yesterday"}).json()
    assert quiet.pk not in {d["ride_id"] for d in charts["datasets"]}
    details = api.get(f"/api/rides/{quiet.pk}/details", {"period": "yesterday"}).json()
    assert details["timeseries"] == [] and details["hourly_breakdown"] == []
